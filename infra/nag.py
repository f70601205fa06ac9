"""cdk-nag acknowledgements (suppressions), each with its reason, in one place.

The infra tests read ``ACKNOWLEDGED_WILDCARD_ACTIONS``: an IAM wildcard action that is not listed
here with its reason fails them.
"""

from __future__ import annotations

from aws_cdk import Acknowledgment, CfnElement, Stack, Token, Validations
from constructs import IConstruct

# IAM actions with a wildcard that CDK grants produce, and why each is acceptable.
ACKNOWLEDGED_WILDCARD_ACTIONS: dict[str, str] = {
    "kms:GenerateDataKey*": "CDK grant for SSE-KMS data; resource is the one stack key",
    "kms:ReEncrypt*": "CDK grant for SSE-KMS data; resource is the one stack key",
    "s3:GetObject*": "read grant; resource is the media bucket's objects",
    "s3:GetBucket*": "read grant; resource is the media bucket",
    "s3:List*": "listing; resource is the media bucket",
    "s3:DeleteObject*": "write grant; resource is the media bucket's objects",
    "s3:PutObject*": "presigned uploads and exports; resource is the media bucket's objects",
    "s3:Abort*": "abandoned multipart uploads; resource is the media bucket's objects",
}


# Actions that accept no resource narrower than "*".
UNSCOPABLE_ACTIONS: dict[str, str] = {
    "xray:PutTraceSegments": "X-Ray tracing (Powertools tracer); the action has no resource type",
    "xray:PutTelemetryRecords": "X-Ray tracing (Powertools tracer); the action has no resource type",
    "ecr:GetAuthorizationToken": "pulling the Baileys image; the action has no resource type",
}


def acknowledge(construct: IConstruct, rule: str, reason: str) -> None:
    """``rule`` as cdk-nag names it (``AwsSolutions-S1``, ``AwsSolutions-IAM5[Action::s3:List*]``)."""
    Validations.of(construct).acknowledge(Acknowledgment(id=f"AwsSolutions::{rule}", reason=reason))


def acknowledge_managed_policy(construct: IConstruct, policy: str, reason: str) -> None:
    acknowledge(construct, f"AwsSolutions-IAM4[Policy::arn:<AWS::Partition>:iam::aws:policy/{policy}]", reason)


def acknowledge_resource_wildcard(construct: IConstruct, resource: str, reason: str) -> None:
    """``resource`` as cdk-nag prints it, e.g. ``<LogicalId.Arn>/*`` or ``*``."""
    acknowledge(construct, f"AwsSolutions-IAM5[Resource::{resource}]", reason)


def acknowledge_wildcard_actions(construct: IConstruct) -> None:
    for action, reason in ACKNOWLEDGED_WILDCARD_ACTIONS.items():
        acknowledge(construct, f"AwsSolutions-IAM5[Action::{action}]", reason)


def logical_id(construct: IConstruct) -> str:
    """The CloudFormation logical id of an L2 construct's resource, as cdk-nag names it in findings."""
    child = construct.node.default_child
    assert isinstance(child, CfnElement)
    return Stack.of(construct).get_logical_id(child)


def region_and_account(construct: IConstruct) -> str:
    """``<region>:<account>`` of an ARN in a finding as cdk-nag prints it: the pseudo parameters of an
    environment-agnostic stack (``make synth``), the literal values of a stack deployed to an account."""
    stack = Stack.of(construct)
    region = "<AWS::Region>" if Token.is_unresolved(stack.region) else stack.region
    account = "<AWS::AccountId>" if Token.is_unresolved(stack.account) else stack.account
    return f"{region}:{account}"
