"""Tasks API: submit one or a batch, read, list, cancel, retry, clean up, stats — and `scheduled`,
the batch-submit entry that EventBridge Scheduler invokes for each schedule firing."""

from typing import Annotated, Any

from aws_lambda_powertools.event_handler import Response
from aws_lambda_powertools.event_handler.openapi.params import Path, Query
from aws_lambda_powertools.logging import correlation_paths
from aws_lambda_powertools.metrics import MetricUnit
from aws_lambda_powertools.utilities.typing import LambdaContext
from pydantic import BaseModel, ConfigDict, Field, StrictBool

from contenthub import dal
from contenthub.api import build_resolver, json_response
from contenthub.idempotency import HEADER, run_once
from contenthub.logic import schedules
from contenthub.logic import tasks as task_ops
from contenthub.logic.submit import get_task, submit_batch, submit_task
from contenthub.logic.webhooks import notify
from contenthub.models import (
    MAX_PAGE_SIZE,
    TASK_ID_PATTERN,
    BatchResult,
    BatchSubmitRequest,
    IsoDateTime,
    SubmitTaskRequest,
    Task,
    TaskPage,
    TaskStatus,
)
from contenthub.observability import MetricName, logger, metrics, tracer
from contenthub.settings import get_settings

settings = get_settings()  # validated at cold start
app = build_resolver()
TaskId = Annotated[str, Path(pattern=TASK_ID_PATTERN)]


class CleanupRequest(BaseModel):
    model_config = ConfigDict(extra="forbid")

    older_than_days: int = Field(30, ge=1, le=3650, description="terminal tasks created before this many days ago")
    dry_run: StrictBool = Field(True, description="only count; set false to delete")


def _accepted(body: dict[str, Any], replayed: bool, location: str | None = None) -> Response[Any]:
    headers = {"Location": location} if location else {}
    if replayed:
        headers["Idempotent-Replayed"] = "true"
    return json_response(202, body, headers)


@app.post("/tasks", summary="Submit a content-generation task", responses={202: {"description": "accepted"}})
@tracer.capture_method
def post_task(request: SubmitTaskRequest) -> Response[Task]:
    def run() -> dict[str, Any]:
        task = submit_task(request, settings, dal.tasks(), dal.intake_queue(), dal.accounts())
        metrics.add_metric(name=MetricName.SUBMITTED, unit=MetricUnit.Count, value=1)
        logger.info("task accepted", extra={"task_id": task.task_id, "account_id": task.account_id})
        return task.model_dump(mode="json")

    key = app.current_event.get_header_value(HEADER, case_sensitive=False)
    body, replayed = run_once(key, "submit", request.model_dump(mode="json"), settings, run)
    return _accepted(body, replayed, f"/tasks/{body['task_id']}")


@app.post(
    "/tasks/batch", summary="Submit account_ids × count_per_account tasks", responses={202: {"description": "accepted"}}
)
@tracer.capture_method
def post_batch(request: BatchSubmitRequest) -> Response[BatchResult]:
    def run() -> dict[str, Any]:
        result = submit_batch(request, settings, dal.tasks(), dal.intake_queue(), dal.accounts())
        metrics.add_metric(name=MetricName.SUBMITTED, unit=MetricUnit.Count, value=result.created)
        return result.model_dump(mode="json")

    key = app.current_event.get_header_value(HEADER, case_sensitive=False)
    body, replayed = run_once(key, "batch", request.model_dump(mode="json"), settings, run)
    return _accepted(body, replayed)


@app.get("/tasks", summary="Tasks, newest first, with filters and cursor pages")
@tracer.capture_method
def list_tasks(
    status: Annotated[TaskStatus | None, Query()] = None,
    account_id: Annotated[int | None, Query(gt=0)] = None,
    since: Annotated[IsoDateTime | None, Query(description="created at or after (ISO 8601)")] = None,
    until: Annotated[IsoDateTime | None, Query(description="created at or before (ISO 8601)")] = None,
    limit: Annotated[int, Query(ge=1, le=MAX_PAGE_SIZE)] = 20,
    cursor: Annotated[str | None, Query(max_length=2000, description="next_cursor of the previous page")] = None,
) -> TaskPage:
    return task_ops.list_tasks(dal.tasks(), status=status, account_id=account_id, since=since, until=until,
                               limit=limit, cursor=cursor)  # fmt: skip


@app.get("/tasks/stats", summary="Tasks by status, today's counts, success rate")
@tracer.capture_method
def stats() -> dict[str, Any]:
    return task_ops.task_stats(dal.tasks(), dal.counters())


@app.post("/tasks/cleanup", summary="Delete terminal tasks older than N days (dry run by default)")
@tracer.capture_method
def cleanup(request: CleanupRequest) -> dict[str, Any]:
    return task_ops.cleanup(dal.tasks(), request.older_than_days, request.dry_run)


@app.get("/tasks/<task_id>", summary="A task's status, progress and result")
@tracer.capture_method
def read_task(task_id: TaskId) -> Task:
    return get_task(task_id, dal.tasks())


@app.post("/tasks/<task_id>/cancel", summary="Cancel a pending or running task")
@tracer.capture_method
def cancel(task_id: TaskId) -> Task:
    task = task_ops.cancel_task(task_id, dal.tasks(), dal.jobs(), dal.orchestrator())
    metrics.add_metric(name=MetricName.CANCELLED, unit=MetricUnit.Count, value=1)
    account = dal.accounts().get(task.account_id)
    notify(task.model_dump(mode="json"), None, settings, dal.webhook_deliveries(), dal.webhook_queue(), account=account)
    return task


@app.post("/tasks/<task_id>/retry", summary="Start a new attempt of a failed, timed-out or cancelled task",
          responses={202: {"description": "queued"}})  # fmt: skip
@tracer.capture_method
def retry(task_id: TaskId) -> Response[Task]:
    task = task_ops.retry_task(task_id, dal.tasks(), dal.intake_queue())
    return json_response(202, task)


@logger.inject_lambda_context(correlation_id_path=correlation_paths.API_GATEWAY_REST)
@metrics.log_metrics
@tracer.capture_lambda_handler
def main(event: dict[str, Any], context: LambdaContext) -> dict[str, Any]:
    return app.resolve(event, context)


@logger.inject_lambda_context(correlation_id_path="schedule_id")
@metrics.log_metrics
@tracer.capture_lambda_handler
def scheduled(event: dict[str, Any], context: LambdaContext) -> dict[str, Any]:
    """EventBridge Scheduler's target: {"schedule_id", "scheduled_time", "execution_id"}."""
    result = schedules.fire(
        str(event["schedule_id"]), str(event["scheduled_time"]), settings, dal.schedules(), dal.tasks(),
        dal.intake_queue(), dal.accounts(),
    )  # fmt: skip
    metrics.add_metric(name=MetricName.SUBMITTED, unit=MetricUnit.Count, value=result.created)
    logger.info("schedule fired", extra={"scheduled_time": event["scheduled_time"], "tasks_created": result.created,
                                         "tasks": [t.task_id for t in result.tasks]})  # fmt: skip
    return {"created": result.created, "task_ids": [t.task_id for t in result.tasks]}
