"""HighlightBotStateful: the stream, buckets, tables, queues, topic and channel parameter."""

from __future__ import annotations

import json
from typing import Any

from aws_cdk.assertions import Template
from infra_fixtures import default_app_fixture, resources, stateful_fixture, synthesized  # noqa: F401  (fixtures, used by name)

from contracts.settings import PipelineSettings
from infra.config import LambdaSizing

SETTINGS = PipelineSettings()

# Renaming any of these replaces a resource that holds data: change them only on purpose.
STATEFUL_LOGICAL_IDS = {
    "EventsStreamA348795C",
    "MediaAccessLogsD396FE12",
    "MediaSegments95A0E638",
    "MediaHighlightsF47AD951",
    "TablesSegments7C22257B",
    "TablesIdempotency498FF680",
    "ClipJobs452C5125",
    "ClipJobsDeadLetters5F0AC5E4",
    "EnrichFailuresDeadLetters2313F25F",
    "EnrichFailuresBatchFailures7A6D5979",
    "HighlightsTopic50B62701",
    "ChannelParameter2B1581FC",
}
# The links in published highlights carry this distribution's domain: replacing it breaks them all.
HIGHLIGHT_LINKS_DISTRIBUTION = "HighlightLinksDistribution"


def _deny_insecure_transport(template: Template, policy_type: str) -> int:
    """How many resource policies of `policy_type` deny requests with aws:SecureTransport = false."""
    count = 0
    for policy in resources(template, policy_type).values():
        document = policy["Properties"].get("PolicyDocument", {})
        statements = document.get("Statement", [])
        if any(
            statement["Effect"] == "Deny"
            and statement.get("Condition", {}).get("Bool") == {"aws:SecureTransport": "false"}
            for statement in statements
        ):
            count += 1
    return count


def test_stateful_logical_ids_are_stable(stateful: Template) -> None:
    logical_ids = set(stateful.to_json()["Resources"])
    missing = STATEFUL_LOGICAL_IDS - logical_ids
    assert not missing, f"stateful resources renamed or removed (data would be replaced): {sorted(missing)}"


def test_stream_is_one_encrypted_provisioned_shard_with_settings_retention(stateful: Template) -> None:
    stateful.resource_count_is("AWS::Kinesis::Stream", 1)
    stateful.has_resource_properties(
        "AWS::Kinesis::Stream",
        {
            "ShardCount": 1,
            "StreamModeDetails": {"StreamMode": "PROVISIONED"},
            "RetentionPeriodHours": SETTINGS.kinesis_retention_hours,
            "StreamEncryption": {"EncryptionType": "KMS", "KeyId": "alias/aws/kinesis"},
        },
    )


def test_media_buckets_are_private_encrypted_logged_and_tls_only(stateful: Template) -> None:
    buckets = resources(stateful, "AWS::S3::Bucket")
    assert len(buckets) == 3
    for bucket in buckets.values():
        properties = bucket["Properties"]
        assert properties["PublicAccessBlockConfiguration"] == {
            "BlockPublicAcls": True,
            "BlockPublicPolicy": True,
            "IgnorePublicAcls": True,
            "RestrictPublicBuckets": True,
        }
        assert properties["BucketEncryption"]["ServerSideEncryptionConfiguration"][0][
            "ServerSideEncryptionByDefault"
        ] == {"SSEAlgorithm": "AES256"}
    assert _deny_insecure_transport(stateful, "AWS::S3::BucketPolicy") == 3
    for logical_id in ("MediaSegments95A0E638", "MediaHighlightsF47AD951"):
        logging = buckets[logical_id]["Properties"]["LoggingConfiguration"]
        assert logging["DestinationBucketName"] == {"Ref": "MediaAccessLogsD396FE12"}


def test_segments_expire_after_the_settings_ttl_and_are_disposable(stateful: Template) -> None:
    segments = resources(stateful, "AWS::S3::Bucket")["MediaSegments95A0E638"]
    rules = segments["Properties"]["LifecycleConfiguration"]["Rules"]
    assert rules[0]["ExpirationInDays"] == SETTINGS.segment_ttl_hours // 24 == 1
    assert segments["DeletionPolicy"] == "Delete"
    assert segments["Properties"]["BucketName"] == {
        "Fn::Join": ["", ["highlight-bot-segments-", {"Ref": "AWS::AccountId"}, "-", {"Ref": "AWS::Region"}]]
    }
    stateful.resource_count_is("Custom::S3AutoDeleteObjects", 1)


