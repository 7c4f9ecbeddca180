"""The alarm topic, and the one way components add an alarm to it."""

from aws_cdk import Stack
from aws_cdk import aws_cloudwatch as cw
from aws_cdk import aws_cloudwatch_actions as cw_actions
from aws_cdk import aws_kms as kms
from aws_cdk import aws_sns as sns
from constructs import Construct


class Alerts(Construct):
    def __init__(self, scope: Construct, construct_id: str) -> None:
        super().__init__(scope, construct_id)
        self.topic = sns.Topic(
            self,
            "AlarmTopic",
            display_name="ContentHub alarms",
            enforce_ssl=True,
            master_key=kms.Alias.from_alias_name(self, "SnsKey", "alias/aws/sns"),
        )
        self.action = cw_actions.SnsAction(self.topic)
        self.alarms: list[cw.Alarm] = []

    def alarm(
        self, scope: Construct, construct_id: str, metric: cw.IMetric, threshold: float, description: str,
        periods: int = 1,
    ) -> cw.Alarm:  # fmt: skip
        """An alarm named `<stack>-<id>` (the dashboard refers to alarms by name), sent to the topic."""
        created = cw.Alarm(
            scope,
            construct_id,
            alarm_name=f"{Stack.of(self).stack_name}-{construct_id}",
            metric=metric,
            threshold=threshold,
            evaluation_periods=periods,
            comparison_operator=cw.ComparisonOperator.GREATER_THAN_THRESHOLD,
            treat_missing_data=cw.TreatMissingData.NOT_BREACHING,
            alarm_description=description,
        )
        created.add_alarm_action(self.action)
        self.alarms.append(created)
        return created
