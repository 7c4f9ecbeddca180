"""What the creator program receives (issue #12, Medium #9): an allow-listed environment (never
the runner's AWS credentials), and option values that cannot be read as options."""

import pytest
from pydantic import ValidationError

from contenthub.errors import CreatorError
from contenthub.models import BatchSubmitRequest, JobRequest, SubmitTaskRequest
from contenthub.settings import Settings
from contenthub_runner.creators import build_creator
from tests.conftest import FAKE_CREATOR

# What a runner on ECS has in its environment, besides the tests' own AWS_* settings.
RUNNER_ENVIRONMENT = {
    "AWS_CONTAINER_CREDENTIALS_RELATIVE_URI": "/v2/credentials/5f1e2d3c",
    "AWS_CONTAINER_CREDENTIALS_FULL_URI": "http://169.254.170.23/v1/credentials",
    "AWS_CONTAINER_AUTHORIZATION_TOKEN": "secret-token",
    "AWS_ACCESS_KEY_ID": "AKIAEXAMPLE",
    "AWS_SECRET_ACCESS_KEY": "secret",
    "AWS_SESSION_TOKEN": "session",
    "OPENAI_API_KEY": "sk-not-for-the-program",
    "JOBS_TABLE": "contenthub-jobs",
    "MY_CREATOR_MODEL": "model-7",
    "LC_ALL": "C.UTF-8",
    "TZ": "UTC",
}


@pytest.fixture(autouse=True)
def environment(tmp_path, monkeypatch):
    monkeypatch.setenv("FAKE_CREATOR_STATE", str(tmp_path))
    for name, value in RUNNER_ENVIRONMENT.items():
        monkeypatch.setenv(name, value)


def creator(mode="sync", **overrides):
    settings = Settings(CREATOR_KIND="cli", CREATOR_CLI_PATH=FAKE_CREATOR, CREATOR_MODE=mode, ASYNC_POLL_INTERVAL=1,
                        CREATOR_ENV_ALLOW="FAKE_CREATOR_STATE,MY_CREATOR_MODEL", **overrides)  # fmt: skip
    return build_creator("cli", settings)


def job(topic, keywords=("AI",)):
    return JobRequest(job_id="task-0123456789ab#1", task_id="task-0123456789ab", attempt=1, account_id=49,
                      topic=topic, keywords=list(keywords))  # fmt: skip


@pytest.mark.parametrize("mode", ["sync", "async"])
def test_the_program_gets_an_allow_listed_environment_without_aws_credentials(mode):
    received = creator(mode).generate(job("echo"), lambda *_: None, lambda: False).metadata["env"]
    assert not [name for name in received if name.upper().startswith("AWS_")], received
    assert "OPENAI_API_KEY" not in received and "JOBS_TABLE" not in received
    assert {"PATH", "LC_ALL", "TZ", "FAKE_CREATOR_STATE", "MY_CREATOR_MODEL"} <= set(received)


def test_aws_names_cannot_be_allowed():
    for names in ("AWS_SECRET_ACCESS_KEY", "MY_MODEL,AWS_CONTAINER_CREDENTIALS_RELATIVE_URI", "aws_session_token"):
        with pytest.raises(ValidationError, match="CREATOR_ENV_ALLOW"):
            Settings(CREATOR_ENV_ALLOW=names)


@pytest.mark.parametrize("mode", ["sync", "async"])
def test_a_topic_that_looks_like_an_option_arrives_as_the_topic(mode):
    article = creator(mode).generate(job("--help"), lambda *_: None, lambda: False)
    assert article.title == "About --help"


@pytest.mark.parametrize("mode", ["sync", "async"])
def test_a_keyword_that_looks_like_an_option_arrives_as_a_keyword(mode):
    article = creator(mode).generate(job("echo", ["--mode=async", "AI"]), lambda *_: None, lambda: False)
    assert article.tags == ["--mode=async", "AI"]
    argv = article.metadata["argv"]  # what `generate` received: one argv entry per option
    assert argv[:2] == ["generate", f"--mode={mode}"] and "--keywords=--mode=async,AI" in argv
    assert all(arg.startswith("--") and "=" in arg for arg in argv[1:]), argv


def test_the_old_argument_form_still_works_for_one_release_and_refuses_option_like_values():
    old = creator(CREATOR_ARG_STYLE="separate")
    argv = old.generate(job("echo"), lambda *_: None, lambda: False).metadata["argv"]
    assert argv[:5] == ["generate", "--mode", "sync", "--job-id", "task-0123456789ab#1"]
    with pytest.raises(CreatorError, match="CREATOR_ARG_STYLE=separate cannot pass the topic '--help'"):
        old.generate(job("--help"), lambda *_: None, lambda: False)


@pytest.mark.parametrize(
    ("keywords", "reason"),
    [(["AI", "a,b"], "commas"), (["a\x00b"], "control characters"), (["line\nbreak"], "control characters")],
)
def test_the_runner_refuses_keywords_the_contract_cannot_carry(keywords, reason):
    with pytest.raises(CreatorError, match=reason):
        creator().generate(job("AI", keywords), lambda *_: None, lambda: False)


@pytest.mark.parametrize("keyword", ["a,b", "a\x00b", "tab\there", "\x7f"])
def test_the_api_refuses_such_keywords(keyword):
    with pytest.raises(ValidationError, match="keywords"):
        SubmitTaskRequest(account_id=49, topic="AI", keywords=[keyword])
    with pytest.raises(ValidationError, match="keywords"):
        BatchSubmitRequest(account_ids=[49], keywords=[keyword])
    assert SubmitTaskRequest(account_id=49, topic="AI", keywords=["machine learning", "机器学习"]).keywords
