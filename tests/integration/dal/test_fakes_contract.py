"""The fakes of tests/fixtures/fakes.py answer as the real repositories do: each scenario runs on
the real repositories (moto, tables with the deployed keys and indexes) and on the fakes, and
must observe the same things — return values, refusals, and the entities left behind."""

from __future__ import annotations

import uuid
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from datetime import timedelta
from typing import Any

import boto3
import pytest
from botocore.exceptions import ClientError
from moto import mock_aws

from contenthub import aws, dal
from contenthub.dal import AccountTasks, Quota
from contenthub.dal.tasks import task_item
from contenthub.models import DeliveryAttempt, ScheduleRecord, StoredContent, StoredDelivery, Task, iso
from contenthub.states import ContentStatus, DeliveryState, ScheduleState, ScheduleType, StopReason, TaskStatus
from tests.fixtures.entities import NOW, account, task
from tests.fixtures.fakes import FakeArticleStore, Fakes

LATER = NOW + timedelta(minutes=1)
Observation = list[Any]


@dataclass
class Side:
    tasks: Any
    transactions: Any
    jobs: Any
    accounts: Any
    contents: Any
    counters: Any
    generation_times: Any
    heartbeats: Any
    deliveries: Any
    schedules: Any
    put_task: Callable[[Task], None]


def fake_side() -> Side:
    f = Fakes()
    return Side(f.tasks, f.transactions, f.jobs, f.accounts, f.contents, f.counters, f.generation_times,
                f.heartbeats, f.deliveries, f.schedules, f.db.add_task)  # fmt: skip


def _table(name: str, key: str, key_type: str = "S", indexes: dict[str, tuple[str, str]] | None = None) -> None:
    attributes = {key: key_type, **({"created_at": "S"} if indexes else {})}
    attributes.update({pk: kind for pk, kind in (indexes or {}).values()})
    gsis = [
        {"IndexName": index, "Projection": {"ProjectionType": "ALL"},
         "KeySchema": [{"AttributeName": pk, "KeyType": "HASH"}, {"AttributeName": "created_at", "KeyType": "RANGE"}]}
        for index, (pk, _) in (indexes or {}).items()
    ]  # fmt: skip
    boto3.client("dynamodb").create_table(
        TableName=name, BillingMode="PAY_PER_REQUEST", KeySchema=[{"AttributeName": key, "KeyType": "HASH"}],
        AttributeDefinitions=[{"AttributeName": n, "AttributeType": t} for n, t in attributes.items()],
        **({"GlobalSecondaryIndexes": gsis} if gsis else {}),
    )  # fmt: skip


def real_side() -> Side:
    """Fresh tables shaped as infra/components/storage.py and webhooks.py define them."""
    run = uuid.uuid4().hex[:8]
    names = {n: f"contract-{n}-{run}" for n in ("tasks", "contents", "jobs", "counters", "accounts", "deliveries",
                                                 "schedules")}  # fmt: skip
    by_time = {"by_status": ("status", "S"), "by_account": ("account_id", "N"), "by_month": ("created_month", "S")}
    _table(names["tasks"], "task_id", indexes=by_time)
    _table(names["contents"], "content_id", indexes=by_time)
    _table(names["jobs"], "job_id")
    _table(names["counters"], "name")
    _table(names["accounts"], "account_id", "N")
    _table(names["deliveries"], "delivery_id", indexes={"by_status": ("status", "S")})
    _table(names["schedules"], "schedule_id")

    def put_task(stored: Task) -> None:  # a task in any state, as the table holds it
        item = {
            **task_item(stored),
            **({"history": stored.model_dump(mode="json")["history"]} if stored.history else {}),
        }
        aws.dynamodb_table(names["tasks"]).put_item(Item=item)

    return Side(
        dal.TaskRepository(names["tasks"]),
        dal.Transactions(names["tasks"], names["counters"], names["accounts"], names["contents"]),
        dal.JobRepository(names["jobs"]), dal.AccountRepository(names["accounts"]),
        dal.ContentRepository(names["contents"]), dal.CounterRepository(names["counters"]),
        dal.GenerationTimes(names["counters"]), dal.RunnerHeartbeats(names["counters"]),
        dal.DeliveryRepository(names["deliveries"]), dal.ScheduleRepository(names["schedules"]), put_task,
    )  # fmt: skip


