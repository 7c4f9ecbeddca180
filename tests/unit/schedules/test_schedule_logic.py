"""Batch schedules (contenthub.logic.schedules) on the fakes: our record and Scheduler's schedule
move together, and a firing delivered twice creates its tasks once."""

from __future__ import annotations

import pytest

from contenthub.errors import AccountNotFound, InvalidRequest, ScheduleNotFound
from contenthub.logic import schedules
from contenthub.models import BatchSubmitRequest, ScheduleCreate, ScheduleRecord, iso
from contenthub.settings import Settings
from contenthub.states import ScheduleState
from tests.fixtures.entities import NOW, account
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
    return schedules.create_schedule(request, fakes.schedules, fakes.batch_schedules, fakes.accounts, NOW)  # type: ignore[arg-type]


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


@pytest.mark.parametrize(("fields", "error"), [
    ({"params": {"account_ids": [7]}}, AccountNotFound),
    ({"cron": "61 8 * * *"}, InvalidRequest),
    ({"timezone": "Mars/Olympus"}, InvalidRequest),
])  # fmt: skip
def test_a_refused_schedule_creates_nothing(fakes: Fakes, fields: dict[str, object], error: type[Exception]) -> None:
    with pytest.raises(error):
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
    first = schedules.fire(schedule_id, FIRED_AT, SETTINGS, fakes.firing_stores(), NOW)
    again = schedules.fire(schedule_id, FIRED_AT, SETTINGS, fakes.firing_stores(), NOW)
    assert first.created == 2 and again.created == 0
    assert [t.task_id for t in again.tasks] == [t.task_id for t in first.tasks]
    assert {t.source for t in first.tasks} == {f"schedule:{schedule_id}"}
    assert len(fakes.db.tasks) == 2
    stored = fakes.schedules.get(schedule_id)
    assert stored is not None and stored.last_fired_at == "2026-11-28T08:00:00.000Z"


def test_a_firing_of_a_deleted_schedule_creates_nothing(fakes: Fakes) -> None:
    with pytest.raises(ScheduleNotFound, match="deleted"):
        schedules.fire("batch-0000000000", FIRED_AT, SETTINGS, fakes.firing_stores(), NOW)
    assert fakes.db.tasks == {}


def test_run_now_fires_at_the_current_time(fakes: Fakes) -> None:
    schedule_id = create(fakes, params=BatchSubmitRequest(account_ids=[49], topics=["launch"]).model_dump()).schedule_id
    result = schedules.run_now(schedule_id, SETTINGS, fakes.firing_stores(), NOW)
    assert [t.topic for t in result.tasks] == ["launch"]
    stored = fakes.schedules.get(schedule_id)
    assert stored is not None and stored.last_fired_at == iso(NOW)
