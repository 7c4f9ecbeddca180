"""Data access: the only package that talks to DynamoDB. One module per aggregate, each returning
typed entities (contenthub.models); multi-table writes in `transactions`, cursors in `pages`.
Handlers build repositories with the cached factories below (one per process, as in a warm
Lambda); logic receives them as arguments, so tests can pass fakes."""

from __future__ import annotations

from functools import lru_cache

from contenthub import resources as r
from contenthub.dal.accounts import AccountRepository
from contenthub.dal.contents import ContentRepository
from contenthub.dal.counters import CounterRepository, GenerationTimes
from contenthub.dal.deliveries import DeliveryRepository
from contenthub.dal.jobs import JobRepository
from contenthub.dal.runners import RunnerHeartbeats, SlotLeases
from contenthub.dal.schedules import ScheduleRepository
from contenthub.dal.tasks import TaskRepository
from contenthub.dal.transactions import Quota, Transactions
from contenthub.settings import get_settings

__all__ = [
    "AccountRepository", "ContentRepository", "CounterRepository", "DeliveryRepository", "GenerationTimes",
    "JobRepository", "Quota", "RunnerHeartbeats", "ScheduleRepository", "SlotLeases", "TaskRepository",
    "Transactions", "accounts", "contents", "counters", "deliveries", "generation_times", "heartbeats", "jobs",
    "schedules", "tasks", "transactions",
]  # fmt: skip


def _name(resource: r.Resource) -> str:
    return get_settings().resource(resource)


@lru_cache(maxsize=1)
def tasks() -> TaskRepository:
    return TaskRepository(_name(r.TASKS_TABLE))


@lru_cache(maxsize=1)
def transactions() -> Transactions:
    settings = get_settings()
    return Transactions(
        _name(r.TASKS_TABLE), _name(r.COUNTERS_TABLE),
        accounts_table=settings.optional(r.ACCOUNTS_TABLE), contents_table=settings.optional(r.CONTENTS_TABLE),
        retention_days=settings.TASK_RETENTION_DAYS,
    )  # fmt: skip


@lru_cache(maxsize=1)
def jobs() -> JobRepository:
    return JobRepository(_name(r.JOBS_TABLE))


@lru_cache(maxsize=1)
def accounts() -> AccountRepository:
    return AccountRepository(_name(r.ACCOUNTS_TABLE))


@lru_cache(maxsize=1)
def contents() -> ContentRepository:
    return ContentRepository(_name(r.CONTENTS_TABLE))


@lru_cache(maxsize=1)
def counters() -> CounterRepository:
    return CounterRepository(_name(r.COUNTERS_TABLE))


@lru_cache(maxsize=1)
def generation_times() -> GenerationTimes:
    return GenerationTimes(_name(r.COUNTERS_TABLE))


@lru_cache(maxsize=1)
def heartbeats() -> RunnerHeartbeats:
    return RunnerHeartbeats(_name(r.COUNTERS_TABLE))


@lru_cache(maxsize=1)
def deliveries() -> DeliveryRepository:
    return DeliveryRepository(_name(r.WEBHOOKS_TABLE))


@lru_cache(maxsize=1)
def schedules() -> ScheduleRepository:
    return ScheduleRepository(_name(r.SCHEDULES_TABLE))


def cache_clear() -> None:
    """Forget every cached repository (tests that change the environment)."""
    for factory in (tasks, transactions, jobs, accounts, contents, counters, generation_times, heartbeats,
                    deliveries, schedules):  # fmt: skip
        factory.cache_clear()
