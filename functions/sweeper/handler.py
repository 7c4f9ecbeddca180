"""Every few minutes (an EventBridge schedule): pending tasks whose intake message was lost are
queued again, or failed with the reason (logic/sweeper.py)."""

from typing import Any

from contenthub import dal, services
from contenthub.logic.sweeper import sweep
from contenthub.observability import entry
from contenthub.resources import Principal
from contenthub.settings import load_settings

settings = load_settings(Principal.SWEEPER)


@entry()
def main(event: dict[str, Any], context: Any) -> dict[str, Any]:
    report = sweep(settings, dal.tasks(), dal.transactions(), services.orchestrator(), services.intake_queue())
    return {"looked_at": report.looked_at, "requeued": report.requeued, "failed": report.failed}
