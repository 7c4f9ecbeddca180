"""A task's attempts, each with the path its Step Functions execution took and its timings."""

from __future__ import annotations

from pydantic import Field

from contenthub.models.common import Model
from contenthub.states import TaskStatus


class StateVisit(Model):
    name: str
    type: str = Field(description="Task, Wait, Choice, Pass, Succeed, Fail, …")
    entered_at: str
    exited_at: str | None = None


class AttemptTimings(Model):
    queued_seconds: float | None = Field(None, description="submitted (or retried) → a runner started the job")
    generating_seconds: float | None = Field(None, description="the runner started → the creator finished")
    storing_seconds: float | None = Field(None, description="the creator finished → the attempt ended (stored)")


class AttemptHistory(Model):
    attempt: int
    status: TaskStatus
    error: str | None = None
    started_at: str | None = None
    finished_at: str | None = None
    execution_name: str
    execution_arn: str
    execution_status: str | None = Field(None, description="RUNNING, SUCCEEDED, FAILED, ABORTED…; null: not started")
    states: list[StateVisit] = Field(default_factory=list, description="states entered, in order")
    states_truncated: bool = False
    timings: AttemptTimings = Field(default_factory=AttemptTimings)
    runner_id: str | None = None


class TaskHistory(Model):
    task_id: str
    status: TaskStatus
    created_at: str
    content_id: str | None = None
    attempts: list[AttemptHistory] = Field(description="oldest first; the current attempt last")