def test_highlights_are_retained(stateful: Template) -> None:
    highlights = resources(stateful, "AWS::S3::Bucket")["MediaHighlightsF47AD951"]
    assert highlights["DeletionPolicy"] == "Retain"
    assert "LifecycleConfiguration" not in highlights["Properties"]


def test_segment_table_keys_ttl_and_billing(stateful: Template) -> None:
    stateful.has_resource_properties(
        "AWS::DynamoDB::Table",
        {
            "KeySchema": [{"AttributeName": "pk", "KeyType": "HASH"}, {"AttributeName": "sk", "KeyType": "RANGE"}],
            "AttributeDefinitions": [
                {"AttributeName": "pk", "AttributeType": "S"},
                {"AttributeName": "sk", "AttributeType": "S"},
            ],
            "BillingMode": "PAY_PER_REQUEST",
            "TimeToLiveSpecification": {"AttributeName": "expires_at", "Enabled": True},
            "SSESpecification": {"SSEEnabled": True},
        },
    )


def test_idempotency_table_uses_powertools_defaults(stateful: Template) -> None:
    stateful.has_resource_properties(
        "AWS::DynamoDB::Table",
        {
            "KeySchema": [{"AttributeName": "id", "KeyType": "HASH"}],
            "BillingMode": "PAY_PER_REQUEST",
            "TimeToLiveSpecification": {"AttributeName": "expiration", "Enabled": True},
        },
    )


def test_clip_queue_outlasts_six_clip_timeouts_and_redrives_after_five_receives(stateful: Template) -> None:
    jobs = resources(stateful, "AWS::SQS::Queue")["ClipJobs452C5125"]["Properties"]
    assert jobs["VisibilityTimeout"] == 6 * LambdaSizing().clip_timeout_s
    # AWS advises >= 5 for a Lambda source: a receive whose invocation was throttled counts too.
    assert jobs["RedrivePolicy"] == {
        "deadLetterTargetArn": {"Fn::GetAtt": ["ClipJobsDeadLetters5F0AC5E4", "Arn"]},
        "maxReceiveCount": 5,
    }


def test_every_queue_is_encrypted_and_tls_only(stateful: Template) -> None:
    queues = resources(stateful, "AWS::SQS::Queue")
    assert len(queues) == 6  # clip jobs, vertical jobs and four dead-letter or failure queues
    for queue in queues.values():
        assert queue["Properties"]["SqsManagedSseEnabled"] is True
    assert _deny_insecure_transport(stateful, "AWS::SQS::QueuePolicy") == 6


def test_topic_is_kms_encrypted_and_tls_only(stateful: Template) -> None:
    stateful.resource_count_is("AWS::SNS::Topic", 1)
    topic = next(iter(resources(stateful, "AWS::SNS::Topic").values()))
    assert json.dumps(topic["Properties"]["KmsMasterKeyId"]).endswith(':alias/aws/sns"]]}')  # the alias ARN
    assert _deny_insecure_transport(stateful, "AWS::SNS::TopicPolicy") == 1


def test_channel_parameter_has_the_settings_name_and_default_channel(stateful: Template) -> None:
    stateful.has_resource_properties(
        "AWS::SSM::Parameter",
        {"Name": SETTINGS.channel_parameter_name, "Type": "String", "Value": SETTINGS.default_channel},
    )


def test_context_overrides_the_parameter_name_channel_and_settings() -> None:
    app = synthesized(
        (
            ("channel_parameter_name", "/highlight-bot-test/channel"),
            ("channel", "fifa_pro"),
            ("kinesis_retention_hours", "48"),
            ("pre_roll_s", "15"),
        )
    )
    app.stateful.has_resource_properties(
        "AWS::SSM::Parameter", {"Name": "/highlight-bot-test/channel", "Value": "fifa_pro"}
    )
    app.stateful.has_resource_properties("AWS::Kinesis::Stream", {"RetentionPeriodHours": 48})
    enrich_env: dict[str, Any] = next(
        resource["Properties"]["Environment"]["Variables"]
        for resource in resources(app.stateless, "AWS::Lambda::Function").values()
        if resource["Properties"].get("Handler") == "functions/enrich/handler.handler"
    )
    assert enrich_env["PRE_ROLL_S"] == "15.0"
    task = next(iter(resources(app.stateless, "AWS::ECS::TaskDefinition").values()))
    environment = {pair["Name"]: pair["Value"] for pair in task["Properties"]["ContainerDefinitions"][0]["Environment"]}
    # The task learns the overridden parameter's name by reference to the stateful stack.
    assert "Fn::GetStackOutput" in environment["CHANNEL_PARAMETER_NAME"]


