"""What the pipeline functions share: AWS clients, segment bytes, idempotency, failures, ffmpeg, metrics.

Example:
    >>> from functions.shared import aws_client, read_media
    >>> data = read_media(segment.location, s3_client=aws_client("s3"))
"""

from functions.shared.exceptions import (
    ConfigurationError,
    MediaLocationRefusedError,
    MediaMissingError,
    MediaReadError,
)
from functions.shared.failures import is_transient, reason_of
from functions.shared.idempotency import forget_idempotent_functions, once_per_id
from functions.shared.media import read_media
from lambda_runtime.aws import aws_client, forget_aws_clients  # one client cache for every Lambda, re-exported

__all__ = [
    "ConfigurationError",
    "MediaLocationRefusedError",
    "MediaMissingError",
    "MediaReadError",
    "aws_client",
    "forget_aws_clients",
    "forget_idempotent_functions",
    "is_transient",
    "once_per_id",
    "read_media",
    "reason_of",
]
