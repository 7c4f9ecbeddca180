"""Creator output against the job row on moto (issue #12, Medium #5): whatever a creator prints or
raises, what the runner writes (stage, error, the number of writes) stays bounded."""

import collections
import threading
import time

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


@pytest.fixture
def job_row_writes(stack):
    """UpdateItem requests the runner sends for each job row (counted on the client, as sent)."""
    from contenthub.aws import dynamodb_table

    counts: collections.Counter[str] = collections.Counter()

    def count(params, **_):
        key = params["Key"]["job_id"]
        counts[key["S"] if isinstance(key, dict) else key] += 1

    events = dynamodb_table(stack["JobsTable"]).meta.client.meta.events
    events.register("provide-client-params.dynamodb.UpdateItem", count, unique_id="count-job-row-writes")
    yield counts
    events.unregister("provide-client-params.dynamodb.UpdateItem", unique_id="count-job-row-writes")


def test_twenty_thousand_progress_lines_make_about_one_write_a_second(repos, cli, job_row_writes):
    jobs, articles = repos
    j = job("chatty", "b0b000000004")
    started = time.monotonic()
    assert run_job(j, cli, jobs, articles) == "succeeded"
    elapsed = time.monotonic() - started
    row = jobs.get(j.job_id)
    assert row.status == JobState.SUCCEEDED and row.progress == 100
    # start + one progress write a second (and the last one) + the outcome
    assert job_row_writes[j.job_id] <= elapsed + 4, (job_row_writes[j.job_id], elapsed)


def test_the_last_progress_before_the_end_is_still_written(repos, cli, job_row_writes):
    jobs, articles = repos
    j = job("chatty exit3", "b0b000000005")  # 20,000 PROGRESS lines, the last "99 polishing", then exit 3
    started = time.monotonic()
    assert run_job(j, cli, jobs, articles) == "failed"
    elapsed = time.monotonic() - started
    row = jobs.get(j.job_id)
    assert row.error == "the creator exited with code 3: boom: model unavailable"
    assert (row.progress, row.stage) == (99, "polishing")
    assert job_row_writes[j.job_id] <= elapsed + 4, (job_row_writes[j.job_id], elapsed)