def _distribution(stateful: Template) -> tuple[str, dict[str, Any]]:
    ((logical_id, distribution),) = resources(stateful, "AWS::CloudFront::Distribution").items()
    return logical_id, distribution


def test_highlights_are_served_by_cloudfront_over_https_only_through_origin_access_control(
    stateful: Template,
) -> None:
    logical_id, distribution = _distribution(stateful)
    assert logical_id.startswith(HIGHLIGHT_LINKS_DISTRIBUTION)
    assert distribution.get("DeletionPolicy", "Delete") == "Delete"
    config = distribution["Properties"]["DistributionConfig"]
    assert config["Enabled"] is True
    (origin,) = config["Origins"]
    assert origin["DomainName"] == {"Fn::GetAtt": ["MediaHighlightsF47AD951", "RegionalDomainName"]}
    assert origin["S3OriginConfig"] == {"OriginAccessIdentity": ""}  # no legacy OAI …
    oac_id = origin["OriginAccessControlId"]["Fn::GetAtt"][0]  # … but origin access control
    oac = resources(stateful, "AWS::CloudFront::OriginAccessControl")[oac_id]["Properties"]
    assert oac["OriginAccessControlConfig"]["OriginAccessControlOriginType"] == "s3"
    assert oac["OriginAccessControlConfig"]["SigningBehavior"] == "always"
    behavior = config["DefaultCacheBehavior"]
    assert behavior["ViewerProtocolPolicy"] == "https-only"
    assert sorted(behavior.get("AllowedMethods", ["GET", "HEAD"])) == ["GET", "HEAD"]
    assert config.get("ViewerCertificate", {}).get("CloudFrontDefaultCertificate", True) is True


def test_only_the_distribution_may_read_highlights_and_the_bucket_stays_private(stateful: Template) -> None:
    logical_id, _ = _distribution(stateful)
    (policy,) = [
        p["Properties"]["PolicyDocument"]["Statement"]
        for p in resources(stateful, "AWS::S3::BucketPolicy").values()
        if p["Properties"]["Bucket"] == {"Ref": "MediaHighlightsF47AD951"}
    ]
    (cloudfront,) = [s for s in policy if s.get("Principal") == {"Service": "cloudfront.amazonaws.com"}]
    assert cloudfront["Effect"] == "Allow" and cloudfront["Action"] == "s3:GetObject"
    assert json.dumps(cloudfront["Resource"]).endswith('"/*"]]}')
    source_arn = cloudfront["Condition"]["StringEquals"]["AWS:SourceArn"]
    assert {"Ref": logical_id} in source_arn["Fn::Join"][1]
    assert not [s for s in policy if s["Effect"] == "Allow" and s.get("Principal") in ("*", {"AWS": "*"})]
    highlights = resources(stateful, "AWS::S3::Bucket")["MediaHighlightsF47AD951"]["Properties"]
    assert all(highlights["PublicAccessBlockConfiguration"].values())


def test_clip_learns_the_highlights_base_url_from_the_distribution(default_app: Any) -> None:
    logical_id, _ = _distribution(default_app.stateful)
    clip_env = next(
        resource["Properties"]["Environment"]["Variables"]
        for resource in resources(default_app.stateless, "AWS::Lambda::Function").values()
        if resource["Properties"].get("Handler") == "functions/clip/handler.handler"
    )
    (prefix, domain) = clip_env["HIGHLIGHTS_BASE_URL"]["Fn::Join"][1]
    assert prefix == "https://"
    output = default_app.stateful.to_json()["Outputs"][domain["Fn::GetStackOutput"]["OutputName"]]
    assert output["Value"] == {"Fn::GetAtt": [logical_id, "DomainName"]}
