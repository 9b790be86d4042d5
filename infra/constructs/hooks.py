"""Hook Lambdas subscribed to the highlight topic: one per `hooks/<name>/` folder, plus external ARNs.

A folder is a hook when it holds both `handler.py` and `hook.json`; adding such a folder adds a
hook on the next deploy (see hooks/README.md). Failures are caught at both places they happen:

* delivery (SNS could not invoke the function): the subscription's own SQS dead-letter queue;
* the handler raised: Lambda's async retries (`retry_attempts`), then the function's own
  `on_failure` SQS destination, so a broken hook never loses an event silently or disturbs others.

Secrets named in `hook.json` become Secrets Manager secrets holding a generated placeholder
(`HookSecrets`, in the stateful stack: they keep the fixed names people type in `put-secret-value`
and are retained, so they must not live in the stack that is destroyed and redeployed); the
function gets the secret's ARN (never its value) in the named environment variable, and read access.
"""

from __future__ import annotations

import json
import re
from collections.abc import Mapping, Sequence
from pathlib import Path

import aws_cdk as cdk
from aws_cdk import aws_dynamodb as dynamodb
from aws_cdk import aws_lambda as lambda_
from aws_cdk import aws_lambda_destinations as destinations
from aws_cdk import aws_s3 as s3
from aws_cdk import aws_secretsmanager as secretsmanager
from aws_cdk import aws_sns as sns
from aws_cdk import aws_sns_subscriptions as subscriptions
from aws_cdk import aws_sqs as sqs
from constructs import Construct
from pydantic import BaseModel, ConfigDict, Field, ValidationError

from infra.config import InfraConfig
from infra.constructs.layers import LambdaLayers
from infra.constructs.messaging import dead_letter_queue
from infra.constructs.nag import acknowledge, acknowledge_grant_wildcards, skip_checkov
from infra.constructs.python_function import PythonFunction
from infra.constructs.storage import MediaBucket

HOOK_RETRY_ATTEMPTS = 2
HOOK_MAX_EVENT_AGE = cdk.Duration.hours(1)
_HOOK_NAME = re.compile(r"^[a-z][a-z0-9_]*$")
_ENV_VAR = re.compile(r"^[A-Z][A-Z0-9_]*$")


class HookDefinitionError(ValueError):
    """A hook folder or hook.json that cannot be deployed; the message names the file and the fix."""


class HookManifest(BaseModel):
    """The contents of `hooks/<name>/hook.json`."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    description: str
    secrets: dict[str, str] = Field(default_factory=dict)
    """Environment variable → Secrets Manager secret name (the name a human passes to put-secret-value)."""
    environment: dict[str, str] = Field(default_factory=dict)
    timeout_s: int = Field(default=30, ge=1, le=900)
    memory_mb: int = Field(default=256, ge=128, le=10240)
    filter_policy: dict[str, list[str]] = Field(default_factory=lambda: {"event_type": ["highlight"]})
    needs_highlights_bucket_read: bool = False
    highlights_bucket_writes: str | None = Field(default=None, pattern=r"^[a-z0-9][a-z0-9_-]*/$")
    """A key prefix (`gallery/`) the hook may read and write in the highlights bucket; it then gets the
    bucket's name and the CloudFront base URL that serves what it writes (HIGHLIGHTS_BASE_URL)."""


def discover_hooks(hooks_dir: Path) -> dict[str, HookManifest]:
    """Every `hooks_dir/<name>/` with both handler.py and hook.json, by name, in a stable order."""
    hooks: dict[str, HookManifest] = {}
    if not hooks_dir.is_dir():
        return hooks
    for folder in sorted(path for path in hooks_dir.iterdir() if path.is_dir()):
        manifest_path = folder / "hook.json"
        if not (manifest_path.is_file() and (folder / "handler.py").is_file()):
            continue
        if not _HOOK_NAME.match(folder.name):
            raise HookDefinitionError(
                f"Hook folder {folder} must be a Python package name (lower case, digits, underscores) so "
                f"its handler can be imported as hooks.{folder.name}.handler: rename it."
            )
        try:
            manifest = HookManifest.model_validate(json.loads(manifest_path.read_text()))
        except (json.JSONDecodeError, ValidationError) as error:
            raise HookDefinitionError(f"{manifest_path} is not a valid hook manifest: {error}") from error
        for variable in (*manifest.secrets, *manifest.environment):
            if not _ENV_VAR.match(variable):
                raise HookDefinitionError(f"{manifest_path}: {variable!r} is not an UPPER_CASE environment variable.")
        clashes = set(manifest.secrets) & set(manifest.environment)
        if clashes:
            raise HookDefinitionError(f"{manifest_path}: {sorted(clashes)} is both a secret and an environment value.")
        hooks[folder.name] = manifest
    return hooks


