"""``bench.capture``'s command line: a stream not in the suite is named, and the suite's names are shown briefly."""

from __future__ import annotations

import pytest

from bench.capture import main


def test_an_unknown_stream_of_a_sized_suite_is_said_with_a_short_list_of_names(
    capsys: pytest.CaptureFixture[str],
) -> None:
    # 'dev-0' for dev-00 printed all 5000 names of the grown dev suite, burying the one line that mattered.
    with pytest.raises(SystemExit) as stopped:
        main(["--suite", "dev", "--size", "5000", "--skip-naive", "--streams", "dev-0"])

    said = capsys.readouterr().err
    assert stopped.value.code == 2
    assert "dev-0 not in the dev suite; its streams are dev-00, dev-01, dev-02, dev-03, dev-04, dev-05, ..., " in said
    assert said.rstrip().endswith("dev-4997, dev-4998, dev-4999.")
    assert len(said) < 1000


def test_a_small_suite_lists_every_name(capsys: pytest.CaptureFixture[str]) -> None:
    with pytest.raises(SystemExit):
        main(["--suite", "bench", "--streams", "bench-4k"])

    said = capsys.readouterr().err
    listed = said.split("its streams are ", 1)[1]
    assert listed.startswith("bench-720p30-a, ") and "..." not in listed