@pytest.fixture
def moto() -> Iterator[None]:
    """Its own mock (no synth): nested inside the session's stack it resets nothing there."""
    with mock_aws():
        aws.client.cache_clear()
        aws.dynamodb_table.cache_clear()
        yield
    aws.client.cache_clear()
    aws.dynamodb_table.cache_clear()


def outcome(call: Callable[[], Any]) -> Any:
    """A call's answer, or the error it raised: a domain error's type and message, an AWS error's code
    (botocore raises modeled subclasses of ClientError, such as ConflictException)."""
    try:
        return call()
    except ClientError as error:
        return ("ClientError", aws.error_code(error))
    except Exception as error:  # noqa: BLE001 - compared, not hidden
        return (type(error).__name__, str(error))


def tid(n: int) -> str:
    return f"task-{n:012x}"


def content(n: int) -> StoredContent:
    return StoredContent(content_id=f"content-{n:012x}-1", account_id=1, generation_task_id=tid(n), title="t",
                         body="b", status=ContentStatus.DRAFT, created_at=iso(NOW), updated_at=iso(NOW))  # fmt: skip


# -- scenarios -----------------------------------------------------------------------------------
def submit_and_quota(s: Side) -> Observation:
    for record in (account(1), account(2, daily_quota=2), account(3, daily_quota=3, usage={"2026-11-28": 1})):
        s.accounts.create(record)
    t = lambda n, a: task(tid(n), account_id=a)  # noqa: E731

    def submit(tasks: list[Task], quota: Quota | None = None, topic_uses: tuple[str, ...] = ()) -> bool:
        return bool(s.transactions.submit([AccountTasks(tasks, quota, list(topic_uses))], NOW))

    seen = [submit([t(0, 9)]), submit([t(1, 1)])]  # no such account; unlimited
    seen += [submit([t(2, 2)]), submit([t(3, 2)]), submit([t(4, 2)])]  # quota 2
    seen += [submit([t(5, 1), t(6, 1)], Quota(None), topic_uses=("a", "b", "a"))]
    seen += [submit([t(7, 2)], Quota(None)), submit([t(7, 2)], Quota(3))]  # quota is 2
    seen += [submit([t(8, 3), t(9, 3), t(10, 3)], Quota(3)), submit([t(8, 3), t(9, 3)], Quota(3))]
    seen += [submit([t(1, 1), t(11, 1)], Quota(None))]  # task 1 exists: nothing of it is written
    seen += [submit([t(12, 3), t(13, 3), t(14, 3), t(15, 3)], Quota(3))]  # more than the quota: never fits
    seen += [s.tasks.get(tid(n)) for n in range(16)] + [s.accounts.get(a) for a in (1, 2, 3)]
    return [*seen, s.counters.read(["submitted"], NOW)]


def submit_several_accounts(s: Side) -> Observation:
    """One transaction for several accounts: all of them or none."""
    for record in (account(1, topics=["a", "b"]), account(2, daily_quota=2), account(3, daily_quota=1)):
        s.accounts.create(record)
    t = lambda n, a: task(tid(n), account_id=a)  # noqa: E731
    both = [AccountTasks([t(0, 1), t(1, 1)], Quota(None), ["a", "b"]), AccountTasks([t(2, 2), t(3, 2)], Quota(2))]
    refused = [AccountTasks([t(4, 1)], Quota(None), ["a"]), AccountTasks([t(5, 3), t(6, 3)], Quota(1))]
    later = [AccountTasks([t(7, 1)], Quota(None)), AccountTasks([t(8, 2)], Quota(2))]  # account 2 is full now
    seen = [
        s.transactions.submit(both, NOW),
        s.transactions.submit(refused, LATER),
        s.transactions.submit(later, LATER),
    ]
    seen += [s.tasks.get(tid(n)) for n in range(9)] + [s.accounts.get(a) for a in (1, 2, 3)]
    return [*seen, s.counters.read(["submitted"], NOW)]


def withdraw(s: Side) -> Observation:
    """The undo of a submit: tasks, usage, topics' last use and counters as they were before."""
    s.accounts.create(account(1, topics=["a", "b", "c"], topic_last_used={"a": iso(NOW - timedelta(days=1))}))
    s.accounts.create(account(2, daily_quota=5))
    t = lambda n, a: task(tid(n), account_id=a)  # noqa: E731
    pool = AccountTasks([t(0, 1), t(1, 1)], Quota(None), ["a", "b"], {"a": iso(NOW - timedelta(days=1)), "b": ""})
    quota = AccountTasks([t(2, 2), t(3, 2)], Quota(5))
    seen = [s.transactions.submit([pool], NOW), s.transactions.submit([quota], NOW), s.accounts.get(1)]
    s.put_task(t(3, 2).model_copy(update={"status": TaskStatus.RUNNING}))  # one of them has started meanwhile
    seen += [
        s.transactions.withdraw(pool, NOW),
        s.transactions.withdraw(quota, NOW),
        s.transactions.withdraw(pool, NOW),
    ]
    seen += [s.tasks.get(tid(n)) for n in range(4)] + [s.accounts.get(a) for a in (1, 2)]
    return [*seen, s.counters.read(["submitted"], NOW)]


