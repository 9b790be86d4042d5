"""The two Lambda layers: third-party Python packages for every function, ffmpeg for clip.

Sizes (Lambda allows 250 MB unzipped per function, layers included): ffmpeg 9.0.2 from the
imageio-ffmpeg 0.8.1 wheel is 165 MB unzipped (65 MB zipped); the dependencies layer is ~20 MB.
The clip function thus uses ~185 MB of its 250 MB.
"""

from __future__ import annotations

from aws_cdk import Annotations
from aws_cdk import aws_lambda as lambda_
from constructs import Construct

from infra.config import InfraConfig
from infra.constructs.bundling import dependencies_layer_code, ffmpeg_layer_code
from infra.constructs.python_function import LAMBDA_ARCHITECTURE, LAMBDA_RUNTIME

FFMPEG_PATH = "/opt/bin/ffmpeg"
"""Where Lambda mounts the ffmpeg layer's `bin/ffmpeg`."""


class LambdaLayers(Construct):
    """`dependencies` (every function) and `ffmpeg` (clip only)."""

    def __init__(self, scope: Construct, construct_id: str, *, config: InfraConfig) -> None:
        super().__init__(scope, construct_id)
        self.dependencies = lambda_.LayerVersion(
            self,
            "Dependencies",
            code=dependencies_layer_code(config.cache_dir, placeholder=config.skip_dependency_bundling),
            compatible_runtimes=[LAMBDA_RUNTIME],
            compatible_architectures=[LAMBDA_ARCHITECTURE],
            description="aws-lambda-powertools, pydantic, requests (infra/lambda-requirements.txt)",
        )
        if config.skip_dependency_bundling:
            Annotations.of(self.dependencies).add_warning_v2(
                "highlight-bot:placeholder-layer",
                "skip_dependency_bundling=true: the dependencies layer is an empty placeholder. Do not deploy.",
            )
        self.ffmpeg = lambda_.LayerVersion(
            self,
            "Ffmpeg",
            code=ffmpeg_layer_code(),
            compatible_runtimes=[LAMBDA_RUNTIME],
            compatible_architectures=[LAMBDA_ARCHITECTURE],
            description=f"static ffmpeg (imageio-ffmpeg wheel) at {FFMPEG_PATH}",
        )
