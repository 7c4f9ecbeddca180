"""Cron batch schedules: the schedules table, the Schedules API function, and the batch function
that EventBridge Scheduler schedules `batch-*` (created at run time by the API) invoke with a
role that may only do that."""

from aws_cdk import Duration
from constructs import Construct

from contenthub import resources as r
from contenthub.resources import Principal
from infra.components.lambdas import Lambdas
from infra.components.scheduler_access import allow_schedules, target_role
from infra.components.storage import table
from infra.wiring import Wiring


class Scheduling(Construct):
    def __init__(self, scope: Construct, construct_id: str, *, lambdas: Lambdas, wiring: Wiring) -> None:
        super().__init__(scope, construct_id)
        # Our record of each schedule (name, Unix cron, params, last firing).
        self.schedules = table(self, "SchedulesTable", "schedule_id")
        self.batch = lambdas.function(self, Principal.BATCH, "Schedule firings → batch submit", Duration.seconds(60))
        self.api = lambdas.function(
            self, Principal.SCHEDULES, "Schedules API (EventBridge Scheduler)", Duration.seconds(30)
        )
        self.role = target_role(self, "InvokeRole", "Lets batch schedules invoke the batch-submit function")
        self.batch.grant_invoke(self.role)
        # Create/update/delete the `batch-*` schedules (passing them the invoke role: the map).
        allow_schedules(self.api, "batch", ["CreateSchedule", "UpdateSchedule", "DeleteSchedule", "GetSchedule"])
        wiring.use(Principal.BATCH, self.batch)
        wiring.use(Principal.SCHEDULES, self.api)
        wiring.provide(r.SCHEDULES_TABLE, self.schedules, self.schedules.table_name)
        wiring.provide(r.BATCH_FUNCTION_ARN, self.batch, self.batch.function_arn)
        wiring.provide(r.BATCH_SCHEDULER_ROLE_ARN, self.role, self.role.role_arn)
