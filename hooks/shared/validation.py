"""Pydantic errors turned into sentences that name fields but never echo their values.

Pydantic's own message repeats the input (`input_value=...`), which for a secret
is the secret and for a highlight event holds presigned links.
"""

from __future__ import annotations

from pydantic import ValidationError


def field_problems(error: ValidationError) -> str:
    """`Records.0.Sns.TopicArn: Field required; ...`, with no input values."""
    problems = []
    for problem in error.errors(include_input=False, include_url=False):
        where = ".".join(str(part) for part in problem["loc"]) or "(top level)"
        problems.append(f"{where}: {problem['msg']}")
    return "; ".join(problems)
