"""What both Lambdas need: settings from the environment, AWS clients, segment bytes, idempotency.

Example:
    >>> from functions.shared import aws_client, read_media
    >>> data = read_media(segment.location, s3_client=aws_client("s3"))
"""

from functions.shared.env import float_env, int_env, required_env
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
    "float_env",
    "forget_aws_clients",
    "forget_idempotent_functions",
    "int_env",
    "is_transient",
    "once_per_id",
    "read_media",
    "reason_of",
    "required_env",
]
