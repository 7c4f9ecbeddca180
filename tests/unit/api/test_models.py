import re

import pytest
from pydantic import ValidationError

from contenthub.models import (
    MAX_KEYWORDS,
    TASK_ID_PATTERN,
    SubmitTaskRequest,
    content_id_for,
    iso,
    new_task_id,
    utc_now,
)
from contenthub.states import TaskStatus


def test_task_ids_look_like_the_old_systems():
    ids = {new_task_id() for _ in range(200)}
    assert len(ids) == 200
    assert all(re.fullmatch(TASK_ID_PATTERN, task_id) for task_id in ids)


def test_valid_request_strips_whitespace_and_keeps_cjk():
    request = SubmitTaskRequest.model_validate(
        {"account_id": 49, "topic": "  人工智能发展趋势 ", "keywords": [" AI ", "机器学习"]}
    )
    assert request.topic == "人工智能发展趋势"
    assert request.keywords == ["AI", "机器学习"]
    assert request.auto_approve is None


@pytest.mark.parametrize(
    ("body", "field"),
    [
        ({"account_id": 49, "topic": ""}, "topic"),
        ({"account_id": 49, "topic": "   "}, "topic"),
        ({"account_id": 49, "topic": "x" * 201}, "topic"),
        ({"account_id": 49, "topic": "ok", "keywords": ["k"] * (MAX_KEYWORDS + 1)}, "keywords"),
        ({"account_id": 49, "topic": "ok", "colour": "blue"}, "colour"),
        ({"account_id": 0, "topic": "ok"}, "account_id"),
        ({"account_id": "forty-nine", "topic": "ok"}, "account_id"),
        ({"account_id": 49, "topic": "bad\x00topic"}, "topic"),
        ({"account_id": 49, "topic": "ok", "scheduled_publish_at": "2026-12-01T08:00:00"}, "scheduled_publish_at"),
    ],
)
def test_invalid_requests_name_the_field(body, field):
    with pytest.raises(ValidationError) as caught:
        SubmitTaskRequest.model_validate(body)
    assert field in str(caught.value)


def test_terminal_statuses():
    assert {s for s in TaskStatus if s.terminal} == {"succeeded", "failed", "cancelled", "timed_out"}


def test_iso_timestamps_sort_as_strings():
    earlier, later = utc_now(), utc_now()
    assert iso(earlier) <= iso(later)
    assert iso(earlier).endswith("Z")


def test_content_id_is_deterministic_per_attempt():
    assert content_id_for("task-0123456789ab", 1) == content_id_for("task-0123456789ab", 1)
    assert content_id_for("task-0123456789ab", 1) != content_id_for("task-0123456789ab", 2)