def finish(s: Side) -> Observation:
    s.accounts.create(account(1))
    for n, status in enumerate([TaskStatus.PENDING, TaskStatus.RUNNING, TaskStatus.SUCCEEDED, TaskStatus.RUNNING]):
        s.put_task(task(tid(n), account_id=1, status=status))
    s.put_task(task(tid(4), account_id=1, status=TaskStatus.RUNNING, attempt=2))
    done = s.transactions.finish
    seen = [done(tid(0), 1, TaskStatus.FAILED, NOW, error="boom"), done(tid(0), 1, TaskStatus.CANCELLED, LATER)]
    seen += [done(tid(1), 1, TaskStatus.SUCCEEDED, NOW, content=content(1)), done(tid(2), 1, TaskStatus.FAILED, NOW)]
    seen += [done(tid(3), 1, TaskStatus.SUCCEEDED, NOW, content=content(1)), done(tid(9), 1, TaskStatus.FAILED, NOW)]
    seen += [done(tid(4), 1, TaskStatus.FAILED, NOW, error="a late result of attempt 1")]  # attempt 2 runs
    seen += [done(tid(4), 2, TaskStatus.TIMED_OUT, NOW)]
    seen += [s.tasks.get(tid(n)) for n in range(5)] + [s.contents.get(content(1).content_id)]
    return [*seen, s.counters.read([s.value for s in TaskStatus], NOW)]


def retry(s: Side) -> Observation:
    failed = task(tid(1), status=TaskStatus.FAILED, error="boom", started_at=iso(NOW), finished_at=iso(LATER))
    s.put_task(failed)
    seen = [s.transactions.retry(failed.model_copy(update={"attempt": 2}), NOW)]
    seen += [s.transactions.retry(failed.model_copy(update={"status": TaskStatus.TIMED_OUT}), NOW)]
    seen += [s.transactions.retry(failed, NOW), s.transactions.retry(failed, NOW), s.tasks.get(tid(1))]
    again = s.tasks.get(tid(1)).model_copy(update={"status": TaskStatus.CANCELLED})
    s.put_task(again)
    seen += [s.transactions.retry(again, LATER), s.tasks.get(tid(1))]
    return [*seen, s.counters.read(["retried"], NOW)]


def progress_and_delete(s: Side) -> Observation:
    s.put_task(task(tid(1), status=TaskStatus.RUNNING, progress=40))
    s.put_task(task(tid(2)))
    s.put_task(task(tid(3), status=TaskStatus.SUCCEEDED))
    for args in [(tid(1), 1, 30, "back"), (tid(1), 1, 50, "on"), (tid(2), 1, 10, "x"), (tid(9), 1, 10, "x")]:
        s.tasks.update_progress(*args, NOW)
    s.tasks.update_progress(tid(1), 2, 60, "another attempt's", NOW)  # not the current attempt: nothing
    s.tasks.update_progress(tid(1), 2, 0, "another attempt's", NOW, allow_backwards=True)
    s.tasks.update_progress(tid(1), 1, 5, None, LATER, allow_backwards=True)
    deleted = [s.tasks.delete_finished(tid(n)) for n in (1, 3, 3, 9)]
    return [*deleted, *(s.tasks.get(tid(n)) for n in (1, 2, 3, 9))]


