"""The publication ledger and ``publish_once`` against DynamoDB and SNS emulated in-process (moto).

Fast (no ffmpeg, no servers), so the mutation run can judge `functions/clip/ledger.py` and
`publish_once` with them: each step's condition, the token kept across attempts, the recorded bytes
republished as they are, and what one invocation remembers having published.
"""

from __future__ import annotations

from collections.abc import Iterator
from datetime import timedelta
from typing import Any

import boto3
import pytest
from botocore.exceptions import ClientError
from moto import mock_aws

from functions.clip.highlights import publish_once
from functions.clip.ledger import Publication, PublicationLedger
from tests.functional.functions_fixtures import START, a_goal

REGION = "us-east-1"
TABLE = "highlight-bot-idempotency"
NOW = 1_800_000_000.0


def message(seconds: int) -> str:
    """An event's JSON (publishing parses it for its attributes); ``seconds`` makes each one's bytes differ."""
    return a_goal(START + timedelta(seconds=seconds)).to_json()


@pytest.fixture
def aws(monkeypatch: pytest.MonkeyPatch) -> Iterator[dict[str, Any]]:
    for name, value in {
        "AWS_ACCESS_KEY_ID": "testing",
        "AWS_SECRET_ACCESS_KEY": "testing",
        "AWS_DEFAULT_REGION": REGION,
    }.items():
        monkeypatch.setenv(name, value)
    with mock_aws():
        dynamodb = boto3.client("dynamodb", region_name=REGION)
        dynamodb.create_table(
            TableName=TABLE,
            KeySchema=[{"AttributeName": "id", "KeyType": "HASH"}],
            AttributeDefinitions=[{"AttributeName": "id", "AttributeType": "S"}],
            BillingMode="PAY_PER_REQUEST",
        )
        sns = boto3.client("sns", region_name=REGION)
        topic_arn = sns.create_topic(Name="highlights")["TopicArn"]
        sqs = boto3.client("sqs", region_name=REGION)
        queue_url = sqs.create_queue(QueueName="heard")["QueueUrl"]
        queue_arn = sqs.get_queue_attributes(QueueUrl=queue_url, AttributeNames=["QueueArn"])["Attributes"]["QueueArn"]
        sns.subscribe(TopicArn=topic_arn, Protocol="sqs", Endpoint=queue_arn, Attributes={"RawMessageDelivery": "true"})
        yield {"dynamodb": dynamodb, "sns": sns, "sqs": sqs, "topic_arn": topic_arn, "queue_url": queue_url}


def ledger_in(aws: dict[str, Any], ttl_hours: int = 48) -> PublicationLedger:
    return PublicationLedger(aws["dynamodb"], TABLE, ttl_hours=ttl_hours, clock=lambda: NOW)


def item(aws: dict[str, Any], event_id: str) -> dict[str, Any]:
    found: dict[str, Any] = aws["dynamodb"].get_item(TableName=TABLE, Key={"id": {"S": f"publication#{event_id}"}})
    return dict(found.get("Item", {}))


def heard(aws: dict[str, Any]) -> list[str]:
    messages = aws["sqs"].receive_message(QueueUrl=aws["queue_url"], MaxNumberOfMessages=10).get("Messages", [])
    return [message["Body"] for message in messages]


def test_a_reservation_keeps_its_token_and_expires_after_the_ttl(aws: dict[str, Any]) -> None:
    ledger = ledger_in(aws, ttl_hours=12)
    first = ledger.reserve("highlight-g-1")
    again = ledger.reserve("highlight-g-1")
    assert first == again == Publication("highlight-g-1", first.token)
    assert first.state == "reserved" and len(first.token) == 32
    assert ledger.reserve("highlight-g-2").token != first.token
    assert item(aws, "highlight-g-1")["expiration"] == {"N": str(int(NOW + 12 * 3600))}


