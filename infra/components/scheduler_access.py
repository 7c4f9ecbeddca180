"""What EventBridge Scheduler needs from us: a role for its targets, and a function's right to
manage the schedules of one name prefix (the ARNs Scheduler checks: `schedule/default/<prefix>-*`)."""

from aws_cdk import ArnFormat, Stack
from aws_cdk import aws_iam as iam
from aws_cdk import aws_lambda as lambda_
from constructs import Construct


def target_role(scope: Construct, construct_id: str, description: str) -> iam.Role:
    """A role Scheduler assumes to reach a schedule's target."""
    return iam.Role(
        scope, construct_id, assumed_by=iam.ServicePrincipal("scheduler.amazonaws.com"), description=description
    )


def allow_schedules(fn: lambda_.Function, prefix: str, actions: list[str]) -> None:
    arn = Stack.of(fn).format_arn(
        service="scheduler",
        resource="schedule",
        resource_name=f"default/{prefix}-*",
        arn_format=ArnFormat.SLASH_RESOURCE_NAME,
    )
    fn.add_to_role_policy(iam.PolicyStatement(actions=[f"scheduler:{a}" for a in actions], resources=[arn]))
