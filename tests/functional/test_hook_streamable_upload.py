"""The Streamable hook's calls straight (no handler, no idempotency table): fast enough to judge mutants.

`upload_highlight` against a fake Streamable on 127.0.0.1 and the clip in moto S3: which requests it
makes, what it never sends twice, how it polls the status, and its refusals as sentences.
(`test_hook_streamable.py` drives the same calls through the Lambda handler.)
"""

from __future__ import annotations

import socket
import threading
from collections.abc import Iterator
from typing import Any

import boto3
import pytest
from botocore.config import Config
from pydantic import ValidationError

from contracts import HighlightEvent
from hooks.shared import HttpClient, HttpOutcomeUnknownError
from hooks.streamable import StreamableCredentials, StreamableCredentialsError, StreamableUploadRefusedError
from hooks.streamable.upload import STATUS_POLL_WAITS_S, StreamableError, upload_highlight
from tests.functional.hook_fixtures import (
    BUCKET,
    CLIP_BYTES,
    CLIP_KEY,
    REGION,
    TITLE,
    Answer,
    FakeStreamable,
    ReceivedRequest,
    emulated_aws,
    fast_http,
    stage_highlight,
)

USERNAME, PASSWORD = "bot@example.com", "correct horse"
SECRET_ID = "arn:aws:secretsmanager:us-east-1:123456789012:secret:highlight-bot/streamable-AbCdEf"
CREDENTIALS = StreamableCredentials.model_validate({"username": USERNAME, "password": PASSWORD}).model_copy(
    update={"secret_id": SECRET_ID}
)  # as from_secret makes them


@pytest.fixture
def highlight(monkeypatch: pytest.MonkeyPatch) -> Iterator[HighlightEvent]:
    """The clip in moto S3 and its highlight event, with presigned links."""
    with emulated_aws(monkeypatch):
        yield stage_highlight()


def s3() -> Any:
    return boto3.client("s3", region_name=REGION)


def upload(highlight: HighlightEvent, api: FakeStreamable, http: HttpClient | None = None) -> str:
    return upload_highlight(highlight, CREDENTIALS, api.url + "/", http or fast_http(), s3())


class HangingStreamable(FakeStreamable):
    """Receives `hang_path` requests and answers nothing until the test ends (a service that took it and hangs)."""

    def __init__(self, hang_path: str) -> None:
        super().__init__(username=USERNAME, password=PASSWORD)
        self.hang_path = hang_path
        self.released = threading.Event()

    def answer(self, request: ReceivedRequest) -> Answer:
        if request.path == self.hang_path:
            return Answer(200, {"shortcode": "late"}, held_until=self.released)
        return super().answer(request)

    def __exit__(self, *exc: Any) -> None:
        self.released.set()
        super().__exit__(*exc)


class StatusAnswers(FakeStreamable):
    """A Streamable whose status endpoint always gives `status_answer` (a 503, a 404, a reply that is not JSON)."""

    def __init__(self, status_answer: Answer) -> None:
        super().__init__(username=USERNAME, password=PASSWORD)
        self.status_answer = status_answer

    def answer(self, request: ReceivedRequest) -> Answer:
        if request.path.startswith("/videos/"):
            return self.status_answer
        return super().answer(request)


def test_the_clip_is_imported_from_its_link_and_its_page_is_the_result(highlight: HighlightEvent) -> None:
    sleeps: list[float] = []
    with FakeStreamable(username=USERNAME, password=PASSWORD) as api:
        assert upload(highlight, api, fast_http(sleeps)) == "https://streamable.com/imp0rt"
    assert [(r.method, r.path) for r in api.requests] == [("GET", "/import"), ("GET", "/videos/imp0rt")]
    assert api.requests[0].query == {"url": [highlight.clip.url], "title": [TITLE]}
    assert sleeps == []


def test_an_import_that_may_have_been_received_is_never_sent_again(highlight: HighlightEvent) -> None:
    quick = HttpClient(fast_http().session, sleep=lambda s: None, timeout_s=(5.0, 0.2))
    with HangingStreamable("/import") as api, pytest.raises(HttpOutcomeUnknownError):
        upload(highlight, api, quick)
    assert [r.path for r in api.requests] == ["/import"]  # a second import would make a second video


@pytest.mark.parametrize("status", [401, 403])
def test_refused_credentials_stop_at_the_import_with_a_sentence_naming_the_secret(
    highlight: HighlightEvent, status: int
) -> None:
    with (
        FakeStreamable(username=USERNAME, password=PASSWORD, import_statuses=[status]) as api,
        pytest.raises(StreamableCredentialsError) as failure,
    ):
        upload(highlight, api)
    assert failure.value.status == status and failure.value.secret_id == SECRET_ID
    assert [r.path for r in api.requests] == ["/import"]  # no upload after the credentials were refused


@pytest.mark.parametrize("status", [401, 403])
def test_refused_credentials_at_the_upload_are_a_credentials_error(highlight: HighlightEvent, status: int) -> None:
    with (
        FakeStreamable(username=USERNAME, password=PASSWORD, import_statuses=[400], upload_statuses=[status]) as api,
        pytest.raises(StreamableCredentialsError) as failure,
    ):
        upload(highlight, api)
    assert failure.value.status == status
    assert [r.path for r in api.requests] == ["/import", "/upload"]


def test_a_refused_upload_says_where_the_clip_stays(highlight: HighlightEvent) -> None:
    with (
        FakeStreamable(username=USERNAME, password=PASSWORD, import_statuses=[400], upload_statuses=[410]) as api,
        pytest.raises(StreamableUploadRefusedError) as failure,
    ):
        upload(highlight, api)
    assert str(failure.value) == (
        f"Streamable refused both the import and the upload of {TITLE!r} (upload: HTTP 410, "
        '{"error": "scripted 410"}). Its API may no longer accept uploads; the clip stays at '
        f"s3://{BUCKET}/{CLIP_KEY} and the other hooks are not affected."
    )


