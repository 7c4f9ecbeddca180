"""Data access: the only package that talks to DynamoDB. One module per aggregate, each returning
typed entities (contenthub.models); multi-table writes in `transactions`, cursors in `pages`.
Handlers build repositories with the factories below (one per process, as in a warm Lambda);
logic receives them as arguments, so tests can pass fakes."""

from __future__ import annotations

from contenthub import resources as r
from contenthub.dal.accounts import AccountRepository
from contenthub.dal.contents import ContentRepository
from contenthub.dal.controls import ControlHistoryRepository
from contenthub.dal.counters import CounterRepository, GenerationTimes
from contenthub.dal.deliveries import DeliveryRepository
from contenthub.dal.jobs import JobRepository
from contenthub.dal.runners import RunnerHeartbeats, SlotLeases
from contenthub.dal.schedules import ScheduleRepository
from contenthub.dal.tasks import TaskRepository
from contenthub.dal.transactions import AccountTasks, Quota, Transactions
from contenthub.settings import per_process

__all__ = [
    "AccountRepository",
    "AccountTasks",
    "ContentRepository",
    "ControlHistoryRepository",
    "CounterRepository",
    "DeliveryRepository",
    "GenerationTimes",
    "JobRepository",
    "Quota",
    "RunnerHeartbeats",
    "ScheduleRepository",
    "SlotLeases",
    "TaskRepository",
    "Transactions",
    "accounts",
    "contents",
    "control_history",
    "counters",
    "deliveries",
    "generation_times",
    "heartbeats",
    "jobs",
    "schedules",
    "tasks",
    "transactions",
]


tasks = per_process(lambda s: TaskRepository(s.resource(r.TASKS_TABLE)))
transactions = per_process(
    lambda s: Transactions(
        s.resource(r.TASKS_TABLE), s.resource(r.COUNTERS_TABLE), accounts_table=s.optional(r.ACCOUNTS_TABLE),
        contents_table=s.optional(r.CONTENTS_TABLE), retention_days=s.TASK_RETENTION_DAYS,
    )
)  # fmt: skip
jobs = per_process(lambda s: JobRepository(s.resource(r.JOBS_TABLE)))
accounts = per_process(lambda s: AccountRepository(s.resource(r.ACCOUNTS_TABLE)))
contents = per_process(lambda s: ContentRepository(s.resource(r.CONTENTS_TABLE)))
counters = per_process(lambda s: CounterRepository(s.resource(r.COUNTERS_TABLE)))
generation_times = per_process(lambda s: GenerationTimes(s.resource(r.COUNTERS_TABLE)))
heartbeats = per_process(lambda s: RunnerHeartbeats(s.resource(r.COUNTERS_TABLE)))
deliveries = per_process(lambda s: DeliveryRepository(s.resource(r.WEBHOOKS_TABLE)))
schedules = per_process(lambda s: ScheduleRepository(s.resource(r.SCHEDULES_TABLE)))
control_history = per_process(lambda s: ControlHistoryRepository(s.resource(r.CONTROLS_HISTORY_TABLE)))