def jobs(s: Side) -> Observation:
    j = s.jobs
    seen = [j.start("a#1", tid(1), "offline", NOW, "r1"), j.start("a#1", tid(1), "offline", LATER)]
    j.request_stop("b#1", StopReason.CANCELLED, NOW)
    seen += [j.start("b#1", tid(2), "offline", NOW), j.get("b#1"), j.stop_requested("b#1"), j.stop_requested("a#1")]
    j.touch("a#1", LATER)
    j.touch("c#1", LATER)  # no such job: nothing is written
    j.progress("a#1", 50, "writing", LATER)
    seen += [j.requeue_dead("a#1", LATER, 1, LATER), j.requeue_dead("a#1", LATER + timedelta(seconds=1), 1, LATER)]
    seen += [j.requeue_dead("a#1", LATER + timedelta(seconds=1), 1, LATER), j.get("a#1")]
    seen += [j.start("a#1", tid(1), "offline", LATER, "r2"), j.requeue_dead("a#1", LATER + timedelta(days=1), 1, LATER)]
    seen += [j.hand_back("a#1", LATER), j.hand_back("a#1", LATER), j.hand_back("x#1", LATER), j.get("a#1")]
    j.succeed("d#1", "results/d.json", NOW)  # upserts, as the runner's own row writes
    j.fail("e#1", "boom", NOW)
    return [*seen, j.get("c#1"), j.get("d#1"), j.get("e#1")]


def deliveries(s: Side) -> Observation:
    d = s.deliveries
    record = StoredDelivery(delivery_id="msg_000000000001_1_failed", event_type="task.failed", task_id=tid(1),
                            url="https://h.example/x", status=DeliveryState.PENDING, payload="{}",
                            created_at=iso(NOW), updated_at=iso(NOW))  # fmt: skip
    key = record.delivery_id
    soon, later = NOW + timedelta(seconds=30), LATER + timedelta(seconds=30)
    seen = [d.create(record, 100), d.create(record, 200), d.claim_attempt(key, 2, NOW, soon)]
    seen += [d.claim_attempt(key, 1, NOW, soon, 1), d.claim_attempt(key, 1, NOW, soon, 0)]
    seen += [d.claim_attempt(key, 1, NOW, soon), d.reopen(key, NOW), d.get(key)]  # held: refused
    seen += [d.claim_attempt(key, 1, soon + timedelta(seconds=1), later), d.get(key)]  # expired: taken over
    d.record_attempt(key, DeliveryAttempt(attempt=1, at=iso(NOW), status=500), DeliveryState.PENDING, NOW, iso(LATER))
    seen += [d.reopen(key, NOW), d.get(key)]  # a retry is ahead: refused
    d.record_attempt(key, DeliveryAttempt(attempt=2, at=iso(LATER), error="timeout"), DeliveryState.DEAD, LATER)
    seen += [d.by_state(DeliveryState.DEAD), d.by_state(DeliveryState.PENDING), d.reopen(key, LATER)]
    seen += [d.reopen(key, LATER + timedelta(days=1)), d.claim_attempt(key, 1, LATER, later, 0)]
    seen += [d.claim_attempt(key, 1, LATER, later, 2), d.get(key), d.get("msg_x")]
    d.disable_endpoint("endpoint#abc", "https://h.example/x", NOW)
    return [*seen, d.endpoint_disabled("endpoint#abc"), d.endpoint_disabled("endpoint#def")]


def contents_and_accounts(s: Side) -> Observation:
    s.accounts.create(account(1))
    s.put_task(task(tid(1), account_id=1))
    s.transactions.finish(tid(1), 1, TaskStatus.SUCCEEDED, NOW, content=content(1))
    c, cid = s.contents, content(1).content_id
    seen = [c.review(cid, ContentStatus.APPROVED, [ContentStatus.DRAFT, ContentStatus.REJECTED], "ok", NOW)]
    seen += [c.review(cid, ContentStatus.APPROVED, [ContentStatus.DRAFT], None, LATER)]
    seen += [c.review("content-ffffffffffff-1", ContentStatus.REJECTED, [ContentStatus.DRAFT], None, NOW)]
    c.mark_announced(cid, LATER)
    seen += [c.get(cid), c.page(10, None, account_id=1), c.page(10, None, status=ContentStatus.APPROVED)]
    seen += [c.page(10, None, month="2026-11"), c.page(10, None, status=ContentStatus.DRAFT)]
    a = s.accounts
    seen += [outcome(lambda: a.create(account(1))), a.update(1, {"tone": "formal", "daily_quota": 5}, NOW)]
    seen += [
        a.update(1, {"daily_quota": None, "topics": ["x"]}, LATER),
        outcome(lambda: a.update(2, {"tone": "x"}, NOW)),
    ]
    a.create(account(2))
    a.create(account(3))
    first, key = a.page(2, None)
    rest, _ = a.page(2, key)
    return [*seen, outcome(lambda: a.require(4)), sorted(r.account_id for r in first + rest)]


