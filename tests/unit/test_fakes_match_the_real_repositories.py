"""The fakes (tests/fixtures/fakes.py) cannot drift from the real repositories and services: the
same public methods, inherited ones included (Repository[E].get), with the same parameters (name,
kind, default) and the same type hints, a generic base's type variable read as the entity the
class binds it to (TaskRepository.get returns Task | None, and so must FakeTaskRepository.get)."""

from __future__ import annotations

import inspect
import typing
from typing import Any, TypeVar

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
# Repositories the unit tests do not need a fake of: the runner's slot leases and the live controls'
# change log (both tested on moto); and the transactions' plain argument types.
NOT_FAKED = {"SlotLeases", "ControlHistoryRepository", "Quota", "AccountTasks"}


def public_methods(cls: type) -> dict[str, Any]:
    """Public functions of the class (properties and dataclass fields are state, not methods)."""
    return {name: member for name, member in inspect.getmembers(cls, inspect.isfunction) if not name.startswith("_")}


def parameters(function: Any) -> list[tuple[str, Any, Any]]:
    return [(p.name, p.kind, p.default) for p in inspect.signature(function).parameters.values()]


def type_arguments(cls: type) -> dict[Any, Any]:
    """The type variables a class binds through its generic bases: TaskRepository(Repository[Task])
    gives {E: Task}."""
    bound: dict[Any, Any] = {}
    for klass in cls.__mro__:
        for base in getattr(klass, "__orig_bases__", ()):
            origin = typing.get_origin(base)
            if origin is not None and origin is not typing.Generic:
                bound.update(zip(origin.__parameters__, typing.get_args(base), strict=True))
    return bound


def type_hints(cls: type, function: Any) -> dict[str, Any]:
    """The function's type hints as seen on `cls`: its bound type variables replaced."""
    bound = type_arguments(cls)

    def resolve(hint: Any) -> Any:
        if isinstance(hint, TypeVar):
            return bound.get(hint, hint)
        free = getattr(hint, "__parameters__", ())
        return hint[tuple(bound.get(p, p) for p in free)] if free else hint

    return {name: resolve(hint) for name, hint in typing.get_type_hints(function).items()}


@pytest.mark.parametrize(("real", "fake"), PAIRS, ids=[real.__name__ for real, _ in PAIRS])
def test_fake_has_the_real_methods_and_parameters(real: type, fake: type) -> None:
    real_methods, fake_methods = public_methods(real), public_methods(fake)
    assert sorted(fake_methods) == sorted(real_methods)
    for name, method in real_methods.items():
        assert parameters(fake_methods[name]) == parameters(method), f"{fake.__name__}.{name}"
        assert type_hints(fake, fake_methods[name]) == type_hints(real, method), f"{fake.__name__}.{name}"


def test_inherited_methods_are_compared_with_the_entity_bound() -> None:
    real = type_hints(dal.TaskRepository, dal.TaskRepository.get)
    assert real == {"key": Any, "return": dal.TaskRepository.entity | None}
    assert type_hints(fakes.FakeTaskRepository, fakes.FakeTaskRepository.get) == real
    assert type_hints(fakes.FakeJobRepository, fakes.FakeJobRepository.get) != real


def test_every_repository_has_a_fake() -> None:
    classes = {name for name in dal.__all__ if inspect.isclass(getattr(dal, name))}
    assert classes - NOT_FAKED == {real.__name__ for real, _ in PAIRS if real.__module__.startswith("contenthub.dal")}
