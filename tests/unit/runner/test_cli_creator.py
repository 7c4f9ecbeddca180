"""The `cli` creator against a real program following docs/creator-contract.md."""

import os
import time

import pytest
from pydantic import ValidationError

from contenthub.errors import ConfigurationError, CreatorError
from contenthub.models import JobRequest
from contenthub.settings import Settings
from contenthub_runner.creators import build_creator
from tests.conftest import FAKE_CREATOR


@pytest.fixture(autouse=True)
def state(tmp_path, monkeypatch):
    monkeypatch.setenv("FAKE_CREATOR_STATE", str(tmp_path))
    monkeypatch.setenv("CREATOR_ENV_ALLOW", "FAKE_CREATOR_STATE")


def creator(mode="sync", **overrides):
    settings = Settings(CREATOR_KIND="cli", CREATOR_CLI_PATH=FAKE_CREATOR, CREATOR_MODE=mode, ASYNC_POLL_INTERVAL=1,
                        CREATOR_KILL_GRACE_SECONDS=1, **overrides)  # fmt: skip
    return build_creator("cli", settings)


def job(topic="AI trends", keywords=("AI", "机器学习")):
    return JobRequest(job_id="task-0123456789ab#1", task_id="task-0123456789ab", attempt=1, account_id=49,
                      topic=topic, keywords=list(keywords))  # fmt: skip


@pytest.mark.parametrize("mode", ["sync", "async"])
def test_a_good_program_gives_an_article_and_progress(mode):
    seen = []
    article = creator(mode).generate(job(), lambda p, s: seen.append((p, s)), lambda: False)
    assert article.title == "About AI trends" and "## 机器学习" in article.body
    assert article.metadata == {"creator": "fake-cli"}
    assert seen and all(0 <= p < 100 for p, _ in seen)
    if mode == "sync":
        assert seen[:2] == [(20, "outlining"), (60, "drafting")]


@pytest.mark.parametrize(
    ("topic", "message"),
    [
        ("exit3", "the creator exited with code 3: boom: model unavailable"),
        ("garbage", "the creator printed malformed JSON"),
        ("empty", "the creator returned an empty article (no output)"),
        ("notitle", "the creator returned an empty article (title and body are required)"),
        ("huge", "over the 1000000-byte cap (CREATOR_MAX_OUTPUT_BYTES)"),
    ],
)
def test_each_bad_output_fails_with_a_message_that_says_which(topic, message):
    with pytest.raises(CreatorError) as caught:
        creator().generate(job(topic), lambda *_: None, lambda: False)
    assert message in caught.value.message


def test_async_failure_reports_the_programs_reason():
    with pytest.raises(CreatorError, match="the creator's job failed: quota exhausted"):
        creator("async").generate(job("asyncfail"), lambda *_: None, lambda: False)


@pytest.mark.parametrize("topic", ["hang", "hang-hard"])
def test_cancel_stops_the_program_within_five_seconds(topic):
    requested = time.monotonic() + 0.5
    started = time.monotonic()
    with pytest.raises(CreatorError, match="cancelled"):
        creator().generate(job(topic), lambda *_: None, lambda: time.monotonic() > requested)
    assert time.monotonic() - started < 5.5  # 0.5 s before the cancel, SIGKILL after 1 s grace


def test_async_cancel_stops_polling():
    requested = time.monotonic() + 0.3
    with pytest.raises(CreatorError, match="cancelled"):
        creator("async").generate(job("hang"), lambda *_: None, lambda: time.monotonic() > requested)


def test_a_program_that_cannot_run_is_a_clear_error():
    settings = Settings(CREATOR_KIND="cli", CREATOR_CLI_PATH="/nonexistent/creator", CREATOR_MODE="sync")
    with pytest.raises(CreatorError, match="cannot run the creator '/nonexistent/creator'"):
        build_creator("cli", settings).generate(job(), lambda *_: None, lambda: False)


def test_configuration_errors():
    with pytest.raises(ConfigurationError, match="CREATOR_CLI_PATH"):
        build_creator("cli", Settings(CREATOR_KIND="cli"))
    with pytest.raises(ValidationError, match="CREATOR_MODE"):  # refused when the settings load
        Settings(CREATOR_CLI_PATH=FAKE_CREATOR, CREATOR_MODE="turbo")


def test_the_fake_program_is_executable():
    assert os.access(FAKE_CREATOR, os.X_OK)
