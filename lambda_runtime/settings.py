"""A function's settings as one pydantic model: infra writes the environment from it, the function reads it.

Each field's ``alias`` is its environment variable, so a variable's name is spelt once: the stack
builds the function's environment with ``environment()`` and the handler reads it back with
``from_env()``. A variable that is missing or malformed is a ``ConfigurationError`` naming it.

Example:
    >>> class EchoSettings(FunctionSettings):
    ...     table: str = Field(alias="TABLE", description="the DynamoDB table of the echoes")
    >>> EchoSettings(table="echoes").environment()
    {'TABLE': 'echoes'}
    >>> EchoSettings.from_env({"TABLE": "echoes"}).table
    'echoes'
"""

from __future__ import annotations

import os
from collections.abc import Mapping
from pathlib import Path
from typing import Any, Self

from pydantic import BaseModel, ConfigDict, ValidationError

from lambda_runtime.exceptions import ConfigurationError


class FunctionSettings(BaseModel):
    """Base of every function's settings; subclasses give each field ``alias=`` its variable's name."""

    model_config = ConfigDict(frozen=True, populate_by_name=True, extra="forbid")

    def environment(self) -> dict[str, str]:
        """The variables ``from_env`` reads, as text; unset (None) fields are left out."""
        variables: dict[str, str] = {}
        for name, field in type(self).model_fields.items():
            value = getattr(self, name)
            if value is not None:
                variables[field.alias or name] = _as_text(value)
        return variables

    @classmethod
    def from_env(cls, environ: Mapping[str, str] | None = None) -> Self:
        """Read the fields from ``environ`` (default ``os.environ``); blank variables count as unset."""
        environ = os.environ if environ is None else environ
        values: dict[str, Any] = {}
        for name, field in cls.model_fields.items():
            raw = environ.get(field.alias or name, "").strip()
            if raw:
                values[field.alias or name] = raw
        try:
            return cls.model_validate(values)
        except ValidationError as error:
            problem = error.errors()[0]
            variable = ".".join(str(part) for part in problem["loc"])
            if variable in values:  # present but malformed
                wanted = problem["msg"].removeprefix("Input should be ").split(",")[0]
                raise ConfigurationError(
                    f"{variable} must be {wanted}, got {values[variable]!r}; fix the function's environment"
                ) from None
            meaning = next(
                (f.description for n, f in cls.model_fields.items() if (f.alias or n) == variable and f.description),
                "what the function needs",
            )
            raise ConfigurationError(f"set {variable} to {meaning}; the function cannot run without it") from None


def _as_text(value: object) -> str:
    if isinstance(value, tuple | list):
        return ",".join(str(item) for item in value)
    if isinstance(value, Path):
        return str(value)
    return str(value)
