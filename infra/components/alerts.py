"""The alarm topic (its own KMS key, a policy letting CloudWatch publish, ALARM_EMAIL subscribed),
and the one way components add an alarm to it."""

from aws_cdk import Stack
from aws_cdk import aws_cloudwatch as cw
from aws_cdk import aws_cloudwatch_actions as cw_actions
from aws_cdk import aws_iam as iam
from aws_cdk import aws_kms as kms
from aws_cdk import aws_sns as sns
from aws_cdk import aws_sns_subscriptions as subscriptions
from constructs import Construct


class Alerts(Construct):
    def __init__(self, scope: Construct, construct_id: str, *, email: str | None = None) -> None:
        super().__init__(scope, construct_id)
        # CloudWatch cannot publish to a topic encrypted with the AWS-managed aws/sns key: a key of
        # our own whose policy lets CloudWatch use it, and a topic policy that lets it publish.
        cloudwatch = iam.ServicePrincipal("cloudwatch.amazonaws.com")
        self.key = kms.Key(self, "AlarmKey", enable_key_rotation=True, description="ContentHub alarm topic")
        self.key.grant(cloudwatch, "kms:Decrypt", "kms:GenerateDataKey*")
        self.topic = sns.Topic(
            self, "AlarmTopic", display_name="ContentHub alarms", enforce_ssl=True, master_key=self.key
        )
        self.topic.add_to_resource_policy(
            iam.PolicyStatement(
                principals=[cloudwatch],
                actions=["sns:Publish"],
                resources=[self.topic.topic_arn],
                conditions={"StringEquals": {"aws:SourceAccount": Stack.of(self).account}},
            )
        )
        if email:
            self.topic.add_subscription(subscriptions.EmailSubscription(email))
        self.action = cw_actions.SnsAction(self.topic)
        self.alarms: list[cw.Alarm] = []

    def alarm(
        self, scope: Construct, construct_id: str, metric: cw.IMetric, threshold: float, description: str,
        periods: int = 1,
        comparison: cw.ComparisonOperator = cw.ComparisonOperator.GREATER_THAN_THRESHOLD,
    ) -> cw.Alarm:  # fmt: skip
        """An alarm named `<stack>-<id>` (the dashboard refers to alarms by name), sent to the topic."""
        created = cw.Alarm(
            scope,
            construct_id,
            alarm_name=f"{Stack.of(self).stack_name}-{construct_id}",
            metric=metric,
            threshold=threshold,
            evaluation_periods=periods,
            comparison_operator=comparison,
            treat_missing_data=cw.TreatMissingData.NOT_BREACHING,
            alarm_description=description,
        )
        created.add_alarm_action(self.action)
        self.alarms.append(created)
        return created
