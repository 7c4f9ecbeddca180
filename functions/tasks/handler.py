"""Tasks API: read, list, stats, cleanup, cancel, retry."""

from typing import Annotated

from aws_lambda_powertools.event_handler import Response
from aws_lambda_powertools.event_handler.openapi.params import Path, Query

from contenthub import dal, services
from contenthub.api import accepted, build_resolver, rest_handler
from contenthub.aws.executions import execution_path
from contenthub.logic import task_history, tasks
from contenthub.models import (
    ID_LIMIT,
    MAX_PAGE_SIZE,
    TASK_ID_PATTERN,
    CleanupRequest,
    CleanupResult,
    IsoDateTime,
    Task,
    TaskPage,
)
from contenthub.models.task_history import TaskHistory
from contenthub.resources import Principal
from contenthub.settings import load_settings
from contenthub.states import TaskStatus

settings = load_settings(Principal.TASKS)
app = build_resolver()
TaskId = Annotated[str, Path(pattern=TASK_ID_PATTERN)]


@app.get("/tasks", summary="Tasks, newest first, with filters and cursor pages")
def list_tasks(
    status: Annotated[TaskStatus | None, Query()] = None,
    account_id: Annotated[int | None, Query(gt=0, lt=ID_LIMIT)] = None,
    since: Annotated[IsoDateTime | None, Query(description="created at or after (ISO 8601)")] = None,
    until: Annotated[IsoDateTime | None, Query(description="created at or before (ISO 8601)")] = None,
    limit: Annotated[int, Query(ge=1, le=MAX_PAGE_SIZE)] = 20,
    cursor: Annotated[str | None, Query(max_length=2000, description="next_cursor of the previous page")] = None,
) -> TaskPage:
    return tasks.list_tasks(dal.tasks(), status=status, account_id=account_id, since=since, until=until,
                            limit=limit, cursor=cursor)  # fmt: skip


@app.get("/tasks/stats", summary="Tasks by status, today's counts, success rate")
def stats() -> dict[str, object]:
    return tasks.task_stats(dal.tasks(), dal.counters())


@app.post("/tasks/cleanup", summary="Delete terminal tasks older than N days (dry run by default)")
def cleanup(request: CleanupRequest) -> CleanupResult:
    return tasks.cleanup(dal.tasks(), request.older_than_days, request.dry_run)


@app.get("/tasks/<task_id>", summary="A task's status, progress and result")
def read_task(task_id: TaskId) -> Task:
    return tasks.get_task(task_id, dal.tasks())


@app.get("/tasks/<task_id>/history", summary="Every attempt with its execution's state path and timings")
def history(task_id: TaskId) -> TaskHistory:
    return task_history.task_history(task_id, dal.tasks(), dal.jobs(), services.orchestrator(), execution_path)


@app.post("/tasks/<task_id>/cancel", summary="Cancel a pending or running task")
def cancel(task_id: TaskId) -> Task:
    stores = tasks.CancelStores(dal.tasks(), dal.transactions(), dal.jobs(), services.orchestrator(), dal.accounts(),
                                dal.deliveries(), services.webhook_queue())  # fmt: skip
    return tasks.cancel_task(task_id, settings, stores)


@app.post("/tasks/<task_id>/retry", summary="Start a new attempt of a failed, timed-out or cancelled task",
          responses={202: {"description": "queued"}})  # fmt: skip
def retry(task_id: TaskId) -> Response[Task]:
    return accepted(tasks.retry_task(task_id, dal.tasks(), dal.transactions(), services.intake_queue()))


main = rest_handler(app)
