"""Submit API: POST /tasks (one task) and POST /tasks/batch (accounts × count), each with an
optional Idempotency-Key. Schedule firings use the same logic (functions/batch)."""

from aws_lambda_powertools.event_handler import Response

from contenthub import dal, services
from contenthub.api import accepted, build_resolver, rest_handler
from contenthub.idempotency import key_of, run_once
from contenthub.logic import batch, controls, submit
from contenthub.models import BatchResult, BatchSubmitRequest, SubmitTaskRequest, Task
from contenthub.resources import Principal
from contenthub.settings import load_settings

settings = load_settings(Principal.SUBMIT)
app = build_resolver()


@app.post("/tasks", summary="Submit a content-generation task", responses={202: {"description": "accepted"}})
def post_task(request: SubmitTaskRequest) -> Response[Task]:
    key = key_of(app)

    def run() -> Task:
        live = controls.current(settings, services.control_parameters())  # the kill switch, live
        return submit.submit_task(request, live, dal.transactions(), services.intake_queue(), dal.accounts(),
                                  dal.tasks(), request_key=f"submit:{key}" if key else None)  # fmt: skip

    body, replayed = run_once(key, "submit", request, settings, run, app.lambda_context)
    return accepted(body, replayed, f"/tasks/{body['task_id']}")


@app.post(
    "/tasks/batch", summary="Submit account_ids × count_per_account tasks", responses={202: {"description": "accepted"}}
)
def post_batch(request: BatchSubmitRequest) -> Response[BatchResult]:
    key = key_of(app)

    def run() -> BatchResult:
        stores = batch.BatchStores(dal.transactions(), dal.accounts(), dal.tasks(), services.intake_queue())
        live = controls.current(settings, services.control_parameters())  # the kill switch, live
        return batch.submit_batch(request, live, stores, request_key=f"batch:{key}" if key else None)

    body, replayed = run_once(key, "batch", request, settings, run, app.lambda_context)
    return accepted(body, replayed)


main = rest_handler(app)