def lists(s: Side) -> Observation:
    statuses = [TaskStatus.FAILED, TaskStatus.PENDING, TaskStatus.FAILED, TaskStatus.FAILED, TaskStatus.FAILED]
    for n, status in enumerate(statuses):
        created = iso(NOW - timedelta(days=40 * (n % 2), minutes=n))
        s.put_task(task(tid(n), account_id=1 + n % 2, status=status, created_at=created))

    def walk(page: Callable[[Any], tuple[list[Task], Any]]) -> list[list[str]]:
        pages, key = [], None
        while True:
            found, key = page(key)
            pages.append([t.task_id for t in found])
            if not key:
                return [p for p in pages if p]  # AWS may end with an empty page; moto does not

    seen = [walk(lambda k: s.tasks.by_status(TaskStatus.FAILED, 2, "0", "9", k))]
    seen += [walk(lambda k: s.tasks.by_status(TaskStatus.FAILED, 2, "0", "9", k, account_id=1))]
    seen += [walk(lambda k: s.tasks.by_account(1, 2, iso(NOW - timedelta(days=1)), "9", k))]
    seen += [
        walk(lambda k: s.tasks.by_month("2026-11", 10, "0", "9", k)),
        s.tasks.ids_by_status(TaskStatus.FAILED, 10, iso(NOW))[0],
    ]
    return [
        *seen,
        s.tasks.count(TaskStatus.FAILED),
        s.tasks.count(TaskStatus.FAILED, until=iso(NOW - timedelta(days=1))),
    ]


def counters_and_runners(s: Side) -> Observation:
    for seconds in (12.3456, 7, 30.5):
        s.generation_times.record("offline", seconds)
    s.heartbeats.beat("runner-1", 2, 5, NOW)
    schedule = ScheduleRecord(schedule_id="batch-0123456789", name="n", type=ScheduleType.ASYNC_CONTENT_GENERATION,
                              cron="0 8 * * *", timezone="UTC", expression="cron(0 8 * * ? *)",
                              params={"account_ids": [1]}, state=ScheduleState.ENABLED, created_at=iso(NOW),
                              updated_at=iso(NOW))  # fmt: skip
    s.schedules.put(schedule)
    s.schedules.set_fields(schedule.schedule_id, last_fired_at=iso(LATER), state="DISABLED")
    seen = [s.schedules.get(schedule.schedule_id), s.schedules.all()]
    s.schedules.delete(schedule.schedule_id)
    seen += [
        s.schedules.get(schedule.schedule_id),
        s.generation_times.recent("offline"),
        s.generation_times.recent("x"),
    ]
    s.accounts.create(account(1))
    s.put_task(task(tid(1), account_id=1, status=TaskStatus.RUNNING))
    s.transactions.submit([AccountTasks([task(tid(2), account_id=1)])], NOW)
    s.transactions.submit([AccountTasks([task(tid(3), account_id=1)])], NOW + timedelta(days=1))
    s.transactions.finish(tid(1), 1, TaskStatus.FAILED, NOW)
    days = ["2026-11-27", "2026-11-28", "2026-11-29"]
    counts = [s.counters.read_days(["submitted", "failed", "succeeded"], days), s.counters.read(["submitted"], NOW)]
    return [*seen, s.heartbeats.latest(), *counts]


def refusals(s: Side) -> Observation:
    """What AWS refuses (and moto with it), the fakes refuse the same way, writing nothing."""
    s.accounts.create(account(1))
    twice = [task(tid(1), account_id=1)] * 2
    one_account_twice = [AccountTasks([task(tid(2), account_id=1)]), AccountTasks([task(tid(3), account_id=1)])]
    too_many = [AccountTasks([task(tid(10 + n), account_id=1) for n in range(98)])]  # 98 + account + 2 shards
    return [
        outcome(lambda: s.counters.read_days(["submitted"], ["2026-11-28", "2026-11-28"])),
        outcome(lambda: s.accounts.update(1, {"length": 1.5}, NOW)),  # boto3 refuses floats
        outcome(lambda: s.schedules.set_fields("batch-0123456789")),
        outcome(lambda: s.transactions.submit([AccountTasks(twice)], NOW)),
        outcome(lambda: s.transactions.submit(one_account_twice, NOW)),
        outcome(lambda: s.transactions.submit(too_many, NOW)),
        *(s.tasks.get(tid(n)) for n in (1, 2, 3, 10)), s.accounts.get(1), s.counters.read(["submitted"], NOW),
    ]  # fmt: skip


