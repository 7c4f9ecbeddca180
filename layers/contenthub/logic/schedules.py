"""Batch schedules on EventBridge Scheduler: `async_content_generation` with a 5-field Unix cron
and a timezone, params {account_ids, count_per_account[, topics, …]}. Scheduler invokes the batch
function with the firing's scheduled time; `fire` turns that into tasks through the same code as
POST /tasks/batch, and the same firing delivered twice creates nothing new."""

from __future__ import annotations

import secrets
from datetime import datetime
from itertools import islice
from typing import Any

from contenthub import cron, dal
from contenthub.errors import AccountNotFound, InvalidRequest, ScheduleNotFound
from contenthub.logic.submit import pick_topics, submit_batch
from contenthub.models import BatchResult, BatchSubmitRequest, Schedule, ScheduleCreate, iso, utc_now
from contenthub.settings import Settings

PREVIEW_DEFAULT = 5


def preview(expression: str, timezone: str, count: int = PREVIEW_DEFAULT, now: datetime | None = None) -> list[str]:
    """The next `count` fire times, as ISO 8601 with the schedule's UTC offset."""
    now = now or utc_now()
    try:
        return [when.isoformat() for when in islice(cron.fire_times(expression, timezone, now), count)]
    except cron.CronError as error:
        raise InvalidRequest(str(error)) from error


def _view(item: dict[str, Any], now: datetime) -> Schedule:
    return Schedule.model_validate(
        {
            **item,
            "next_fire_times": preview(item["cron"], item["timezone"], 3, now)
            if item.get("state") == "ENABLED"
            else [],
        }
    )


def _check_params(params: BatchSubmitRequest, accounts: dal.AccountRepository) -> None:
    for account_id in params.account_ids:
        account = accounts.get(account_id)
        if account is None:
            raise AccountNotFound(f"account {account_id} does not exist; create it before scheduling it")
        pick_topics(account, 1, params.topics)  # the account needs a topic pool unless topics are given


def create_schedule(
    request: ScheduleCreate,
    repo: dal.ScheduleRepository,
    scheduler: dal.Scheduler,
    accounts: dal.AccountRepository,
    now: datetime | None = None,
) -> Schedule:
    now = now or utc_now()
    try:
        unix = cron.validate(request.cron)
        cron.zone(request.timezone)
        expression = cron.to_aws(unix)
    except cron.CronError as error:
        raise InvalidRequest(str(error)) from error
    _check_params(request.params, accounts)
    schedule_id = "batch-" + secrets.token_hex(5)  # Scheduler names allow only [0-9A-Za-z-_.]
    state = "ENABLED" if request.enabled else "DISABLED"
    scheduler.create(schedule_id, expression, request.timezone, state, request.name)
    item = {
        "schedule_id": schedule_id,
        "name": request.name,
        "type": request.type.value,
        "cron": unix,
        "timezone": request.timezone,
        "expression": expression,
        "state": state,
        "params": request.params.model_dump(mode="json", exclude_defaults=True)
        | {"account_ids": request.params.account_ids, "count_per_account": request.params.count_per_account},
        "created_at": iso(now),
        "updated_at": iso(now),
    }
    repo.put(item)
    return _view(item, now)


def get_schedule(schedule_id: str, repo: dal.ScheduleRepository, now: datetime | None = None) -> Schedule:
    item = repo.get(schedule_id)
    if item is None:
        raise ScheduleNotFound(f"schedule {schedule_id} does not exist")
    return _view(item, now or utc_now())


def list_schedules(repo: dal.ScheduleRepository, now: datetime | None = None) -> list[Schedule]:
    now = now or utc_now()
    return [_view(item, now) for item in sorted(repo.all(), key=lambda i: str(i["created_at"]))]


def set_state(
    schedule_id: str, enabled: bool, repo: dal.ScheduleRepository, scheduler: dal.Scheduler, now: datetime | None = None
) -> Schedule:
    """Pause (DISABLED) or resume (ENABLED) the schedule in Scheduler, and record it."""
    now = now or utc_now()
    item = repo.get(schedule_id)
    if item is None:
        raise ScheduleNotFound(f"schedule {schedule_id} does not exist")
    state = "ENABLED" if enabled else "DISABLED"
    scheduler.update(schedule_id, item["expression"], item["timezone"], state, item["name"])
    repo.set_fields(schedule_id, state=state, updated_at=iso(now))
    return _view({**item, "state": state, "updated_at": iso(now)}, now)


def delete_schedule(schedule_id: str, repo: dal.ScheduleRepository, scheduler: dal.Scheduler) -> None:
    if repo.get(schedule_id) is None:
        raise ScheduleNotFound(f"schedule {schedule_id} does not exist")
    scheduler.delete(schedule_id)
    repo.delete(schedule_id)


def fire(
    schedule_id: str,
    scheduled_time: str,
    settings: Settings,
    repo: dal.ScheduleRepository,
    tasks: dal.TaskRepository,
    intake: dal.Queue,
    accounts: dal.AccountRepository,
    now: datetime | None = None,
) -> BatchResult:
    """One firing (Scheduler's, or run-now's): account_ids × count_per_account tasks, ids derived
    from (schedule, scheduled time), so a repeated delivery of the same firing creates nothing."""
    now = now or utc_now()
    item = repo.get(schedule_id)
    if item is None:
        raise ScheduleNotFound(f"schedule {schedule_id} does not exist (deleted after this firing was sent?)")
    try:
        when = datetime.fromisoformat(scheduled_time.replace("Z", "+00:00"))
    except ValueError as error:
        raise InvalidRequest(f"scheduled_time {scheduled_time!r} is not an ISO 8601 time") from error
    firing = f"{schedule_id}@{iso(when)}"
    result = submit_batch(
        BatchSubmitRequest.model_validate(item["params"]),
        settings,
        tasks,
        intake,
        accounts,
        now,
        firing=firing,
        source=f"schedule:{schedule_id}",
    )
    if result.created:
        repo.set_fields(schedule_id, last_fired_at=iso(when))
    return result
