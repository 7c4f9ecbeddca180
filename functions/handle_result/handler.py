"""Called by the state machine at the end of an attempt.

Event: {"action": "store" | "fail", "input": <the execution's state>}, where the state holds
task_id, attempt, and (when present) poll (functions/poll's outcome) and error (a caught error).
"store": the runner succeeded; store exactly one Content and mark the task succeeded.
"fail":  the attempt failed, timed out or was cancelled (or a state raised); record why.
"""

from typing import Any

from contenthub import dal, services
from contenthub.logic import publishing
from contenthub.logic.results import ResultStores, end_attempt
from contenthub.observability import entry
from contenthub.resources import Principal
from contenthub.settings import load_settings
from contenthub.states import ResultAction

settings = load_settings(Principal.HANDLE_RESULT)


@entry(correlation_id_path="input.task_id")
def main(event: dict[str, Any], context: Any) -> dict[str, Any]:
    try:
        action = ResultAction(str(event.get("action")))
    except ValueError as error:
        raise ValueError(f"unknown action {event.get('action')!r}; expected 'store' or 'fail'") from error
    stores = ResultStores(
        dal.tasks(), dal.transactions(), dal.jobs(), dal.accounts(), dal.contents(), services.articles(),
        dal.generation_times(), dal.deliveries(), services.webhook_queue(), publishing.publisher(settings),
    )  # fmt: skip
    result = end_attempt(action, event.get("input") or {}, settings, stores)
    return result.model_dump(mode="json")