SCENARIOS = [submit_and_quota, submit_several_accounts, withdraw, finish, retry, progress_and_delete, jobs, deliveries,
             contents_and_accounts, lists, counters_and_runners, refusals]  # fmt: skip


@pytest.mark.parametrize("scenario", SCENARIOS, ids=[s.__name__ for s in SCENARIOS])
def test_the_fake_answers_as_the_real_repository(moto: None, scenario: Callable[[Side], Observation]) -> None:
    real, fake = scenario(real_side()), scenario(fake_side())
    assert len(fake) == len(real)
    for position, (seen_fake, seen_real) in enumerate(zip(fake, real, strict=True)):
        assert seen_fake == seen_real, f"observation {position} of {scenario.__name__}"


# -- the services --------------------------------------------------------------------------------
@dataclass
class Services:
    queue: Any
    articles: Any
    orchestrator: Any
    batch_schedules: Any
    one_time: Any


def real_services(run: str) -> Services:
    from contenthub.aws.s3 import ArticleStore
    from contenthub.aws.scheduler import BatchSchedules, OneTimeEvents
    from contenthub.aws.sqs import Queue
    from contenthub.aws.stepfunctions import Orchestrator

    url = boto3.client("sqs").create_queue(QueueName=f"contract-{run}")["QueueUrl"]
    boto3.client("s3").create_bucket(Bucket=f"contract-{run}")
    role = "arn:aws:iam::123456789012:role/contract"
    machine = boto3.client("stepfunctions").create_state_machine(
        name=f"contract-{run}",
        roleArn=role,
        definition='{"StartAt": "P", "States": {"P": {"Type": "Pass", "End": true}}}',
    )["stateMachineArn"]
    return Services(Queue(url), ArticleStore(f"contract-{run}"), Orchestrator(machine),
                    BatchSchedules("arn:aws:lambda:us-east-1:123456789012:function:batch", role),
                    OneTimeEvents("arn:aws:events:us-east-1:123456789012:event-bus/default", role))  # fmt: skip


def fake_services(run: str) -> Services:
    f = Fakes(articles=FakeArticleStore(f"contract-{run}"))
    return Services(f.intake, f.articles, f.orchestrator, f.batch_schedules, f.publish_schedules)


def services(s: Services) -> Observation:
    from contenthub.models import Article

    q = s.queue
    q.send({"n": 1})
    q.send({"n": 2}, delay_seconds=5000)  # clamped to 900 s: delayed, not waiting
    seen: Observation = [q.depth()]
    received = q.receive_one(0)
    seen += [received["Body"], q.depth(), q.receive_one(0)]
    q.release(received["ReceiptHandle"])
    again = q.receive_one(0)
    q.delete(again["ReceiptHandle"])
    seen += [again["Body"], q.depth()]

    s.articles.put("results/a.json", Article(title="t", body="b", metadata={"words": 2}))
    seen += [s.articles.get("results/a.json"), outcome(lambda: s.articles.get("results/missing.json"))]

    o = s.orchestrator
    seen += [o.start("task-000000000001", {"a": 1}), o.start("task-000000000001", {"a": 1})]  # idempotent repeat
    seen += [o.start("task-000000000001", {"a": 2}), o.stop("task-000000000001", "cancelled"), o.stop("nope", "x")]
    seen += [o.start("task-000000000001", {"a": 1})]  # ended: the name is taken

    schedules = s.batch_schedules
    schedules.create("batch-0123456789", "cron(0 8 * * ? *)", "UTC", ScheduleState.ENABLED, "n")
    seen += [outcome(lambda: schedules.create("batch-0123456789", "rate(1 day)", "UTC", ScheduleState.ENABLED, "n"))]
    seen += [outcome(lambda: schedules.update("batch-ffffffffff", "rate(1 day)", "UTC", ScheduleState.ENABLED, "n"))]
    schedules.delete("batch-0123456789")
    schedules.delete("batch-0123456789")  # gone already: not an error
    created = [s.one_time.create("publish-content-1", LATER, "contenthub", "content.publish_due", {"a": 1})]
    created += [s.one_time.create("publish-content-1", LATER, "contenthub", "content.publish_due", {"a": 1})]
    return [*seen, *created]


def test_the_fake_services_answer_as_the_real_ones(moto: None) -> None:
    run = uuid.uuid4().hex[:8]
    real, fake = services(real_services(run)), services(fake_services(run))
    for position, (seen_fake, seen_real) in enumerate(zip(fake, real, strict=True)):
        assert seen_fake == seen_real, f"observation {position}"
