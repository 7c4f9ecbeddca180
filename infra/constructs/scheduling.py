"""Cron batch schedules: EventBridge Scheduler schedules `batch-*` (created at run time by the
schedules API) invoke the batch-submit function with this role."""

from aws_cdk import ArnFormat, Stack
from aws_cdk import aws_iam as iam
from aws_cdk import aws_lambda as lambda_
from constructs import Construct


class Scheduling(Construct):
    def __init__(self, scope: Construct, construct_id: str, *, target: lambda_.Function) -> None:
        super().__init__(scope, construct_id)
        self.target = target
        self.role = iam.Role(
            self,
            "InvokeRole",
            assumed_by=iam.ServicePrincipal("scheduler.amazonaws.com"),
            description="Lets batch schedules invoke the batch-submit function",
        )
        target.grant_invoke(self.role)

    def allow_managing(self, fn: lambda_.Function) -> None:
        """Create/update/delete the `batch-*` schedules, passing them the invoke role."""
        fn.add_to_role_policy(
            iam.PolicyStatement(
                actions=[
                    "scheduler:CreateSchedule",
                    "scheduler:UpdateSchedule",
                    "scheduler:DeleteSchedule",
                    "scheduler:GetSchedule",
                ],
                resources=[
                    Stack.of(self).format_arn(
                        service="scheduler",
                        resource="schedule",
                        resource_name="default/batch-*",
                        arn_format=ArnFormat.SLASH_RESOURCE_NAME,
                    )
                ],
            )
        )
        self.role.grant_pass_role(fn.grant_principal)
        fn.add_environment("BATCH_FUNCTION_ARN", self.target.function_arn)
        fn.add_environment("BATCH_SCHEDULER_ROLE_ARN", self.role.role_arn)
