"""A highlight-bot Python Lambda: code staged from the repo, the shared dependencies layer, a log group.

Every function (enrich, clip, each hook) is built the same way, so the runtime, architecture,
log retention and Powertools settings are decided once here.

Example:
    >>> PythonFunction(self, "Enrich", package="functions/enrich", source=root / "functions/enrich",
    ...                contracts=root / "contracts", ...)
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from pathlib import Path

import aws_cdk as cdk
from aws_cdk import aws_lambda as lambda_
from aws_cdk import aws_logs as logs
from constructs import Construct

from infra.constructs.bundling import BundlingError, source_tree_code
from infra.constructs.metric_names import NAMESPACE
from infra.constructs.nag import acknowledge

LAMBDA_RUNTIME = lambda_.Runtime.PYTHON_3_12
"""Matches the cp312 wheels of the dependencies layer; python3.13 is newer, moving is one line plus the pins."""
LAMBDA_ARCHITECTURE = lambda_.Architecture.X86_64
"""The static ffmpeg of the imageio-ffmpeg wheel is x86_64 only, so every function uses x86_64 alike."""
LOG_RETENTION = logs.RetentionDays.TWO_WEEKS


class PythonFunction(Construct):
    """One Lambda whose handler is `<package>/handler.py`, imported with its package path.

    The asset holds `package` (from `source`), the `shared` folder beside `source` when it exists
    (`functions/shared`, `hooks/shared`) and `contracts`, so the handler can import all three.
    """

    def __init__(
        self,
        scope: Construct,
        construct_id: str,
        *,
        package: str,
        source: Path,
        contracts: Path,
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
        packages = {package: source, shared_package: source.parent / "shared", "contracts": contracts}
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
        acknowledge(
            self.function,
            "AwsSolutions-L1",
            "python3.12 is pinned on purpose: the dependencies layer holds cp312 wheels built for it.",
        )
