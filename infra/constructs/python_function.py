"""A highlight-bot Python Lambda: code staged from the repo, the shared dependencies layer, a log group.

Every function (enrich, clip, each hook) is built the same way, so the runtime, architecture,
log retention and Powertools settings are decided once here.

Example:
    >>> PythonFunction(self, "Enrich", package="functions/enrich", source=root / "functions/enrich",
    ...                source_root=root, ...)
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from pathlib import Path

import aws_cdk as cdk
from aws_cdk import aws_lambda as lambda_
from aws_cdk import aws_logs as logs
from constructs import Construct

from infra.constructs.bundling import BundlingError, source_tree_code
from infra.constructs.nag import LOGS_WITHOUT_CUSTOMER_KEY, acknowledge, skip_checkov
from lambda_runtime.metric_names import NAMESPACE

LAMBDA_RUNTIME = lambda_.Runtime.PYTHON_3_12
"""Matches the cp312 wheels of the dependencies layer; python3.13 is newer, moving is one line plus the pins."""
LAMBDA_ARCHITECTURE = lambda_.Architecture.X86_64
"""The static ffmpeg of the imageio-ffmpeg wheel is x86_64 only, so every function uses x86_64 alike."""
LOG_RETENTION = logs.RetentionDays.TWO_WEEKS
RUNTIME_PACKAGES = ("contracts", "lambda_runtime")
"""Bundled into every Lambda asset: the event contracts and the one runtime (clients, parameters, metric names)."""
CHECKOV_FUNCTION_SKIPS = {
    "CKV_AWS_116": "Failures are kept where the events come from, which a function DLQ would not see: enrich's "
    "Kinesis on-failure queue, clip's SQS redrive queue, each hook's async on_failure queue; a failed reconciler "
    "run is not worth keeping (the next minute's run starts afresh).",
    "CKV_AWS_117": "The functions call only AWS APIs and public HTTPS endpoints; in a VPC they would need a NAT "
    "gateway ($0.045/h) or endpoints, to reach no private resource.",
    "CKV_AWS_115": "Concurrency is bounded where the events come from (one Kinesis shard for enrich, the clip "
    "event source's maximum concurrency, the reconciler's schedule, SNS for hooks); a reservation would take "
    "from a new account's quota of 10, where Lambda refuses reservations that leave fewer than 10 unreserved.",
    "CKV_AWS_173": "The environment holds resource names, ARNs and settings, never a secret (secrets are passed "
    "as Secrets Manager ARNs); Lambda encrypts it at rest with its AWS-managed key.",
}
"""checkov's function checks that are design decisions here, each with its reason (FIELD-NOTES lists them)."""


class PythonFunction(Construct):
    """One Lambda whose handler is `<package>/handler.py`, imported with its package path.

    The asset holds `package` (from `source`), the `shared` folder beside `source` when it exists
    (`functions/shared`, `hooks/shared`) and the `RUNTIME_PACKAGES` of `source_root` (`contracts`,
    `lambda_runtime`), so the handler can import all of them.
    """

    def __init__(
        self,
        scope: Construct,
        construct_id: str,
        *,
        package: str,
        source: Path,
        source_root: Path,
        layers: Sequence[lambda_.ILayerVersion],
        service_name: str,
        environment: Mapping[str, str],
        memory_mb: int,
        timeout_s: int,
        description: str,
        **function_options: object,
    ) -> None:
        super().__init__(scope, construct_id)
        if not (source / "handler.py").is_file():
            raise BundlingError(
                f"{source / 'handler.py'} does not exist: every Lambda folder needs a handler.py defining "
                f"`handler(event, context)`. Create it, or point the app at another checkout with -c source_root=PATH."
            )
        shared_package = f"{package.rsplit('/', 1)[0]}/shared"
        packages = {
            package: source,
            shared_package: source.parent / "shared",
            **{name: source_root / name for name in RUNTIME_PACKAGES},
        }
        self.log_group = logs.LogGroup(self, "Logs", retention=LOG_RETENTION, removal_policy=cdk.RemovalPolicy.DESTROY)
        self.function = lambda_.Function(
            self,
            "Function",
            runtime=LAMBDA_RUNTIME,
            architecture=LAMBDA_ARCHITECTURE,
            code=source_tree_code(packages, optional=[shared_package]),
            handler=f"{package}/handler.handler",
            layers=list(layers),
            memory_size=memory_mb,
            timeout=cdk.Duration.seconds(timeout_s),
            description=description,
            log_group=self.log_group,
            environment={
                "POWERTOOLS_SERVICE_NAME": service_name,
                "POWERTOOLS_METRICS_NAMESPACE": NAMESPACE,
                **environment,
            },
            **function_options,  # type: ignore[arg-type]
        )
        acknowledge(
            self.function,
            "AwsSolutions-IAM4[Policy::arn:<AWS::Partition>:iam::aws:policy/service-role/AWSLambdaBasicExecutionRole]",
            "AWSLambdaBasicExecutionRole only lets the function write its own CloudWatch logs.",
        )
        skip_checkov(self.log_group, "CKV_AWS_158", LOGS_WITHOUT_CUSTOMER_KEY)
        for check_id, reason in CHECKOV_FUNCTION_SKIPS.items():
            skip_checkov(self.function, check_id, reason)
        acknowledge(
            self.function,
            "AwsSolutions-L1",
            "python3.12 is pinned on purpose: the dependencies layer holds cp312 wheels built for it.",
        )
