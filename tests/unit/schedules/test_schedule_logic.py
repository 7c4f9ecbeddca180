"""Batch schedules (contenthub.logic.schedules) on the fakes: our record and Scheduler's schedule
move together, and a firing delivered twice creates its tasks once."""

from __future__ import annotations

import pytest

from contenthub.errors import AccountNotFound, InvalidRequest, ScheduleNotFound
from contenthub.logic import schedules
from contenthub.models import (
    BatchResult,
    BatchSubmitRequest,
    FiringSkip,
    LastFiring,
    ScheduleCreate,
    ScheduleRecord,
    iso,
)
from contenthub.settings import Settings
from contenthub.states import ScheduleState
from tests.fixtures.entities import NOW, TODAY, account
from tests.fixtures.fakes import Fakes

SETTINGS = Settings(ASYNC_CONTENT_GENERATION_ENABLED=True)
FIRED_AT = "2026-11-28T08:00:00Z"


@pytest.fixture
def fakes() -> Fakes:
    fakes = Fakes()
    fakes.db.add_account(account(49, topics=["AI", "cloud"]))
    return fakes


def create(fakes: Fakes, **fields: object) -> schedules.Schedule:
    request = ScheduleCreate.model_validate(
        {
            "name": "morning",
            "cron": "0 8 * * *",
            "timezone": "Asia/Shanghai",
            "params": {"account_ids": [49], "count_per_account": 2},
            **fields,
        }  # fmt: skip
    )
    return schedules.create_schedule(request, SETTINGS, fakes.schedules, fakes.batch_schedules, fakes.accounts, NOW)  # type: ignore[arg-type]


def fire(fakes: Fakes, schedule_id: str, scheduled_time: str = FIRED_AT) -> BatchResult:
    return schedules.fire(schedule_id, scheduled_time, SETTINGS, fakes.schedules, fakes.batch_stores(), NOW)  # type: ignore[arg-type]


def test_a_new_schedule_is_recorded_and_created_in_scheduler(fakes: Fakes) -> None:
    schedule = create(fakes)
    assert fakes.schedules.get(schedule.schedule_id) == ScheduleRecord.model_validate(
        schedule.model_dump(exclude={"next_fire_times"})
    )
    definition = fakes.batch_schedules.schedules[schedule.schedule_id]
    assert (definition.expression, definition.timezone, definition.state) == (
        "cron(0 8 * * ? *)", "Asia/Shanghai", ScheduleState.ENABLED,
    )  # fmt: skip
    assert schedule.next_fire_times[0] == "2026-11-29T08:00:00+08:00"


@pytest.mark.parametrize(("fields", "error", "message"), [
    ({"params": {"account_ids": [7]}}, AccountNotFound, "account 7 does not exist"),
    ({"cron": "61 8 * * *"}, InvalidRequest, "61"),
    ({"timezone": "Mars/Olympus"}, InvalidRequest, "Mars/Olympus"),
    # More often than SCHEDULE_MIN_INTERVAL_MINUTES (15), if only at times.
    ({"cron": "*/10 * * * *"}, InvalidRequest, "fires every 10 minute"),
    ({"cron": "0,5 8 * * *"}, InvalidRequest, "fires every 5 minute"),
    # Account 50's quota is 3 a day: a firing could never create 4.
    ({"params": {"account_ids": [49, 50], "count_per_account": 4}}, InvalidRequest, "over account 50's daily_quota 3"),
])  # fmt: skip
def test_a_refused_schedule_creates_nothing(
    fakes: Fakes, fields: dict[str, object], error: type[Exception], message: str
) -> None:
    fakes.db.add_account(account(50, topics=["AI"], daily_quota=3))
    with pytest.raises(error, match=message):
        create(fakes, **fields)
    assert fakes.db.schedules == {} and fakes.batch_schedules.schedules == {}


