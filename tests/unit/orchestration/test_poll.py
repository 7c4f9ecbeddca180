"""Where a running task stands (contenthub.logic.poll.poll_task), from the runner's status row."""

from __future__ import annotations

from datetime import datetime, timedelta

import pytest

from contenthub.logic.poll import poll_task
from contenthub.models import PollOutcome, iso, job_id_for
from contenthub.settings import Settings
from contenthub.states import JobState, StopReason, TaskStatus
from tests.fixtures.entities import NOW, account, job, running_task
from tests.fixtures.fakes import Fakes

SETTINGS = Settings(ASYNC_TASK_TIMEOUT=1800, RUNNER_HEARTBEAT_SECONDS=10)
TASK_ID = "task-0123456789ab"
JOB_ID = job_id_for(TASK_ID, 1)
STARTED = NOW - timedelta(minutes=5)  # the execution's start time


@pytest.fixture
def fakes() -> Fakes:
    fakes = Fakes()
    fakes.db.add_account(account(49, language="zh-CN"))
    fakes.db.add_task(running_task(TASK_ID, started_at=STARTED, keywords=["AI"]))
    return fakes


def poll(fakes: Fakes, now: datetime = NOW, started_at: datetime = STARTED) -> PollOutcome:
    return poll_task(
        TASK_ID, 1, started_at, SETTINGS, fakes.tasks, fakes.jobs, now=now,  # type: ignore[arg-type]
        runner_jobs=fakes.runner_jobs, accounts=fakes.accounts,  # type: ignore[arg-type]
    )  # fmt: skip


def stored_progress(fakes: Fakes) -> tuple[int, str | None]:
    stored = fakes.tasks.get(TASK_ID)
    assert stored is not None
    return stored.progress, stored.stage


def test_a_running_job_reports_its_progress_on_the_task(fakes: Fakes) -> None:
    fakes.db.add_job(job(TASK_ID, progress=40, stage="writing", heartbeat_at=iso(NOW - timedelta(seconds=5))))
    assert poll(fakes) == PollOutcome(status=TaskStatus.RUNNING, progress=40, stage="writing")
    assert stored_progress(fakes) == (40, "writing")


def test_progress_on_the_task_never_moves_backwards(fakes: Fakes) -> None:
    fakes.db.add_job(job(TASK_ID, progress=40, stage="writing"))
    poll(fakes)
    fakes.jobs.progress(JOB_ID, 30, "revising", NOW)  # a late, lower report
    poll(fakes, NOW + timedelta(seconds=1))
    assert stored_progress(fakes) == (40, "writing")


def test_a_succeeded_job_gives_its_result_key(fakes: Fakes) -> None:
    fakes.db.add_job(job(TASK_ID))
    fakes.jobs.succeed(JOB_ID, "results/task-0123456789ab/1.json", NOW)
    outcome = poll(fakes)
    assert outcome.status == TaskStatus.SUCCEEDED and outcome.progress == 100
    assert outcome.result_key == "results/task-0123456789ab/1.json"


def test_a_failed_job_gives_its_error(fakes: Fakes) -> None:
    fakes.db.add_job(job(TASK_ID))
    fakes.jobs.fail(JOB_ID, "the creator exited with code 3", NOW)
    outcome = poll(fakes)
    assert outcome.status == TaskStatus.FAILED and outcome.error == "the creator exited with code 3"


def test_a_failed_job_without_an_error_still_says_why(fakes: Fakes) -> None:
    fakes.db.add_job(job(TASK_ID, status=JobState.FAILED))
    assert poll(fakes).error == "the creator failed"


def test_past_the_timeout_the_task_times_out_and_the_job_is_told_to_stop(fakes: Fakes) -> None:
    fakes.db.add_job(job(TASK_ID, progress=70, stage="writing"))
    outcome = poll(fakes, started_at=NOW - timedelta(seconds=1801))
    assert outcome.status == TaskStatus.TIMED_OUT
    assert outcome.error == "no result after 1801 s (ASYNC_TASK_TIMEOUT=1800)"
    assert fakes.jobs.stop_requested(JOB_ID) == StopReason.TIMED_OUT


def test_a_job_that_never_started_before_the_timeout_is_never_run(fakes: Fakes) -> None:
    assert poll(fakes, started_at=NOW - timedelta(seconds=1801)).status == TaskStatus.TIMED_OUT
    assert fakes.jobs.start(JOB_ID, TASK_ID, "offline", NOW) is False  # a runner that gets it later refuses