def _filter_policy(policy: Mapping[str, Sequence[str]]) -> dict[str, sns.SubscriptionFilter]:
    return {
        attribute: sns.SubscriptionFilter.string_filter(allowlist=list(values)) for attribute, values in policy.items()
    }


class Hooks(Construct):
    """Every hook of `config.hooks_dir` and `config.external_hook_arns`, subscribed to the topic."""

    def __init__(
        self,
        scope: Construct,
        construct_id: str,
        *,
        config: InfraConfig,
        layers: LambdaLayers,
        topic: sns.ITopic,
        highlights_bucket: s3.IBucket,
        highlights_base_url: str,
        secrets: Mapping[str, secretsmanager.ISecret],
        idempotency_table: dynamodb.ITable,
    ) -> None:
        """`secrets` maps each secret name of every hook.json to the secret (`HookSecrets.secrets`);
        `highlights_base_url` is the CloudFront address of the highlights bucket (`HighlightLinks.base_url`)."""
        super().__init__(scope, construct_id)
        self.functions: dict[str, lambda_.Function] = {}
        # Construct-id-like name (`WebhookHandlerFailures`) → queue; monitoring alarms on each.
        self.failure_queues: dict[str, sqs.IQueue] = {}
        for name, manifest in discover_hooks(config.hooks_dir).items():
            missing = sorted(set(manifest.secrets.values()) - set(secrets))
            if missing:
                raise HookDefinitionError(
                    f"Hook {name} needs the secrets {missing}, which HookSecrets did not create: build both from "
                    "the same hooks_dir."
                )
            hook = Construct(self, _construct_id(name))
            failures = dead_letter_queue(hook, "HandlerFailures", holds=f"events hook {name} failed to handle")
            function = PythonFunction(
                hook,
                "Hook",
                package=f"hooks/{name}",
                source=config.hooks_dir / name,
                source_root=config.source_root,
                layers=[layers.dependencies],
                service_name=f"hook-{name}",
                description=manifest.description[:256],
                memory_mb=manifest.memory_mb,
                timeout_s=manifest.timeout_s,
                environment={
                    **manifest.environment,
                    **{variable: secrets[secret_name].secret_arn for variable, secret_name in manifest.secrets.items()},
                    **(
                        {"HIGHLIGHTS_BUCKET": highlights_bucket.bucket_name}
                        if manifest.needs_highlights_bucket_read or manifest.highlights_bucket_writes
                        else {}
                    ),
                    # Where hooks record delivered highlight ids, so a second delivery posts nothing.
                    "IDEMPOTENCY_TABLE": idempotency_table.table_name,
                    **({"HIGHLIGHTS_BASE_URL": highlights_base_url} if manifest.highlights_bucket_writes else {}),
                },
                retry_attempts=HOOK_RETRY_ATTEMPTS,
                max_event_age=HOOK_MAX_EVENT_AGE,
                on_failure=destinations.SqsDestination(failures),
            ).function
            for secret_name in manifest.secrets.values():
                secrets[secret_name].grant_read(function)
            idempotency_table.grant_read_write_data(function)
            if manifest.needs_highlights_bucket_read:
                highlights_bucket.grant_read(function)
                acknowledge_grant_wildcards(
                    function,
                    [
                        "Action::s3:GetObject*",
                        "Action::s3:GetBucket*",
                        "Action::s3:List*",
                        f"Resource::{MediaBucket.HIGHLIGHTS.objects_in_nag_finding}",
                    ],
                    f"hook.json of {name} asks to read highlights: grant_read on that bucket, whose keys are per clip.",
                )
            if manifest.highlights_bucket_writes:
                _grant_prefix(function, highlights_bucket, manifest.highlights_bucket_writes, name)
            delivery_failures = dead_letter_queue(
                hook, "DeliveryFailures", holds=f"events SNS could not deliver to {name}"
            )
            topic.add_subscription(
                subscriptions.LambdaSubscription(
                    function, dead_letter_queue=delivery_failures, filter_policy=_filter_policy(manifest.filter_policy)
                )
            )
            self.functions[name] = function
            self.failure_queues[f"{_construct_id(name)}HandlerFailures"] = failures
            self.failure_queues[f"{_construct_id(name)}DeliveryFailures"] = delivery_failures

        for index, arn in enumerate(config.external_hook_arns):
            external = Construct(self, f"External{index}")
            external_function = lambda_.Function.from_function_attributes(
                external, "Function", function_arn=arn, same_environment=True
            )
            delivery_failures = dead_letter_queue(
                external, "DeliveryFailures", holds=f"events SNS could not deliver to {arn}"
            )
            topic.add_subscription(
                subscriptions.LambdaSubscription(
                    external_function,
                    dead_letter_queue=delivery_failures,
                    filter_policy=_filter_policy({"event_type": ["highlight"]}),
                )
            )
            self.failure_queues[f"External{index}DeliveryFailures"] = delivery_failures


