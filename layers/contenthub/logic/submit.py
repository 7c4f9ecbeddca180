"""Accept a content-generation task: record it as pending and put it on the intake queue."""

from __future__ import annotations

from datetime import datetime

from contenthub import dal
from contenthub.errors import QueueUnavailable, ServiceDisabled, TaskNotFound
from contenthub.models import SubmitTaskRequest, Task, TaskStatus, iso, new_task_id, utc_now
from contenthub.settings import Settings


def submit_task(
    request: SubmitTaskRequest,
    settings: Settings,
    tasks: dal.TaskRepository,
    intake: dal.Queue,
    now: datetime | None = None,
) -> Task:
    if not settings.ASYNC_CONTENT_GENERATION_ENABLED:
        raise ServiceDisabled("async content generation is disabled (ASYNC_CONTENT_GENERATION_ENABLED=false)")
    now = now or utc_now()
    task = Task(
        task_id=new_task_id(),
        account_id=request.account_id,
        status=TaskStatus.PENDING,
        topic=request.topic,
        keywords=request.keywords,
        auto_approve=settings.ASYNC_AUTO_APPROVE if request.auto_approve is None else request.auto_approve,
        auto_publish=request.auto_publish,
        scheduled_publish_at=iso(request.scheduled_publish_at) if request.scheduled_publish_at else None,
        progress=0,
        stage="queued",
        attempt=1,
        created_at=iso(now),
        updated_at=iso(now),
    )
    tasks.create(task.model_dump(mode="json", exclude_none=True), now)
    try:
        intake.send({"task_id": task.task_id, "attempt": task.attempt})
    except QueueUnavailable as error:
        # The task must not sit pending forever with nothing queued: end it with the reason.
        tasks.finish(task.task_id, TaskStatus.FAILED, utc_now(), error=error.message)
        raise
    return task


def get_task(task_id: str, tasks: dal.TaskRepository) -> Task:
    item = tasks.get(task_id)
    if item is None:
        raise TaskNotFound(f"task {task_id} does not exist")
    return Task.from_item(item)