def test_a_dead_runner_s_job_is_queued_again_once_then_the_task_fails(fakes: Fakes) -> None:
    # Three heartbeat periods (30 s) without a heartbeat: the runner is gone.
    fakes.db.add_job(job(TASK_ID, progress=40, stage="writing", heartbeat_at=iso(NOW - timedelta(seconds=31))))
    fakes.tasks.update_progress(TASK_ID, 1, 40, "writing", NOW)
    outcome = poll(fakes)
    assert outcome == PollOutcome(
        status=TaskStatus.RUNNING, progress=0, stage="runner lost; waiting for another runner"
    )
    assert stored_progress(fakes) == (0, "runner lost; waiting for another runner")
    requeued = fakes.jobs.get(JOB_ID)
    assert requeued is not None and requeued.status == JobState.QUEUED and requeued.recoveries == 1
    [message] = fakes.runner_jobs.bodies
    assert message == {"job_id": JOB_ID, "task_id": TASK_ID, "attempt": 1, "account_id": 49, "topic": "AI trends",
                       "keywords": ["AI"], "language": "zh-CN"}  # fmt: skip

    # Another runner takes it, and dies too: no second recovery.
    later = NOW + timedelta(minutes=1)
    assert fakes.jobs.start(JOB_ID, TASK_ID, "offline", later)
    outcome = poll(fakes, later + timedelta(seconds=31))
    assert outcome.status == TaskStatus.FAILED and "dead runner" in (outcome.error or "")
    assert len(fakes.runner_jobs.sent) == 1


def test_a_fresh_heartbeat_is_not_a_dead_runner(fakes: Fakes) -> None:
    fakes.db.add_job(job(TASK_ID, heartbeat_at=iso(NOW - timedelta(seconds=29))))
    assert poll(fakes).status == TaskStatus.RUNNING
    assert fakes.runner_jobs.sent == []


@pytest.mark.parametrize(("waiting", "stage"), [
    (0, "waiting for a free runner slot (0 jobs queued)"),
    (1, "waiting for a free runner slot (1 job queued)"),
    (3, "waiting for a free runner slot (3 jobs queued)"),
])  # fmt: skip
def test_before_a_runner_takes_the_job_the_stage_says_how_many_wait(fakes: Fakes, waiting: int, stage: str) -> None:
    for n in range(waiting):
        fakes.runner_jobs.send({"job_id": f"task-00000000000{n}#1"})
    assert poll(fakes) == PollOutcome(status=TaskStatus.RUNNING, progress=0, stage=stage)
    assert stored_progress(fakes) == (0, stage)


def test_after_a_recovery_the_task_follows_the_new_run(fakes: Fakes) -> None:
    fakes.db.add_job(job(TASK_ID, progress=40, stage="writing", heartbeat_at=iso(NOW - timedelta(seconds=31))))
    poll(fakes)  # the dead runner is found; the job is queued again
    requeued = fakes.jobs.get(JOB_ID)
    assert requeued is not None and requeued.progress == 0  # the next run starts over
    waiting = poll(fakes, NOW + timedelta(seconds=30))  # still waiting for another runner
    assert (waiting.progress, waiting.stage) == (0, "runner lost; waiting for another runner")
    assert stored_progress(fakes) == (0, "runner lost; waiting for another runner")
    later = NOW + timedelta(minutes=1)
    fakes.jobs.start(JOB_ID, TASK_ID, "offline", later)
    fakes.jobs.progress(JOB_ID, 10, "writing again", later)
    poll(fakes, later + timedelta(seconds=5))
    assert stored_progress(fakes) == (10, "writing again")


def test_after_a_hand_back_the_task_follows_the_new_run(fakes: Fakes) -> None:
    fakes.db.add_job(job(TASK_ID, progress=40, stage="writing"))
    poll(fakes)
    assert fakes.jobs.hand_back(JOB_ID, NOW)  # its runner is stopping (a deploy, scale-in)
    assert poll(fakes, NOW + timedelta(seconds=5)).progress == 0
    assert stored_progress(fakes) == (0, "handed back by a stopping runner")
    later = NOW + timedelta(minutes=1)
    fakes.jobs.start(JOB_ID, TASK_ID, "offline", later)
    fakes.jobs.progress(JOB_ID, 10, "writing again", later)
    poll(fakes, later + timedelta(seconds=5))
    assert stored_progress(fakes) == (10, "writing again")


def test_a_job_queued_again_before_progress_was_reset_still_reports_0(fakes: Fakes) -> None:
    """A row re-queued by an older version kept the stopped run's progress: the poll reports 0."""
    fakes.tasks.update_progress(TASK_ID, 1, 40, "writing", NOW)
    fakes.db.add_job(job(TASK_ID, status=JobState.QUEUED, progress=40, stage="runner lost; waiting for another runner"))
    assert poll(fakes).progress == 0
    assert stored_progress(fakes) == (0, "runner lost; waiting for another runner")
