"""Acknowledging a cdk-nag or checkov finding in one line, always with the reason a reviewer needs.

cdk-nag v3 runs as a CDK validation plugin; a finding that is a deliberate choice is acknowledged
on the construct it concerns (and everything under it), never for the whole app. checkov runs over
the synthesized templates (tests/functional/test_infra_validators.py) and reads skips from each
resource's `Metadata: checkov: skip: [{id, comment}]`, which `skip_checkov` writes.

Example:
    >>> acknowledge(queue, "AwsSolutions-SQS3", "This queue is itself a dead-letter queue.")
    >>> skip_checkov(queue, "CKV_AWS_27", "SSE-SQS is on; checkov recognises only KMS encryption.")
"""

from __future__ import annotations

from collections.abc import Iterable

import aws_cdk as cdk
import jsii
from constructs import IConstruct

CHECKOV_METADATA_KEY = "checkov"
LOGS_WITHOUT_CUSTOMER_KEY = (
    "CloudWatch Logs encrypts the log group at rest; the lines hold resource names and goal ids, never a "
    "secret, so a customer key ($1/month plus a key policy for the logs service) would guard nothing more."
)
CDK_PROVIDER_HANDLER_SKIPS = {
    "CKV_AWS_116": "CDK's own custom-resource handler: CloudFormation invokes it synchronously during a deploy "
    "and reports its failure; there is no asynchronous event to keep.",
    "CKV_AWS_117": "CDK's own custom-resource handler calls only AWS APIs (S3, EC2) during deploys.",
    "CKV_AWS_115": "CDK's own custom-resource handler runs once per deploy; a reservation would only take from "
    "the account's concurrency quota.",
}


def acknowledge(scope: IConstruct, rule_id: str, reason: str) -> None:
    """Acknowledge `rule_id` for `scope` and its children; `reason` must say why it does not apply."""
    if len(reason) < 20:
        raise ValueError(f"Give {rule_id} a reason a reviewer can check, not {reason!r}.")
    cdk.Validations.of(scope).acknowledge(cdk.Acknowledgment(id=rule_id, reason=reason))


def skip_checkov(scope: IConstruct, check_id: str, reason: str) -> None:
    """Skip checkov's `check_id` on `scope`'s CloudFormation resource (its default child); `reason` says why.

    Unlike cdk-nag acknowledgements this applies to one resource only: checkov sees templates, not constructs.
    """
    if len(reason) < 20:
        raise ValueError(f"Give {check_id} a reason a reviewer can check, not {reason!r}.")
    resource = scope if isinstance(scope, cdk.CfnResource) else scope.node.default_child
    if not isinstance(resource, cdk.CfnResource):
        raise TypeError(f"{scope.node.path} has no CloudFormation resource of its own to put a checkov skip on.")
    skips = (resource.get_metadata(CHECKOV_METADATA_KEY) or {}).get("skip", [])
    if any(skip["id"] == check_id for skip in skips):
        return
    resource.add_metadata(CHECKOV_METADATA_KEY, {"skip": [*skips, {"id": check_id, "comment": reason}]})


@jsii.implements(cdk.IAspect)
class CdkProviderHandlerSkips:
    """Skips checkov's function checks on the Lambda functions CDK itself adds for custom resources.

    `auto_delete_objects` and the VPC's default-security-group restriction come with a handler
    (`Custom::...CustomResourceProvider/Handler`) that no construct of ours owns.
    """

    def visit(self, node: IConstruct) -> None:
        if (
            isinstance(node, cdk.CfnResource)
            and node.cfn_resource_type == "AWS::Lambda::Function"
            and "CustomResourceProvider" in node.node.path
        ):
            for check_id, reason in CDK_PROVIDER_HANDLER_SKIPS.items():
                skip_checkov(node, check_id, reason)


def acknowledge_grant_wildcards(scope: IConstruct, findings: Iterable[str], reason: str) -> None:
    """Acknowledge each granular AwsSolutions-IAM5 finding (`Action::s3:GetObject*`, `Resource::...`) of a grant.

    Granular findings are acknowledged one by one, so a new wildcard a later change introduces
    still fails the synth until someone explains it.
    """
    for finding in findings:
        acknowledge(scope, f"AwsSolutions-IAM5[{finding}]", reason)