def test_the_status_is_looked_at_until_ready_with_the_pauses_between(highlight: HighlightEvent) -> None:
    sleeps: list[float] = []
    with FakeStreamable(username=USERNAME, password=PASSWORD, video_statuses=[1, 1, 2]) as api:
        assert upload(highlight, api, fast_http(sleeps)) == "https://streamable.com/imp0rt"
    assert len(api.requests_to("/videos/imp0rt")) == 3
    assert sleeps == list(STATUS_POLL_WAITS_S)


def test_a_video_still_processing_after_the_last_look_is_shared_anyway(highlight: HighlightEvent) -> None:
    with FakeStreamable(username=USERNAME, password=PASSWORD, video_statuses=[1]) as api:
        assert upload(highlight, api) == "https://streamable.com/imp0rt"
    assert len(api.requests_to("/videos/imp0rt")) == 1 + len(STATUS_POLL_WAITS_S)


def test_a_video_streamable_could_not_process_is_an_error(highlight: HighlightEvent) -> None:
    with (
        FakeStreamable(username=USERNAME, password=PASSWORD, video_statuses=[3]) as api,
        pytest.raises(StreamableError) as failure,
    ):
        upload(highlight, api)
    assert str(failure.value) == (
        "Streamable could not process video imp0rt (status 3, error); Lambda retries the highlight."
    )


@pytest.mark.parametrize(
    "status_answer", [Answer(503, {"error": "down"}), Answer(404, {"error": "gone"}), Answer(200)], ids=str
)
def test_an_unreadable_status_is_looked_at_once_and_the_link_shared(
    highlight: HighlightEvent, status_answer: Answer
) -> None:
    sleeps: list[float] = []
    with StatusAnswers(status_answer) as api:
        assert upload(highlight, api, fast_http(sleeps)) == "https://streamable.com/imp0rt"
    assert len(api.requests_to("/videos/imp0rt")) == 1 and sleeps == []


def test_a_refused_import_uploads_the_clip_from_s3_under_its_own_name(highlight: HighlightEvent) -> None:
    with FakeStreamable(username=USERNAME, password=PASSWORD, import_statuses=[400]) as api:
        assert upload(highlight, api) == "https://streamable.com/upl0ad"
    (uploaded,) = api.requests_to("/upload")
    assert uploaded.form() == {"file": ("g-test.mp4", CLIP_BYTES), "title": (None, TITLE.encode())}
    assert uploaded.basic_auth() == (USERNAME, PASSWORD)


def test_a_clip_missing_from_s3_is_a_sentence_about_the_bucket(highlight: HighlightEvent) -> None:
    s3().delete_object(Bucket=BUCKET, Key=CLIP_KEY)
    with (
        FakeStreamable(username=USERNAME, password=PASSWORD, import_statuses=[400]) as api,
        pytest.raises(StreamableError, match=f"^Could not read the clip s3://{BUCKET}/{CLIP_KEY} to upload it"),
    ):
        upload(highlight, api)
    assert api.requests_to("/upload") == []


def test_an_unreachable_s3_is_a_sentence_about_the_bucket_too(highlight: HighlightEvent) -> None:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        closed_port = probe.getsockname()[1]
    unreachable = boto3.client(
        "s3",
        region_name=REGION,
        endpoint_url=f"http://127.0.0.1:{closed_port}",
        config=Config(retries={"total_max_attempts": 1}),
    )
    with (
        FakeStreamable(username=USERNAME, password=PASSWORD, import_statuses=[400]) as api,
        pytest.raises(StreamableError, match=r"needs_highlights_bucket_read in hook\.json"),
    ):
        upload_highlight(highlight, CREDENTIALS, api.url, fast_http(), unreachable)


class ImportReplies(FakeStreamable):
    """A Streamable whose import answers 200 with `reply` (None: an empty body)."""

    def __init__(self, reply: object) -> None:
        super().__init__(username=USERNAME, password=PASSWORD)
        self.reply = reply

    def answer(self, request: ReceivedRequest) -> Answer:
        if request.path == "/import":
            return Answer(200, self.reply)
        return super().answer(request)


@pytest.mark.parametrize("reply", [{"shortcode": ""}, {"shortcode": 123}, {"status": 1}, ["imp0rt"], None], ids=str)
def test_an_accepted_import_without_a_shortcode_is_a_sentence(highlight: HighlightEvent, reply: object) -> None:
    with ImportReplies(reply) as api, pytest.raises(StreamableError) as failure:
        upload(highlight, api)
    assert str(failure.value) == (
        "Streamable accepted the import but its reply has no shortcode, so there is no link to share; "
        "its API may have changed."
    )
    assert len(api.requests) == 1  # no status looked at for a video it cannot name


def test_a_password_of_one_character_is_accepted_and_an_empty_one_refused() -> None:
    assert StreamableCredentials.model_validate({"username": "u", "password": "p"}).basic_auth() == ("u", "p")
    for empty in ({"username": "u", "password": ""}, {"username": "", "password": "p"}):
        with pytest.raises(ValidationError):
            StreamableCredentials.model_validate(empty)


def test_the_credentials_never_show_the_password_nor_carry_the_secret_id_as_data() -> None:
    assert CREDENTIALS.basic_auth() == (USERNAME, PASSWORD)
    assert PASSWORD not in repr(CREDENTIALS)
    assert CREDENTIALS.model_dump().keys() == {"username", "password"}
    assert StreamableCredentials.model_validate({"username": USERNAME, "password": PASSWORD}).secret_id == (
        "(the Streamable secret)"
    )