def test_the_first_recorded_message_stays_and_marking_publishes_it(aws: dict[str, Any]) -> None:
    ledger = ledger_in(aws)
    token = ledger.reserve("highlight-g-1").token
    recorded = ledger.record("highlight-g-1", '{"n": 1}')
    assert recorded == Publication("highlight-g-1", token, '{"n": 1}') and recorded.state == "recorded"
    assert ledger.record("highlight-g-1", '{"n": 2}').message == '{"n": 1}'  # a retry's new bytes never replace it
    ledger.mark_published("highlight-g-1", "sns-id-1")
    published = ledger.get("highlight-g-1")
    assert published == Publication("highlight-g-1", token, '{"n": 1}', "sns-id-1")
    assert published.state == "published"


def test_nothing_is_recorded_for_an_event_never_reserved(aws: dict[str, Any]) -> None:
    ledger = ledger_in(aws)
    assert ledger.get("highlight-g-9") is None
    with pytest.raises(LookupError, match="highlight-g-9 vanished"):
        ledger.record("highlight-g-9", "{}")
    assert item(aws, "highlight-g-9") == {}


def test_store_errors_other_than_a_failed_condition_are_raised(aws: dict[str, Any]) -> None:
    class Refusing:
        def __init__(self, client: Any) -> None:
            self._client = client

        def __getattr__(self, name: str) -> Any:
            if name in ("put_item", "update_item"):

                def refuse(**_: Any) -> None:
                    raise ClientError({"Error": {"Code": "InternalServerError", "Message": "down"}}, name)

                return refuse
            return getattr(self._client, name)

    ledger = PublicationLedger(Refusing(aws["dynamodb"]), TABLE, ttl_hours=1)
    with pytest.raises(ClientError, match="InternalServerError"):
        ledger.reserve("highlight-g-1")
    ledger_in(aws).reserve("highlight-g-1")
    with pytest.raises(ClientError, match="InternalServerError"):
        ledger.record("highlight-g-1", "{}")


def test_publish_once_publishes_the_recorded_bytes_once(aws: dict[str, Any]) -> None:
    ledger = ledger_in(aws)
    made: list[str] = []

    def make(token: str) -> str:
        made.append(token)
        return message(len(made))

    first = publish_once(ledger, "highlight-g-1", make, sns=aws["sns"], topic_arn=aws["topic_arn"])
    again = publish_once(ledger_in(aws), "highlight-g-1", make, sns=aws["sns"], topic_arn=aws["topic_arn"])
    assert first == again == message(1)
    assert made == [ledger.reserve("highlight-g-1").token]  # made once; the second call found it published
    assert heard(aws) == [first]
    assert ledger.get("highlight-g-1").state == "published"  # type: ignore[union-attr]
    assert ledger.published_here == {"highlight-g-1"}


def test_a_recorded_but_unpublished_message_is_published_as_recorded(aws: dict[str, Any]) -> None:
    ledger = ledger_in(aws)
    ledger.reserve("highlight-g-1")
    ledger.record("highlight-g-1", message(1))

    published = publish_once(
        ledger, "highlight-g-1", lambda _token: message(2), sns=aws["sns"], topic_arn=aws["topic_arn"]
    )
    assert published == message(1)
    assert heard(aws) == [message(1)]


def test_a_failed_mark_is_not_raised_and_the_same_invocation_does_not_publish_again(
    aws: dict[str, Any], monkeypatch: pytest.MonkeyPatch
) -> None:
    ledger = ledger_in(aws)

    def down(*_: Any) -> None:
        raise ClientError({"Error": {"Code": "InternalServerError", "Message": "down"}}, "UpdateItem")

    monkeypatch.setattr(ledger, "mark_published", down)
    for attempt in range(2):
        published = publish_once(
            ledger, "highlight-g-1", lambda _t, n=attempt: message(n), sns=aws["sns"], topic_arn=aws["topic_arn"]
        )
        assert published == message(0)
    assert heard(aws) == [message(0)]
    assert ledger.get("highlight-g-1").state == "recorded"  # type: ignore[union-attr]
    assert ledger.published_here == {"highlight-g-1"}
