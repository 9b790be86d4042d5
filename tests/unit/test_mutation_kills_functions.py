"""Edges of functions/ that mutants of bench/mutation.py showed no test held.

Each boundary of enrich's clip decision is tested exactly on it (a gap that ends at the goal's
moment, a hole as wide as the contiguity tolerance, a segment the tolerance inside the window), as
are the clip timeline past its ends and the settings the functions read.
"""

from __future__ import annotations

from datetime import timedelta
from pathlib import Path

import pytest

from contracts import SegmentEvent, missing_location
from contracts.settings import DEFAULT_SETTINGS
from functions.clip.settings import ClipSettings
from functions.clip.timeline import moment_on_timeline
from functions.enrich.index import (
    CONTIGUITY_TOLERANCE_S,
    ClipWindow,
    Gap,
    GiveUp,
    Ready,
    Wait,
    decide_clip,
    find_gaps,
    missing_footage,
    segment_end,
)
from functions.enrich.settings import EnrichSettings
from functions.reconciler import ReconcilerSettings, plan_reconciliation
from functions.shared import ConfigurationError
from functions.shared import settings as media_settings
from functions.shared.failures import MAX_REASON_CHARS, reason_of
from functions.shared.goals_without_clip import MAX_REASON_CHARS as MAX_NO_CLIP_REASON_CHARS
from functions.shared.goals_without_clip import GoalsWithoutClip
from functions.vertical import VerticalSettings
from functions.vertical.settings import MAX_RECEIVE_COUNT
from tests.functional.functions_fixtures import START, a_goal, a_segment
from tests.unit.test_reconciler_plan import CURRENT, OLDER, a_task

WAIT_S = 120.0


def seg(sequence: int, *, start_s: float | None = None) -> SegmentEvent:
    """Segment ``sequence`` of the steady 2 s stream, or starting ``start_s`` after START."""
    if start_s is None:
        return a_segment(sequence)
    return a_segment(sequence, start=START + timedelta(seconds=start_s), stream_time=start_s)


def decide(goal_s: float, segments: list[SegmentEvent]) -> object:
    goal = a_goal(START + timedelta(seconds=goal_s))
    window = ClipWindow.around(goal, pre_roll_s=20, post_roll_s=5)
    newest = max(s.start for s in segments)
    return decide_clip(goal, window, segments, newest_segment_start=newest, waited_s=0.0, post_roll_wait_s=WAIT_S)


def test_a_gap_that_ends_exactly_at_the_goal_is_pre_roll_and_clipped_around() -> None:
    # Goal at 20.0 s, segments 8 and 9 (16-20 s) missing: the goal's own segment (10) is there.
    decision = decide(20.0, [seg(n) for n in range(13) if n not in (8, 9)])
    assert isinstance(decision, Ready), decision
    assert [gap.missing() for gap in decision.gaps] == ["segments 8..9"]
    assert decision.partial is not None and decision.partial.missing_post_roll_s == 0


def test_a_hole_as_wide_as_the_tolerance_is_no_gap_and_a_wider_one_is() -> None:
    goal = a_goal(START + timedelta(seconds=21.3))
    window = ClipWindow.around(goal, pre_roll_s=20, post_roll_s=5)
    assert CONTIGUITY_TOLERANCE_S == 0.25
    # Sequence 6 is skipped, but segment 7 starts 0.25 s after segment 5 ends (12 s): nothing is missing.
    within = [seg(n) for n in range(6)] + [seg(n, start_s=2.0 * n - 1.75) for n in range(7, 16)]
    assert find_gaps(window, within) == []
    beyond = [seg(n) for n in range(6)] + [seg(n, start_s=2.0 * n - 1.5) for n in range(7, 16)]
    assert [gap.missing() for gap in find_gaps(window, beyond)] == ["segment 6"]


def test_a_last_segment_ending_the_tolerance_before_the_window_ends_is_enough() -> None:
    # Goal at 21.25 s: the window ends at 26.25 s; segment 12 ends at 26.0 s, exactly the tolerance before.
    decision = decide(21.25, [seg(n) for n in range(13)])
    assert isinstance(decision, Ready) and decision.gaps == () and decision.partial is None
    # Goal at 21.3 s: the window ends at 26.3 s, 0.3 s after segment 12: wait for segment 13.
    assert isinstance(decide(21.3, [seg(n) for n in range(13)]), Wait)


