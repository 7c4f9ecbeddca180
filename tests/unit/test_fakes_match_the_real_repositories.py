"""The fakes (tests/fixtures/fakes.py) cannot drift from the real repositories and services: the
same public methods, with the same parameters (name, kind, default) and the same type hints."""

from __future__ import annotations

import inspect
import typing
from typing import Any

import pytest

from contenthub import dal
from contenthub.aws.events import EventBus
from contenthub.aws.s3 import ArticleStore
from contenthub.aws.scheduler import BatchSchedules, OneTimeEvents
from contenthub.aws.sqs import Queue
from contenthub.aws.stepfunctions import Orchestrator
from tests.fixtures import fakes

PAIRS: list[tuple[type, type]] = [
    (dal.TaskRepository, fakes.FakeTaskRepository),
    (dal.Transactions, fakes.FakeTransactions),
    (dal.JobRepository, fakes.FakeJobRepository),
    (dal.AccountRepository, fakes.FakeAccountRepository),
    (dal.ContentRepository, fakes.FakeContentRepository),
    (dal.CounterRepository, fakes.FakeCounterRepository),
    (dal.GenerationTimes, fakes.FakeGenerationTimes),
    (dal.DeliveryRepository, fakes.FakeDeliveryRepository),
    (dal.ScheduleRepository, fakes.FakeScheduleRepository),
    (dal.RunnerHeartbeats, fakes.FakeRunnerHeartbeats),
    (Queue, fakes.FakeQueue),
    (ArticleStore, fakes.FakeArticleStore),
    (Orchestrator, fakes.FakeOrchestrator),
    (BatchSchedules, fakes.FakeBatchSchedules),
    (OneTimeEvents, fakes.FakeOneTimeEvents),
    (EventBus, fakes.FakeEventBus),
]
# Repositories the unit tests do not need a fake of: the runner's slot leases (tested on moto).
NOT_FAKED = {"SlotLeases", "Quota"}


def public_methods(cls: type) -> dict[str, Any]:
    """Public functions of the class (properties and dataclass fields are state, not methods)."""
    return {name: member for name, member in inspect.getmembers(cls, inspect.isfunction) if not name.startswith("_")}


def parameters(function: Any) -> list[tuple[str, Any, Any]]:
    return [(p.name, p.kind, p.default) for p in inspect.signature(function).parameters.values()]


@pytest.mark.parametrize(("real", "fake"), PAIRS, ids=[real.__name__ for real, _ in PAIRS])
def test_fake_has_the_real_methods_and_parameters(real: type, fake: type) -> None:
    real_methods, fake_methods = public_methods(real), public_methods(fake)
    assert sorted(fake_methods) == sorted(real_methods)
    for name, method in real_methods.items():
        assert parameters(fake_methods[name]) == parameters(method), f"{fake.__name__}.{name}"
        assert typing.get_type_hints(fake_methods[name]) == typing.get_type_hints(method), f"{fake.__name__}.{name}"


def test_every_repository_has_a_fake() -> None:
    classes = {name for name in dal.__all__ if inspect.isclass(getattr(dal, name))}
    assert classes - NOT_FAKED == {real.__name__ for real, _ in PAIRS if real.__module__.startswith("contenthub.dal")}
