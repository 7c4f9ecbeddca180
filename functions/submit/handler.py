"""Submit API: POST /tasks (one task) and POST /tasks/batch (accounts × count), each with an
optional Idempotency-Key. Schedule firings use the same logic (functions/batch)."""

from aws_lambda_powertools.event_handler import Response

from contenthub import dal, services
from contenthub.api import accepted, build_resolver, rest_handler
from contenthub.idempotency import key_of, run_once
from contenthub.logic import controls, submit
from contenthub.models import BatchResult, BatchSubmitRequest, SubmitTaskRequest, Task
from contenthub.resources import Principal
from contenthub.settings import load_settings

settings = load_settings(Principal.SUBMIT)
app = build_resolver()


@app.post("/tasks", summary="Submit a content-generation task", responses={202: {"description": "accepted"}})
def post_task(request: SubmitTaskRequest) -> Response[Task]:
    def run() -> Task:
        live = controls.current(settings, services.control_parameters())  # the kill switch, live
        return submit.submit_task(request, live, dal.transactions(), services.intake_queue(), dal.accounts())

    body, replayed = run_once(key_of(app), "submit", request, settings, run)
    return accepted(body, replayed, f"/tasks/{body['task_id']}")


@app.post(
    "/tasks/batch", summary="Submit account_ids × count_per_account tasks", responses={202: {"description": "accepted"}}
)
def post_batch(request: BatchSubmitRequest) -> Response[BatchResult]:
    def run() -> BatchResult:
        return submit.submit_batch(
            request,
            controls.current(settings, services.control_parameters()),
            dal.transactions(),
            services.intake_queue(),
            dal.accounts(),
            dal.tasks(),
        )

    body, replayed = run_once(key_of(app), "batch", request, settings, run)
    return accepted(body, replayed)


main = rest_handler(app)