def test_a_first_segment_starting_within_the_tolerance_after_the_window_start_leaves_no_gap() -> None:
    # Goal at 20.1 s: the window starts at 0.1 s and segment 0 (the stream's first) at 0 s.
    decision = decide(20.1, [seg(n) for n in range(13)])
    assert isinstance(decision, Ready) and decision.gaps == () and decision.partial is None


def test_a_discontinuity_at_the_window_start_with_the_next_sequence_number_is_no_gap() -> None:
    # Goal at 30.5 s, window from 10.5 s: segment 4 ends at 10 s, segment 5 starts at 10.9 s (a jump of the
    # clock, not a lost segment: the sequence numbers follow each other).
    goal = a_goal(START + timedelta(seconds=30.5))
    window = ClipWindow.around(goal, pre_roll_s=20, post_roll_s=5)
    segments = [seg(n) for n in range(5)] + [seg(n, start_s=2.0 * n + 0.9) for n in range(5, 20)]
    assert find_gaps(window, segments) == []


def test_a_moment_past_the_last_segment_continues_its_clock_and_one_before_the_first_is_its_start() -> None:
    segments = [seg(n) for n in range(3)]  # 0..6 s
    assert moment_on_timeline(segments, 7.5) == START + timedelta(seconds=7.5)
    assert moment_on_timeline(segments, -3.0) == START


def test_enrich_reads_the_channel_parameter_the_stack_names(monkeypatch: pytest.MonkeyPatch) -> None:
    for name in ("SEGMENT_TABLE", "CLIP_QUEUE_URL", "DEAD_LETTER_QUEUE_URL", "IDEMPOTENCY_TABLE"):
        monkeypatch.setenv(name, "x")
    monkeypatch.setenv("CHANNEL_PARAMETER_NAME", "/other/channel")
    assert EnrichSettings.from_env().channel_parameter_name == "/other/channel"
    monkeypatch.delenv("CHANNEL_PARAMETER_NAME")
    assert EnrichSettings.from_env().channel_parameter_name == DEFAULT_SETTINGS.channel_parameter_name


