"""Hook secrets from Secrets Manager, named by an environment variable that holds the secret's ARN.

The infra sets `<NAME>_SECRET_ARN` for every entry under `secrets` in hook.json;
the value itself never appears in the environment, in logs or in error messages.
Values are cached per container (Powertools' parameters utility) so a warm
Lambda does not call Secrets Manager for every highlight, yet picks up a
`put-secret-value` within `SECRET_CACHE_S`.

Example:
    >>> credentials = parse_secret(StreamableCredentials, get_secret_json("STREAMABLE_SECRET_ARN"),
    ...                            secret_id=os.environ["STREAMABLE_SECRET_ARN"])
"""

from __future__ import annotations

import os
from functools import cache
from typing import Any, TypeVar

from aws_lambda_powertools.utilities.parameters import SecretsProvider
from aws_lambda_powertools.utilities.parameters.exceptions import GetParameterError, TransformParameterError
from pydantic import BaseModel, ValidationError

from hooks.shared.exceptions import HookConfigError, SecretNotJsonError
from hooks.shared.validation import field_problems
from lambda_runtime.aws import aws_client

SECRET_CACHE_S = 300
"""How long a warm container reuses a secret before reading it again."""

SecretModel = TypeVar("SecretModel", bound=BaseModel)


def _secrets_provider() -> SecretsProvider:
    return _provider_for(aws_client("secretsmanager"))


@cache
def _provider_for(client: Any) -> SecretsProvider:
    """One provider (and its value cache) per client, so a new endpoint never sees old values."""
    return SecretsProvider(boto3_client=client)


def get_secret_json(env_var: str) -> dict[str, Any]:
    """The JSON object in the secret whose ARN is in `env_var`; HookConfigError says what to fix."""
    secret_id = os.environ.get(env_var, "").strip()
    if not secret_id:
        raise HookConfigError(
            f"Environment variable {env_var} is not set; it should hold the ARN of the hook's secret "
            "(hook.json lists it under 'secrets', and cdk deploy sets it)."
        )
    try:
        value = _secrets_provider().get(secret_id, max_age=SECRET_CACHE_S, transform="json")
    except TransformParameterError:
        raise SecretNotJsonError(
            f"Secret {secret_id} (from {env_var}) is not valid JSON; store the JSON object described in "
            f"hooks/README.md with: aws secretsmanager put-secret-value --secret-id {secret_id} "
            "--secret-string '{...}'"
        ) from None
    except GetParameterError as error:
        raise HookConfigError(
            f"Could not read secret {secret_id} (from {env_var}): {error}. Check that it exists, has a value "
            "and that the hook's role may call secretsmanager:GetSecretValue on it."
        ) from None
    if not isinstance(value, dict):
        raise HookConfigError(
            f"Secret {secret_id} (from {env_var}) holds JSON {type(value).__name__}, not an object; "
            "store the JSON object described in hooks/README.md."
        )
    return value


def parse_secret(model: type[SecretModel], value: dict[str, Any], *, secret_id: str) -> SecretModel:
    """The secret's JSON as `model`; the error names the wrong fields, never their values."""
    try:
        return model.model_validate(value)
    except ValidationError as error:
        expected = ", ".join(name for name, field in model.model_fields.items() if field.is_required())
        raise HookConfigError(
            f"Secret {secret_id} does not have the expected shape ({field_problems(error)}); it should be a "
            f"JSON object with the fields {expected}. Fix it with: aws secretsmanager put-secret-value "
            f"--secret-id {secret_id} --secret-string '{{...}}'"
        ) from None


def clear_secret_cache() -> None:
    """Forget cached secret values and the Secrets Manager client (tests; a new mock account)."""
    _provider_for.cache_clear()
