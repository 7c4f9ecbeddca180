"""An Idempotency-Key whose first request was killed mid-way (a timeout, out of memory) is locked
only for the rest of that invocation's time, not for IDEMPOTENCY_TTL_SECONDS (issue #12, item 8)."""

from __future__ import annotations

import time
import uuid
from dataclasses import dataclass

import pytest

from contenthub.logic import batch, submit
from tests.conftest import FakeLambdaContext
from tests.integration.conftest import call, reset_caches

BODY = {"account_id": 49, "topic": "submitted once, killed once"}
BATCH = {"account_ids": [49], "topics": ["a killed batch"]}


class Killed(BaseException):
    """The invocation dies: nothing after this point runs, no handler cleans up (not an Exception,
    so Powertools' own error path, which deletes the in-progress record, does not run either)."""


@dataclass
class EndingContext(FakeLambdaContext):
    """A Lambda context with `left_ms` of the invocation's time remaining."""

    left_ms: int = 30_000

    def get_remaining_time_in_millis(self) -> int:
        return self.left_ms


def killed_submit(key: str, left_ms: int, monkeypatch: pytest.MonkeyPatch, path: str = "/tasks") -> None:
    """A first POST with `key` that dies inside submit, `left_ms` before its timeout."""

    def dies(*_: object, **__: object) -> None:
        raise Killed

    with monkeypatch.context() as patched:
        if path == "/tasks":
            patched.setattr(submit, "submit_task", dies)
        else:
            patched.setattr(batch, "submit_batch", dies)
        with pytest.raises(Killed):
            call("POST", path, BODY if path == "/tasks" else BATCH, headers={"Idempotency-Key": key},
                 context=EndingContext(aws_request_id=str(uuid.uuid4()), left_ms=left_ms))  # fmt: skip


def tasks_named(topic: str) -> int:
    listed = call("GET", "/tasks", query={"account_id": 49, "limit": 100})[1]["tasks"]
    return sum(1 for task in listed if task["topic"] == topic)


@pytest.fixture(scope="module")
def api(stack):
    reset_caches()


def test_a_key_left_in_progress_by_a_killed_invocation_frees_when_its_time_is_up(api, monkeypatch):
    key = f"killed-{uuid.uuid4().hex[:8]}"
    before = tasks_named(BODY["topic"])
    killed_submit(key, left_ms=50, monkeypatch=monkeypatch)
    time.sleep(0.2)  # the killed invocation's time is up
    status, task, headers = call("POST", "/tasks", BODY, headers={"Idempotency-Key": key})
    assert status == 202, task
    assert "Idempotent-Replayed" not in headers
    again = call("POST", "/tasks", BODY, headers={"Idempotency-Key": key})
    assert again[0] == 202 and again[1]["task_id"] == task["task_id"] and again[2]["Idempotent-Replayed"] == "true"
    assert tasks_named(BODY["topic"]) == before + 1


def test_a_key_still_in_progress_is_409_until_then(api, monkeypatch):
    key = f"running-{uuid.uuid4().hex[:8]}"
    killed_submit(key, left_ms=30_000, monkeypatch=monkeypatch)
    status, answer, _ = call("POST", "/tasks", BODY, headers={"Idempotency-Key": key})
    assert status == 409 and answer["error"]["code"] == "idempotency_in_progress"


def test_a_killed_batch_frees_its_key_too(api, monkeypatch):
    key = f"batch-{uuid.uuid4().hex[:8]}"
    killed_submit(key, left_ms=50, monkeypatch=monkeypatch, path="/tasks/batch")
    time.sleep(0.2)
    status, result, _ = call("POST", "/tasks/batch", BATCH, headers={"Idempotency-Key": key})
    assert status == 202 and result["created"] == 1, result
