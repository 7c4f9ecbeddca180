"""Creator output against the job row on moto (issue #12, Medium #5): whatever a creator prints or
raises, what the runner writes (stage, error, the number of writes) stays bounded."""

import threading

import pytest

from contenthub import dal
from contenthub.aws.s3 import ArticleStore
from contenthub.errors import CreatorError
from contenthub.models import JobRequest, job_id_for, utc_now
from contenthub.settings import Settings
from contenthub.states import CreatorKind, JobState, StopReason
from contenthub_runner.creators import build_creator
from contenthub_runner.job import run_job
from tests.conftest import FAKE_CREATOR

FEW_KB = 4096
MB = 1 << 20


def job(topic, task_hex):
    task_id = f"task-{task_hex}"
    return JobRequest(job_id=job_id_for(task_id, 1), task_id=task_id, attempt=1, account_id=49, topic=topic,
                      keywords=["AI"])  # fmt: skip


@pytest.fixture
def repos(stack):
    return dal.JobRepository(stack["JobsTable"]), ArticleStore(stack["ArticlesBucket"])


@pytest.fixture
def cli(tmp_path, monkeypatch):
    monkeypatch.setenv("FAKE_CREATOR_STATE", str(tmp_path))
    monkeypatch.setenv("CREATOR_ENV_ALLOW", "FAKE_CREATOR_STATE")
    return build_creator(
        CreatorKind.CLI, Settings(CREATOR_CLI_PATH=FAKE_CREATOR, CREATOR_MODE="sync", CREATOR_KILL_GRACE_SECONDS=1)
    )


class LoudCreator:
    """Any creator kind: reports a 1 MB stage, then fails with a 1 MB reason."""

    kind = "offline"

    def generate(self, job, progress, cancelled):
        progress(40, "s" * MB)
        raise CreatorError("r" * MB)


def test_a_creators_huge_stage_and_error_are_written_bounded(repos):
    jobs, articles = repos
    j = job("loud", "b0b000000001")
    assert run_job(j, LoudCreator(), jobs, articles) == "failed"
    row = jobs.get(j.job_id)
    assert row.status == JobState.FAILED and row.progress == 40
    assert row.stage.startswith("sss") and len(row.stage.encode()) <= FEW_KB and "truncated" in row.stage
    assert row.error.startswith("rrr") and len(row.error.encode()) <= FEW_KB and "truncated" in row.error


def test_a_one_megabyte_stderr_line_fails_the_job_with_a_bounded_error(repos, cli):
    jobs, articles = repos
    j = job("bigstderr", "b0b000000002")
    assert run_job(j, cli, jobs, articles) == "failed"
    error = jobs.get(j.job_id).error
    assert error.startswith("the creator exited with code 3: eee")
    assert len(error.encode()) <= FEW_KB and "truncated" in error


def test_a_one_megabyte_progress_stage_is_written_bounded(repos, cli):
    jobs, articles = repos
    j = job("bigstage hang", "b0b000000003")  # the big stage, then it hangs until cancelled
    threading.Timer(1.5, lambda: jobs.request_stop(j.job_id, StopReason.CANCELLED, utc_now())).start()
    assert run_job(j, cli, jobs, articles) == "cancelled"
    row = jobs.get(j.job_id)
    assert row.progress == 30 and row.stage.startswith("sss")
    assert len(row.stage.encode()) <= FEW_KB and "truncated" in row.stage
