import json

from contenthub.logic.webhooks import MAX_PAYLOAD_BYTES, build_payload, delivery_id_for
from contenthub.models import utc_now
from contenthub.signing import load_secrets
from contenthub.states import TaskStatus
from tests.fixtures.entities import task

TASK = task(status=TaskStatus.FAILED, topic="t", keywords=["a"], error="boom")


def test_payload_has_the_standard_shape():
    body = json.loads(build_payload(TASK, "task.failed", "summary", utc_now()))
    assert body["type"] == "task.failed" and body["timestamp"].endswith("Z")
    assert body["data"]["task_id"] == "task-0123456789ab" and body["data"]["error"] == "boom"


def test_payload_stays_under_20_kb_however_long_the_text():
    huge = TASK.model_copy(update={"error": "x" * 50_000, "topic": "话" * 10_000, "keywords": ["k" * 50] * 500})
    encoded = build_payload(huge, "task.failed", "s" * 50_000, utc_now())
    assert len(encoded) < MAX_PAYLOAD_BYTES
    assert json.loads(encoded)["data"]["task_id"] == "task-0123456789ab"


def test_delivery_ids_are_stable_per_task_attempt_and_event():
    assert delivery_id_for("task-0123456789ab", 2, "task.timed_out") == "msg_0123456789ab_2_timed_out"


def test_secret_formats():
    assert load_secrets("whsec_abc") == ["whsec_abc"]
    assert load_secrets('{"prefix": "whsec_", "key": "abcd"}') == ["whsec_abcd"]
    assert load_secrets('{"keys": ["whsec_new", "whsec_old"]}') == ["whsec_new", "whsec_old"]
