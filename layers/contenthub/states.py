"""Every state and mode that crosses a process boundary, defined once. Values are the strings
stored in tables, sent on queues and shown by the API, so they never change meaning."""

from __future__ import annotations

from enum import StrEnum


class TaskStatus(StrEnum):
    PENDING = "pending"
    RUNNING = "running"
    SUCCEEDED = "succeeded"
    FAILED = "failed"
    CANCELLED = "cancelled"
    TIMED_OUT = "timed_out"

    @property
    def terminal(self) -> bool:
        return self in TERMINAL

    @property
    def retryable(self) -> bool:
        return self in RETRYABLE


ACTIVE = (TaskStatus.PENDING, TaskStatus.RUNNING)
TERMINAL = (TaskStatus.SUCCEEDED, TaskStatus.FAILED, TaskStatus.TIMED_OUT, TaskStatus.CANCELLED)
RETRYABLE = (TaskStatus.FAILED, TaskStatus.TIMED_OUT, TaskStatus.CANCELLED)


class ContentStatus(StrEnum):
    DRAFT = "draft"
    APPROVED = "approved"
    REJECTED = "rejected"


class JobState(StrEnum):
    """A runner job's status row."""

    QUEUED = "queued"
    RUNNING = "running"
    SUCCEEDED = "succeeded"
    FAILED = "failed"


class RunnerOutcome(StrEnum):
    """How one run of a job ended in the runner."""

    SUCCEEDED = "succeeded"
    FAILED = "failed"
    CANCELLED = "cancelled"
    TIMED_OUT = "timed_out"
    HANDED_BACK = "handed_back"  # the runner stopped; the job is queued again for another runner
    DUPLICATE = "duplicate"  # the job had already run (a repeated queue delivery)


class StopReason(StrEnum):
    """Why a running job was told to stop."""

    CANCELLED = "cancelled by an operator"
    TIMED_OUT = "timed out (ASYNC_TASK_TIMEOUT)"
    SHUTDOWN = "runner shutting down"


class RunnerError(StrEnum):
    """Error names the runner reports with SendTaskFailure (callback mode), and the task status
    each one means."""

    CREATOR = "CreatorError"
    CANCELLED = "JobCancelled"
    TIMED_OUT = "JobTimedOut"

    @classmethod
    def named(cls, name: object) -> RunnerError | None:
        return next((error for error in cls if error.value == name), None)

    @property
    def task_status(self) -> TaskStatus:
        return {
            RunnerError.CREATOR: TaskStatus.FAILED,
            RunnerError.CANCELLED: TaskStatus.CANCELLED,
            RunnerError.TIMED_OUT: TaskStatus.TIMED_OUT,
        }[self]


class ResultAction(StrEnum):
    """What the state machine asks functions/handle_result to do at the end of an attempt."""

    STORE = "store"
    FAIL = "fail"


class DispatchResult(StrEnum):
    STARTED = "started"
    ALREADY_STARTED = "already_started"
    NOT_PENDING = "not_pending"
    UNKNOWN_TASK = "unknown_task"


class DeliveryState(StrEnum):
    """A webhook delivery."""

    PENDING = "pending"
    DELIVERED = "delivered"
    DEAD = "dead"
    DISABLED = "disabled"  # the endpoint answered 410 Gone


class DeliveryOutcome(StrEnum):
    """What one webhook queue message led to."""

    DELIVERED = "delivered"
    RETRYING = "retrying"
    DEAD = "dead"
    DISABLED = "disabled"
    WAITING = "waiting"  # not due yet: queued again with a delay
    TAKEN = "taken"  # another message took this attempt
    NOTHING_TO_DO = "nothing to do"

    @property
    def failed_attempt(self) -> bool:
        return self in (DeliveryOutcome.RETRYING, DeliveryOutcome.DEAD, DeliveryOutcome.DISABLED)

    @property
    def gave_up(self) -> bool:
        return self in (DeliveryOutcome.DEAD, DeliveryOutcome.DISABLED)


class ScheduleState(StrEnum):
    """EventBridge Scheduler's schedule states (paused = DISABLED)."""

    ENABLED = "ENABLED"
    DISABLED = "DISABLED"


class ScheduleType(StrEnum):
    ASYNC_CONTENT_GENERATION = "async_content_generation"


class CreatorKind(StrEnum):
    OFFLINE = "offline"
    CLI = "cli"
    OPENAI = "openai"
    BEDROCK = "bedrock"


class CreatorMode(StrEnum):
    """How the `cli` creator runs its program (the old CREATOR_MODE)."""

    SYNC = "sync"
    ASYNC = "async"


class CompletionMode(StrEnum):
    """How the state machine learns that a job ended."""

    POLL = "poll"  # Wait + Poll loop reading the job's status row
    CALLBACK = "callback"  # DispatchJob waits for the runner's task token
