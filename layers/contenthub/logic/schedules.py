"""Batch schedules on EventBridge Scheduler: `async_content_generation` with a 5-field Unix cron
and a timezone, params {account_ids, count_per_account[, topics, …]}. Scheduler invokes the batch
function with the firing's scheduled time; `fire` turns that into tasks through the same code as
POST /tasks/batch, and the same firing delivered twice creates nothing new."""

from __future__ import annotations

import secrets
from datetime import datetime
from itertools import islice

from contenthub import cron, dal
from contenthub.aws.scheduler import BatchSchedules
from contenthub.errors import AccountNotFound, InvalidRequest, ScheduleNotFound
from contenthub.logic.batch import BatchStores, fire_batch
from contenthub.logic.submit import pick_topics
from contenthub.models import (
    BatchResult,
    BatchSubmitRequest,
    LastFiring,
    Schedule,
    ScheduleCreate,
    ScheduleRecord,
    iso,
    utc_now,
)
from contenthub.settings import Settings
from contenthub.states import ScheduleState

PREVIEW_DEFAULT = 5


def preview(expression: str, timezone: str, count: int = PREVIEW_DEFAULT, now: datetime | None = None) -> list[str]:
    """The next `count` fire times, as ISO 8601 with the schedule's UTC offset."""
    now = now or utc_now()
    try:
        return [when.isoformat() for when in islice(cron.fire_times(expression, timezone, now), count)]
    except cron.CronError as error:
        raise InvalidRequest(str(error)) from error


def _view(record: ScheduleRecord, now: datetime) -> Schedule:
    enabled = record.state == ScheduleState.ENABLED
    return Schedule(
        **record.model_dump(), next_fire_times=preview(record.cron, record.timezone, 3, now) if enabled else []
    )


def _require(schedule_id: str, repo: dal.ScheduleRepository, why: str = "") -> ScheduleRecord:
    record = repo.get(schedule_id)
    if record is None:
        raise ScheduleNotFound(f"schedule {schedule_id} does not exist{why}")
    return record


def _check_params(params: BatchSubmitRequest, accounts: dal.AccountRepository) -> None:
    for account_id in params.account_ids:
        account = accounts.get(account_id)
        if account is None:
            raise AccountNotFound(f"account {account_id} does not exist; create it before scheduling it")
        pick_topics(account, 1, params.topics)  # the account needs a topic pool unless topics are given
        if account.daily_quota is not None and params.count_per_account > account.daily_quota:
            raise InvalidRequest(
                f"count_per_account {params.count_per_account} is over account {account_id}'s daily_quota "
                f"{account.daily_quota}: each firing could create at most {account.daily_quota}; lower the count "
                "or raise the quota"
            )


def _check_interval(unix: str, timezone: str, settings: Settings) -> None:
    """Firings at least SCHEDULE_MIN_INTERVAL_MINUTES apart, so one schedule cannot flood the queue."""
    minimum = settings.SCHEDULE_MIN_INTERVAL_MINUTES
    gap = cron.shortest_gap(unix, timezone)
    if gap is not None and gap.total_seconds() < minimum * 60:
        raise InvalidRequest(
            f"cron {unix!r} fires every {int(gap.total_seconds() // 60)} minute(s) at times; schedules may fire at "
            f"most every {minimum} minutes (SCHEDULE_MIN_INTERVAL_MINUTES)"
        )


def create_schedule(
    request: ScheduleCreate, settings: Settings, repo: dal.ScheduleRepository, scheduler: BatchSchedules,
    accounts: dal.AccountRepository, now: datetime | None = None,
) -> Schedule:  # fmt: skip
    now = now or utc_now()
    try:
        unix = cron.validate(request.cron)
        cron.zone(request.timezone)
        expression = cron.to_aws(unix)
    except cron.CronError as error:
        raise InvalidRequest(str(error)) from error
    _check_interval(unix, request.timezone, settings)
    _check_params(request.params, accounts)
    schedule_id = "batch-" + secrets.token_hex(5)  # Scheduler names allow only [0-9A-Za-z-_.]
    state = ScheduleState.ENABLED if request.enabled else ScheduleState.DISABLED
    scheduler.create(schedule_id, expression, request.timezone, state, request.name)
    record = ScheduleRecord(
        schedule_id=schedule_id, name=request.name, type=request.type, cron=unix, timezone=request.timezone,
        expression=expression, state=state, params=request.params, created_at=iso(now), updated_at=iso(now),
    )  # fmt: skip
    repo.put(record)
    return _view(record, now)


def get_schedule(schedule_id: str, repo: dal.ScheduleRepository, now: datetime | None = None) -> Schedule:
    return _view(_require(schedule_id, repo), now or utc_now())


def list_schedules(repo: dal.ScheduleRepository, now: datetime | None = None) -> list[Schedule]:
    now = now or utc_now()
    return [_view(record, now) for record in sorted(repo.all(), key=lambda r: r.created_at)]


def set_state(
    schedule_id: str, enabled: bool, repo: dal.ScheduleRepository, scheduler: BatchSchedules,
    now: datetime | None = None,
) -> Schedule:  # fmt: skip
    """Pause (DISABLED) or resume (ENABLED) the schedule in Scheduler, and record it."""
    now = now or utc_now()
    record = _require(schedule_id, repo)
    state = ScheduleState.ENABLED if enabled else ScheduleState.DISABLED
    scheduler.update(schedule_id, record.expression, record.timezone, state, record.name)
    repo.set_fields(schedule_id, state=state.value, updated_at=iso(now))
    return _view(record.model_copy(update={"state": state, "updated_at": iso(now)}), now)


def delete_schedule(schedule_id: str, repo: dal.ScheduleRepository, scheduler: BatchSchedules) -> None:
    _require(schedule_id, repo)
    scheduler.delete(schedule_id)
    repo.delete(schedule_id)


def fire(
    schedule_id: str, scheduled_time: str, settings: Settings, repo: dal.ScheduleRepository, stores: BatchStores,
    now: datetime | None = None,
) -> BatchResult:  # fmt: skip
    """One firing (Scheduler's, or run-now's): account_ids × count_per_account tasks, at most each
    account's remaining daily quota; ids derived from (schedule, scheduled time), so a repeated
    delivery of the same firing creates nothing. The schedule records what the firing did."""
    now = now or utc_now()
    record = _require(schedule_id, repo, " (deleted after this firing was sent?)")
    try:
        when = datetime.fromisoformat(scheduled_time.replace("Z", "+00:00"))
    except ValueError as error:
        raise InvalidRequest(f"scheduled_time {scheduled_time!r} is not an ISO 8601 time") from error
    result = fire_batch(
        record.params, settings, stores, firing=f"{schedule_id}@{iso(when)}", source=f"schedule:{schedule_id}",
        now=now,
    )  # fmt: skip
    if result.created or result.skipped:
        firing = LastFiring(at=iso(when), created=result.created, skipped=result.skipped)
        repo.set_fields(schedule_id, last_fired_at=iso(when), last_firing=firing.model_dump(mode="json"))
    return result


def run_now(
    schedule_id: str, settings: Settings, repo: dal.ScheduleRepository, stores: BatchStores,
    now: datetime | None = None,
) -> BatchResult:  # fmt: skip
    """An operator's firing, now (the same path as Scheduler's)."""
    now = now or utc_now()
    return fire(schedule_id, iso(now), settings, repo, stores, now)