class HookSecrets(Construct):
    """One Secrets Manager secret per distinct secret name in the hooks' manifests (hooks may share one).

    Each holds a generated placeholder until its owner puts the real value with
    `aws secretsmanager put-secret-value --secret-id <name> --secret-string VALUE`. They have the
    names people type and are retained, so they belong to the stateful stack: a stateless stack that
    held them could not be deployed again after `cdk destroy` ("already exists").
    """

    def __init__(self, scope: Construct, construct_id: str, *, hooks: Mapping[str, HookManifest]) -> None:
        super().__init__(scope, construct_id)
        self.secrets: dict[str, secretsmanager.ISecret] = {}
        for hook_name, manifest in hooks.items():
            for secret_name in manifest.secrets.values():
                if secret_name in self.secrets:
                    continue
                secret = secretsmanager.Secret(
                    self,
                    _construct_id(secret_name),
                    secret_name=secret_name,
                    description=(
                        f"Used by highlight-bot hook {hook_name}. Holds a generated placeholder until you run: "
                        f"aws secretsmanager put-secret-value --secret-id {secret_name} --secret-string VALUE"
                    ),
                    generate_secret_string=secretsmanager.SecretStringGenerator(exclude_punctuation=True),
                    removal_policy=cdk.RemovalPolicy.RETAIN,
                )
                acknowledge(
                    secret,
                    "AwsSolutions-SMG4",
                    "Holds a third-party API credential that only its issuer can rotate; the owner updates "
                    "it with put-secret-value.",
                )
                skip_checkov(
                    secret,
                    "CKV_AWS_149",
                    "Encrypted with Secrets Manager's AWS-managed key; only the hook roles granted read may get the "
                    "value, and a customer key ($1/month) would add no separation within this account.",
                )
                self.secrets[secret_name] = secret


def _grant_prefix(function: lambda_.Function, bucket: s3.IBucket, prefix: str, name: str) -> None:
    """Read and write under `prefix` only (read, so a hook can update a document it wrote)."""
    bucket.grant_read(function, f"{prefix}*")
    bucket.grant_put(function, f"{prefix}*")
    acknowledge_grant_wildcards(
        function,
        [
            "Action::s3:GetObject*",
            "Action::s3:GetBucket*",
            "Action::s3:List*",
            "Action::s3:Abort*",
            f"Resource::{MediaBucket.HIGHLIGHTS.objects_in_nag_finding.removesuffix('*')}{prefix}*",
        ],
        f"hook.json of {name} asks to keep its files under {prefix} of the highlights bucket: grant_read and "
        "grant_put on that prefix (listing the bucket lets a missing key answer 404 rather than 403).",
    )


def _construct_id(name: str) -> str:
    """`streamable_upload` → `StreamableUpload`, a readable and stable construct id."""
    return "".join(part.capitalize() for part in re.split(r"[^A-Za-z0-9]+", name) if part)
