"""EventBridge Scheduler's target for batch schedules: one firing → account_ids ×
count_per_account tasks, through the same logic as POST /tasks/batch.
Event: {"schedule_id", "scheduled_time", "execution_id"} (Scheduler's context attributes)."""

from typing import Any

from contenthub import dal, services
from contenthub.logic import controls
from contenthub.logic.batch import BatchStores
from contenthub.logic.schedules import fire
from contenthub.observability import entry
from contenthub.resources import Principal
from contenthub.settings import load_settings

settings = load_settings(Principal.BATCH)


@entry(correlation_id_path="schedule_id")
def main(event: dict[str, Any], context: Any) -> dict[str, Any]:
    stores = BatchStores(dal.transactions(), dal.accounts(), dal.tasks(), services.intake_queue())
    live = controls.current(settings, services.control_parameters())  # the kill switch, live
    result = fire(str(event["schedule_id"]), str(event["scheduled_time"]), live, dal.schedules(), stores)
    return {"created": result.created, "task_ids": [t.task_id for t in result.tasks],
            "skipped": [s.model_dump() for s in result.skipped]}  # fmt: skip
