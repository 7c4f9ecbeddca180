"""The `cli` creator against hostile output (issue #12, Medium #5): whatever the program prints,
the runner's memory and every text it passes on stay within a few KB."""

import tracemalloc

import pytest

from contenthub.errors import CreatorError
from contenthub.models import JobRequest
from contenthub.settings import Settings
from contenthub_runner.creators import build_creator
from tests.conftest import FAKE_CREATOR

FEW_KB = 4096


@pytest.fixture(autouse=True)
def state(tmp_path, monkeypatch):
    monkeypatch.setenv("FAKE_CREATOR_STATE", str(tmp_path))
    monkeypatch.setenv("CREATOR_ENV_ALLOW", "FAKE_CREATOR_STATE")


def creator(mode="sync", **overrides):
    settings = Settings(CREATOR_KIND="cli", CREATOR_CLI_PATH=FAKE_CREATOR, CREATOR_MODE=mode, ASYNC_POLL_INTERVAL=1,
                        CREATOR_KILL_GRACE_SECONDS=1, **overrides)  # fmt: skip
    return build_creator("cli", settings)


def job(topic):
    return JobRequest(job_id="task-0123456789ab#1", task_id="task-0123456789ab", attempt=1, account_id=49,
                      topic=topic, keywords=["AI"])  # fmt: skip


def test_a_one_megabyte_stderr_line_is_read_in_bounded_memory_and_quoted_bounded():
    program = creator()
    tracemalloc.start()
    try:
        with pytest.raises(CreatorError) as caught:
            program.generate(job("bigstderr"), lambda *_: None, lambda: False)
        _, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    message = caught.value.message
    assert peak < 512 * 1024, f"reading one 1 MB stderr line peaked at {peak} bytes"  # a short one: ~150 KB
    assert message.startswith("the creator exited with code 3: eeee")
    assert len(message.encode()) <= FEW_KB and "truncated" in message


def test_a_one_megabyte_progress_stage_arrives_bounded():
    stages = []
    article = creator().generate(job("bigstage"), lambda p, s: stages.append((p, s)), lambda: False)
    assert article.title == "About bigstage"
    [(percent, stage)] = [(p, s) for p, s in stages if s.startswith("sss")]
    assert percent == 30 and len(stage.encode()) <= FEW_KB and "truncated" in stage


def test_an_async_status_error_of_900_kb_fails_the_job_with_a_bounded_reason():
    with pytest.raises(CreatorError) as caught:
        creator("async").generate(job("bigerror"), lambda *_: None, lambda: False)
    message = caught.value.message
    assert message.startswith("the creator's job failed: rrrr")
    assert len(message.encode()) <= FEW_KB and "truncated" in message


@pytest.mark.parametrize("text", ["a" * 5000, "机器学习" * 1000, "é" * 3000 + "🙂" * 500])
def test_clip_keeps_valid_utf8_within_the_limit_and_says_it_cut(text):
    from contenthub.models.jobs import clip

    clipped = clip(text, 200)
    assert len(clipped.encode()) <= 200 and clipped.endswith(f"… [truncated from {len(text.encode())} bytes]")
    assert text.startswith(clipped.split("…")[0]) and clip("short", 200) == "short"
