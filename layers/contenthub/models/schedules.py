"""Batch schedules: what an operator creates, our record of it, the API view."""

from __future__ import annotations

from pydantic import ConfigDict, Field, StrictBool, field_validator

from contenthub.models.common import Model, printable
from contenthub.models.tasks import BatchSubmitRequest, FiringSkip
from contenthub.states import ScheduleState, ScheduleType


class ScheduleCreate(Model):
    model_config = ConfigDict(extra="forbid", str_strip_whitespace=True)

    name: str = Field(min_length=1, max_length=100, description="display name, any language")
    type: ScheduleType = ScheduleType.ASYNC_CONTENT_GENERATION
    cron: str = Field(min_length=1, max_length=100, description="5-field Unix cron, e.g. '0 8 * * *'")
    timezone: str = Field("UTC", max_length=50, description="IANA name, e.g. Asia/Shanghai")
    params: BatchSubmitRequest
    enabled: StrictBool = True

    @field_validator("name")
    @classmethod
    def _name(cls, value: str) -> str:
        return printable(value, "name")


class LastFiring(Model):
    """What the last firing did."""

    at: str = Field(description="the firing's scheduled time")
    created: int
    skipped: list[FiringSkip] = Field(default_factory=list, description="what the accounts' daily quotas left out")


class ScheduleRecord(Model):
    """Our record of a batch schedule; the schedule itself lives in EventBridge Scheduler under
    the same id."""

    schedule_id: str
    name: str
    type: ScheduleType
    cron: str
    timezone: str
    expression: str = Field(description="the EventBridge Scheduler expression, e.g. cron(0 8 * * ? *)")
    params: BatchSubmitRequest
    state: ScheduleState = Field(description="ENABLED or DISABLED (paused)")
    last_fired_at: str | None = None
    last_firing: LastFiring | None = None
    created_at: str
    updated_at: str


class Schedule(ScheduleRecord):
    """A schedule as the API shows it: the record with its next fire times."""

    next_fire_times: list[str] = Field(default_factory=list)


class ScheduleList(Model):
    schedules: list[Schedule]


class SchedulePreview(Model):
    cron: str
    timezone: str
    fire_times: list[str]
