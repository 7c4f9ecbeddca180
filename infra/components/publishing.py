"""The content event bus, and the role EventBridge Scheduler uses for one-time
`content.publish_due` schedules (created per content when it is announced)."""

from aws_cdk import aws_events as events
from aws_cdk import aws_lambda as lambda_
from constructs import Construct

from contenthub import resources as r
from infra.components.scheduler_access import allow_schedules, target_role
from infra.wiring import Wiring


class Publishing(Construct):
    def __init__(self, scope: Construct, construct_id: str, *, wiring: Wiring, stack_name: str) -> None:
        super().__init__(scope, construct_id)
        # A literal name, used instead of the bus's Ref (moto's CloudFormation resolves that Ref badly).
        bus_name = f"{stack_name}-content"
        self.bus = events.EventBus(self, "ContentBus", event_bus_name=bus_name)
        self.scheduler_role = target_role(
            self, "SchedulerRole", "Lets one-time schedules put content.publish_due on the content bus"
        )
        self.bus.grant_put_events_to(self.scheduler_role)
        wiring.provide(r.EVENT_BUS_NAME, self.bus, bus_name)
        wiring.provide(r.EVENT_BUS_ARN, self.bus, self.bus.event_bus_arn)
        wiring.provide(r.PUBLISH_SCHEDULER_ROLE_ARN, self.scheduler_role, self.scheduler_role.role_arn)

    def allow_scheduling(self, fn: lambda_.Function) -> None:
        """The one-time `publish-*` schedules an announcing function creates."""
        allow_schedules(fn, "publish", ["CreateSchedule"])