def test_pause_resume_and_delete_keep_scheduler_and_the_record_together(fakes: Fakes) -> None:
    schedule_id = create(fakes).schedule_id
    paused = schedules.set_state(schedule_id, False, fakes.schedules, fakes.batch_schedules, NOW)  # type: ignore[arg-type]
    assert paused.state == ScheduleState.DISABLED and paused.next_fire_times == []
    assert fakes.batch_schedules.schedules[schedule_id].state == ScheduleState.DISABLED
    stored = fakes.schedules.get(schedule_id)
    assert stored is not None and stored.state == ScheduleState.DISABLED
    schedules.set_state(schedule_id, True, fakes.schedules, fakes.batch_schedules, NOW)  # type: ignore[arg-type]
    assert fakes.batch_schedules.schedules[schedule_id].state == ScheduleState.ENABLED

    schedules.delete_schedule(schedule_id, fakes.schedules, fakes.batch_schedules)  # type: ignore[arg-type]
    assert fakes.db.schedules == {} and fakes.batch_schedules.schedules == {}
    with pytest.raises(ScheduleNotFound):
        schedules.delete_schedule(schedule_id, fakes.schedules, fakes.batch_schedules)  # type: ignore[arg-type]


def test_a_firing_delivered_twice_creates_its_tasks_once(fakes: Fakes) -> None:
    schedule_id = create(fakes).schedule_id
    first = fire(fakes, schedule_id)
    again = fire(fakes, schedule_id)
    assert first.created == 2 and again.created == 0
    assert [t.task_id for t in again.tasks] == [t.task_id for t in first.tasks]
    assert {t.source for t in first.tasks} == {f"schedule:{schedule_id}"}
    assert len(fakes.db.tasks) == 2
    stored = fakes.schedules.get(schedule_id)
    assert stored is not None and stored.last_fired_at == "2026-11-28T08:00:00.000Z"
    assert stored.last_firing == LastFiring(at="2026-11-28T08:00:00.000Z", created=2)


def test_a_firing_of_a_deleted_schedule_creates_nothing(fakes: Fakes) -> None:
    with pytest.raises(ScheduleNotFound, match="deleted"):
        fire(fakes, "batch-0000000000")
    assert fakes.db.tasks == {}


def test_run_now_fires_at_the_current_time(fakes: Fakes) -> None:
    schedule_id = create(fakes, params=BatchSubmitRequest(account_ids=[49], topics=["launch"]).model_dump()).schedule_id
    result = schedules.run_now(schedule_id, SETTINGS, fakes.schedules, fakes.batch_stores(), NOW)  # type: ignore[arg-type]
    assert [t.topic for t in result.tasks] == ["launch"]
    stored = fakes.schedules.get(schedule_id)
    assert stored is not None and stored.last_fired_at == iso(NOW)


def test_a_firing_creates_at_most_the_account_s_quota_records_the_skip_and_repeats_as_nothing(fakes: Fakes) -> None:
    schedule_id = create(fakes, params={"account_ids": [49], "count_per_account": 20}).schedule_id
    fakes.accounts.update(49, {"daily_quota": 3}, NOW)  # lowered after the schedule was made
    result = fire(fakes, schedule_id)
    assert result.created == 3 and len(result.tasks) == 3 and len(fakes.intake.sent) == 3
    skip = FiringSkip(account_id=49, wanted=20, created=3, reason=f"daily quota 3 reached for {TODAY} (UTC)")
    assert result.skipped == [skip] and skip.wanted - skip.created == 17
    assert fakes.accounts.require(49).used_on(TODAY) == 3
    stored = fakes.schedules.get(schedule_id)
    assert stored is not None and stored.last_firing == LastFiring(at="2026-11-28T08:00:00.000Z", created=3,
                                                                  skipped=[skip])  # fmt: skip

    again = fire(fakes, schedule_id)  # Scheduler delivered the same firing twice
    assert again.created == 0 and [t.task_id for t in again.tasks] == [t.task_id for t in result.tasks]
    assert len(fakes.db.tasks) == 3 and fakes.accounts.require(49).used_on(TODAY) == 3
    assert fakes.db.counter("submitted") == 3
    stored = fakes.schedules.get(schedule_id)
    assert stored is not None and stored.last_firing is not None and stored.last_firing.created == 3
