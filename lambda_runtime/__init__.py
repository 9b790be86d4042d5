"""The runtime every highlight-bot Lambda shares: AWS clients, SSM parameters, metric names.

Bundled into every Lambda asset (pipeline functions and hooks) beside ``contracts``, so one
retry policy, one way to read a parameter and one set of metric names serve them all.

Example:
    >>> from lambda_runtime import aws_client, parameter_value
    >>> channels = parameter_value("/highlight-bot/channel")
"""

from lambda_runtime.aws import aws_client, forget_aws_clients
from lambda_runtime.metric_names import NAMESPACE
from lambda_runtime.parameters import parameter_value

__all__ = ["NAMESPACE", "aws_client", "forget_aws_clients", "parameter_value"]