def test_vertical_links_never_outlive_sigv4s_week_and_the_cut_uses_every_core_unless_told(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    for name in ("HIGHLIGHTS_BUCKET", "HIGHLIGHT_TOPIC_ARN", "IDEMPOTENCY_TABLE"):
        monkeypatch.setenv(name, "x")
    monkeypatch.setenv("CLIP_URL_EXPIRY_S", str(8 * 24 * 3600))
    monkeypatch.delenv("VERTICAL_BACKGROUND", raising=False)
    settings = VerticalSettings.from_env()
    assert settings.url_expiry_s == 7 * 24 * 3600
    assert settings.background is False


def test_a_moment_at_a_segment_boundary_after_a_gap_is_the_next_segments_start() -> None:
    # Segment 0 is 0-2 s, segment 5 is 10-12 s: 2 s into the clip is where segment 5 starts, not 2 s.
    assert moment_on_timeline([seg(0), seg(5)], 2.0) == START + timedelta(seconds=10)


def test_clip_reads_its_dead_letter_queue(monkeypatch: pytest.MonkeyPatch) -> None:
    for name in ("HIGHLIGHTS_BUCKET", "HIGHLIGHT_TOPIC_ARN", "IDEMPOTENCY_TABLE"):
        monkeypatch.setenv(name, "x")
    monkeypatch.setenv("CLIP_DEAD_LETTER_QUEUE_URL", "https://sqs.example/dlq")
    assert ClipSettings.from_env().dead_letter_queue_url == "https://sqs.example/dlq"


def test_a_reason_as_long_as_the_limit_is_kept_whole() -> None:
    prefix = "ValueError: "
    whole = reason_of(ValueError("x" * (MAX_REASON_CHARS - len(prefix))))
    assert len(whole) == MAX_REASON_CHARS and not whole.endswith("…")
    cut = reason_of(ValueError("x" * (MAX_REASON_CHARS - len(prefix) + 1)))
    assert cut.endswith("…") and len(cut) == MAX_REASON_CHARS + 1


class FakeDynamoDB:
    """The two calls ``GoalsWithoutClip`` makes, over a dict (its item shapes are DynamoDB's)."""

    def __init__(self) -> None:
        self.items: dict[str, dict[str, dict[str, str]]] = {}

    def put_item(self, *, TableName: str, Item: dict[str, dict[str, str]]) -> None:
        self.items[Item["id"]["S"]] = Item

    def get_item(self, *, TableName: str, Key: dict[str, dict[str, str]], ConsistentRead: bool) -> dict[str, object]:
        # A read that is not consistent may miss a write of a second ago (the reel reads right after clip wrote).
        item = self.items.get(Key["id"]["S"]) if ConsistentRead else None
        return {"Item": item} if item is not None else {}


def test_a_goal_without_clip_keeps_its_reason_up_to_the_limit_and_expires_after_the_ttl() -> None:
    table = FakeDynamoDB()
    without_clip = GoalsWithoutClip(table, "idempotency", ttl_hours=48, clock=lambda: 1_000.0)
    without_clip.record("g-1", "r" * (MAX_NO_CLIP_REASON_CHARS + 1))
    item = table.items["no-clip#g-1"]
    assert item["expiration"] == {"N": str(1_000 + 48 * 3600)}
    assert without_clip.reason("g-1") == "r" * MAX_NO_CLIP_REASON_CHARS
    assert without_clip.reason("g-2") is None


def test_a_goal_just_past_the_last_segment_is_waited_for_not_given_up() -> None:
    # Goal at 20.1 s; segments end at 20.0 s: nothing has reached past the goal by more than the tolerance,
    # so its segment may still come. Once the stream is at 20.36 s, past the goal by more than the tolerance,
    # without a segment showing it: give up.
    segments = [seg(n) for n in range(10)]
    assert isinstance(decide(20.1, segments), Wait)
    goal = a_goal(START + timedelta(seconds=20.1))
    window = ClipWindow.around(goal, pre_roll_s=20, post_roll_s=5)

    def decision_when_newest_starts_at(newest_s: float) -> object:
        newest = START + timedelta(seconds=newest_s)
        return decide_clip(goal, window, segments, newest_segment_start=newest, waited_s=0.0, post_roll_wait_s=WAIT_S)

    assert isinstance(decision_when_newest_starts_at(20.35), Wait)  # exactly the tolerance past the goal
    assert isinstance(decision_when_newest_starts_at(20.36), GiveUp)


def test_a_gap_the_stream_has_reached_within_the_tolerance_is_no_longer_waited_for() -> None:
    # Goal at 21.5 s: the window ends at 26.5 s, segments reach 26.0 s. The stream's newest segment starts
    # at 26.3 s, the tolerance short of the window's end: nothing more will fill it, clip what there is.
    goal = a_goal(START + timedelta(seconds=21.5))
    window = ClipWindow.around(goal, pre_roll_s=20, post_roll_s=5)
    segments = [seg(n) for n in range(13)]

    def decision_when_newest_starts_at(newest_s: float) -> object:
        newest = START + timedelta(seconds=newest_s)
        return decide_clip(goal, window, segments, newest_segment_start=newest, waited_s=0.0, post_roll_wait_s=WAIT_S)

    assert isinstance(decision_when_newest_starts_at(26.25), Ready)  # exactly the tolerance short
    reached = decision_when_newest_starts_at(26.3)
    assert isinstance(reached, Ready) and reached.partial is not None
    assert reached.partial.missing_post_roll_s == 0.5
    assert isinstance(decision_when_newest_starts_at(26.2), Wait)


def test_a_discontinuity_at_the_window_end_with_the_next_sequence_number_is_no_gap() -> None:
    # Goal at 21.5 s, window to 26.5 s: segment 12 ends at 26 s, segment 13 starts at 26.9 s (the clock
    # jumped, nothing was lost: the sequence numbers follow each other).
    goal = a_goal(START + timedelta(seconds=21.5))
    window = ClipWindow.around(goal, pre_roll_s=20, post_roll_s=5)
    segments = [seg(n) for n in range(13)] + [seg(13, start_s=26.9)]
    assert find_gaps(window, segments) == []


def test_missing_footage_is_given_to_the_millisecond() -> None:
    # Goal at 21.2346 s: the window is 1.2346 s .. 26.2346 s; segments 1..11 hold 2 s .. 24 s.
    goal = a_goal(START + timedelta(seconds=21.2346))
    window = ClipWindow.around(goal, pre_roll_s=20, post_roll_s=5)
    footage = missing_footage(goal, find_gaps(window, [seg(n) for n in range(1, 12)]))
    assert footage is not None
    assert (footage.missing_pre_roll_s, footage.missing_post_roll_s) == (0.765, 2.235)


def test_a_gap_ending_the_tolerance_after_its_announced_segment_is_named_by_that_segment_alone() -> None:
    announced = a_segment(6, location=missing_location("sample", 6), missing_reason="it could not be stored")
    end = segment_end(announced)
    exactly = Gap(announced.start, end + timedelta(seconds=CONTIGUITY_TOLERANCE_S), seg(5), None, (announced,))
    assert exactly.missing() == "segment 6"
    beyond = Gap(announced.start, end + timedelta(seconds=0.3), seg(5), None, (announced,))
    assert beyond.missing() == "segment 6 and after"
    # Two announced: the gap ends with the second, so it does not run past them.
    second = announced_missing(7)
    both = Gap(announced.start, segment_end(second), seg(5), None, (announced, second))
    assert both.missing() == "segments 6..7"


def test_a_segment_ending_exactly_at_the_window_start_names_the_gap_after_it() -> None:
    # Goal at 30 s, window from 10 s: segment 4 ends exactly there, 5 is lost, 6 starts at 12 s.
    goal = a_goal(START + timedelta(seconds=30.0))
    window = ClipWindow.around(goal, pre_roll_s=20, post_roll_s=5)
    segments = [seg(n) for n in range(20) if n != 5]
    assert [gap.missing() for gap in find_gaps(window, segments)] == ["segment 5"]


def test_the_vertical_queue_redrives_after_at_least_five_receives() -> None:
    # AWS advises at least 5 for a Lambda event source: a receive whose invocation was throttled counts too,
    # so fewer would park highlights that were never tried. Infra and the local run both read this number.
    assert MAX_RECEIVE_COUNT >= 5


def announced_missing(sequence: int) -> SegmentEvent:
    return a_segment(sequence, location=missing_location("sample", sequence), missing_reason="it could not be stored")


def window_around(goal_s: float) -> ClipWindow:
    return ClipWindow.around(a_goal(START + timedelta(seconds=goal_s)), pre_roll_s=20, post_roll_s=5)


def test_a_segment_announced_missing_just_outside_a_gap_is_not_its_reason() -> None:
    # Window 6 s .. 26 s. Segment 12 (24-26 s) never arrived; 13 (26-28 s), announced missing, starts at the
    # window's end: the gap is "after 11", not 13's.
    (gap,) = find_gaps(window_around(21.0), [*[seg(n) for n in range(12)], announced_missing(13)])
    assert gap.missing() == "segments after 11" and gap.announced_missing == ()
    # Window 10 s .. 35 s. Segment 4 (8-10 s), announced missing, ends at the window's start; 5 never arrived.
    (gap, *_) = find_gaps(window_around(30.0), [announced_missing(4), *[seg(n) for n in range(6, 20)]])
    assert gap.missing() == "segments before 6"
    assert gap.reason() == "segments before 6 (2.0 s): never announced (the capture began later, or lost them)"


def test_a_segment_announced_missing_between_a_gaps_neighbours_gives_its_reason() -> None:
    # Window 10 s .. 35 s: segment 4 (8-10 s) was announced missing, 5 (10-12 s) never arrived. 4 lies outside
    # the gap in time, but between its neighbours 3 and 6 by sequence: it says why.
    segments = [*[seg(n) for n in range(4)], announced_missing(4), *[seg(n) for n in range(6, 20)]]
    (gap,) = find_gaps(window_around(30.0), segments)
    assert gap.reason() == "segments 4..5 (2.0 s): announced missing by the capture task: it could not be stored"


def test_several_announced_missing_segments_are_named_first_to_last() -> None:
    # Window 9 s .. 34 s: segments 4 (8-10 s) and 5 (10-12 s) announced missing, nothing read before 6.
    (gap, *_) = find_gaps(window_around(29.0), [announced_missing(4), announced_missing(5), *map(seg, range(6, 20))])
    assert gap.missing() == "segments 4..5"


def test_a_goal_waits_the_whole_post_roll_wait_before_a_partial_clip() -> None:
    goal = a_goal(START + timedelta(seconds=21.3))
    window = ClipWindow.around(goal, pre_roll_s=20, post_roll_s=5)
    segments = [seg(n) for n in range(11)]  # the post-roll's last 4.3 s never came
    newest = segments[-1].start

    def decision_after(waited_s: float) -> object:
        return decide_clip(
            goal, window, segments, newest_segment_start=newest, waited_s=waited_s, post_roll_wait_s=WAIT_S
        )

    assert isinstance(decision_after(WAIT_S), Wait)
    assert isinstance(decision_after(WAIT_S + 0.001), Ready)


def test_a_plan_that_only_starts_or_only_stops_changes_something() -> None:
    assert plan_reconciliation(["a"], [], task_definition_arn=CURRENT).changes_something
    assert plan_reconciliation([], [a_task("gone")], task_definition_arn=CURRENT).changes_something
    assert not plan_reconciliation(["a"], [a_task("a")], task_definition_arn=CURRENT).changes_something


def test_the_reconciler_needs_at_least_one_subnet(monkeypatch: pytest.MonkeyPatch) -> None:
    variables = {
        "CHANNEL_PARAMETER_NAME": "/highlight-bot/channel",
        "CLUSTER_ARN": "arn:aws:ecs:us-east-1:123456789012:cluster/capture",
        "TASK_DEFINITION_ARN": CURRENT,
        "CONTAINER_NAME": "Capture",
        "SUBNET_IDS": " , ",
        "SECURITY_GROUP_IDS": "sg-1",
    }
    for name, value in variables.items():
        monkeypatch.setenv(name, value)
    with pytest.raises(ConfigurationError, match="SUBNET_IDS"):
        ReconcilerSettings.from_env()


def test_a_channel_without_a_task_does_not_stop_the_plan_for_the_channels_after_it() -> None:
    # "a" gets a task started; "b" after it still has its duplicate stopped.
    plan = plan_reconciliation(["a", "b"], [a_task("b"), a_task("b", number=2, age_s=10)], task_definition_arn=CURRENT)
    assert plan.start == ("a",)
    assert [stop.task.arn for stop in plan.stop] == [a_task("b").arn]


def test_an_outdated_task_is_stopped_naming_its_replacement_by_task_id() -> None:
    old, running = a_task("a", number=1, definition=OLDER, age_s=3600), a_task("a", number=2)
    (stop,) = plan_reconciliation(["a"], [old, running], task_definition_arn=CURRENT).stop
    assert stop.reason == "replaced by a-2 on the current task definition"


def test_the_ffmpeg_layer_is_used_when_present_and_path_otherwise(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    layer = tmp_path / "ffmpeg"
    monkeypatch.setattr(media_settings, "LAYER_FFMPEG", layer)
    assert media_settings.default_ffmpeg() != str(layer)
    layer.write_bytes(b"")
    assert media_settings.default_ffmpeg() == str(layer)


def test_the_highlights_base_url_loses_its_trailing_slash(monkeypatch: pytest.MonkeyPatch) -> None:
    for name in ("HIGHLIGHTS_BUCKET", "HIGHLIGHT_TOPIC_ARN", "IDEMPOTENCY_TABLE"):
        monkeypatch.setenv(name, "x")
    monkeypatch.setenv("HIGHLIGHTS_BASE_URL", "https://d1234.cloudfront.net/")
    assert ClipSettings.from_env().highlights_base_url == "https://d1234.cloudfront.net"


def test_a_goal_at_the_very_start_of_a_gap_has_no_segment_and_is_given_up() -> None:
    # Segments end at 20.0 s, the goal's first frame: its own segment never came, the wait is over.
    goal = a_goal(START + timedelta(seconds=20.0))
    window = ClipWindow.around(goal, pre_roll_s=20, post_roll_s=5)
    segments = [seg(n) for n in range(10)]
    newest = segments[-1].start
    decision = decide_clip(
        goal, window, segments, newest_segment_start=newest, waited_s=WAIT_S + 1, post_roll_wait_s=WAIT_S
    )
    assert isinstance(decision, GiveUp), decision


def test_a_first_segment_exactly_the_tolerance_after_the_window_start_leaves_no_gap() -> None:
    # Window 10 s .. 35 s; the first segment indexed starts at 10.25 s.
    assert find_gaps(window_around(30.0), [seg(n, start_s=2.0 * n + 0.25) for n in range(5, 18)]) == []


def test_the_segment_starting_exactly_at_the_window_end_is_its_neighbour_after() -> None:
    # Window 6 s .. 26 s: segment 11 ends at 24 s, 12 starts at 26 s (the clock jumped, nothing was lost).
    assert find_gaps(window_around(21.0), [*[seg(n) for n in range(12)], seg(12, start_s=26.0)]) == []


def test_a_lost_segment_at_the_window_end_is_named_by_its_nearest_neighbours() -> None:
    # Window 6 s .. 26 s: 12 (24-26 s) was lost; 13 onwards arrived.
    (gap,) = find_gaps(window_around(21.0), [seg(n) for n in range(21) if n != 12])
    assert gap.missing() == "segment 12"


def test_a_window_with_no_segment_at_all_says_they_never_arrived() -> None:
    (gap,) = find_gaps(window_around(21.0), [])
    assert gap.reason().endswith(": never arrived (lost by the capture, or an ad break)")
