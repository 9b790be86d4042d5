"""Acknowledging a cdk-nag finding in one line, always with the reason a reviewer needs.

cdk-nag v3 runs as a CDK validation plugin; a finding that is a deliberate choice is acknowledged
on the construct it concerns (and everything under it), never for the whole app.

Example:
    >>> acknowledge(queue, "AwsSolutions-SQS3", "This queue is itself a dead-letter queue.")
"""

from __future__ import annotations

from collections.abc import Iterable

import aws_cdk as cdk
from constructs import IConstruct


def acknowledge(scope: IConstruct, rule_id: str, reason: str) -> None:
    """Acknowledge `rule_id` for `scope` and its children; `reason` must say why it does not apply."""
    if len(reason) < 20:
        raise ValueError(f"Give {rule_id} a reason a reviewer can check, not {reason!r}.")
    cdk.Validations.of(scope).acknowledge(cdk.Acknowledgment(id=rule_id, reason=reason))


def acknowledge_grant_wildcards(scope: IConstruct, findings: Iterable[str], reason: str) -> None:
    """Acknowledge each granular AwsSolutions-IAM5 finding (`Action::s3:GetObject*`, `Resource::...`) of a grant.

    Granular findings are acknowledged one by one, so a new wildcard a later change introduces
    still fails the synth until someone explains it.
    """
    for finding in findings:
        acknowledge(scope, f"AwsSolutions-IAM5[{finding}]", reason)
