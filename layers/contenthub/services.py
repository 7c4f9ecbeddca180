"""Cached factories for the AWS services other than DynamoDB (contenthub.aws), built from the
function's settings, one per process."""

from __future__ import annotations

from functools import lru_cache

from contenthub import resources as r
from contenthub.aws.events import EventBus
from contenthub.aws.s3 import ArticleStore
from contenthub.aws.scheduler import BatchSchedules, OneTimeEvents
from contenthub.aws.sqs import Queue
from contenthub.aws.stepfunctions import Orchestrator
from contenthub.settings import get_settings


def _value(resource: r.Resource) -> str:
    return get_settings().resource(resource)


@lru_cache(maxsize=1)
def intake_queue() -> Queue:
    return Queue(_value(r.INTAKE_QUEUE_URL))


@lru_cache(maxsize=1)
def runner_jobs_queue() -> Queue:
    return Queue(_value(r.RUNNER_JOBS_QUEUE_URL))


@lru_cache(maxsize=1)
def webhook_queue() -> Queue:
    return Queue(_value(r.WEBHOOK_QUEUE_URL))


@lru_cache(maxsize=1)
def articles() -> ArticleStore:
    return ArticleStore(_value(r.ARTICLES_BUCKET))


@lru_cache(maxsize=1)
def orchestrator() -> Orchestrator:
    return Orchestrator(_value(r.STATE_MACHINE_ARN))


@lru_cache(maxsize=1)
def batch_schedules() -> BatchSchedules:
    return BatchSchedules(_value(r.BATCH_FUNCTION_ARN), _value(r.BATCH_SCHEDULER_ROLE_ARN))


@lru_cache(maxsize=1)
def content_bus() -> EventBus:
    return EventBus(_value(r.EVENT_BUS_NAME))


@lru_cache(maxsize=1)
def publish_schedules() -> OneTimeEvents:
    return OneTimeEvents(_value(r.EVENT_BUS_ARN), _value(r.PUBLISH_SCHEDULER_ROLE_ARN))


def cache_clear() -> None:
    for factory in (intake_queue, runner_jobs_queue, webhook_queue, articles, orchestrator, batch_schedules,
                    content_bus, publish_schedules):  # fmt: skip
        factory.cache_clear()
