"""Submit rules: topic pool order, quota messages, firing task ids."""

from datetime import UTC, datetime

import pytest

from contenthub.errors import InvalidRequest
from contenthub.logic.submit import derived_task_id, pick_topics, quota_error
from tests.fixtures.entities import account


def test_topic_pool_least_recently_used_first():
    pool = account(1, topics=["a", "b", "c"], topic_last_used={"a": "2026-11-02", "b": "2026-11-01"})
    assert pick_topics(pool, 4, []) == ["c", "b", "a", "c"]  # never used first, then oldest use
    assert pick_topics(pool, 3, ["x", "y"]) == ["x", "y", "x"]
    with pytest.raises(InvalidRequest, match="no topic pool"):
        pick_topics(account(2), 1, [])


def test_quota_error_names_the_numbers_and_the_reset_time():
    now = datetime(2026, 11, 28, 22, 0, tzinfo=UTC)
    limited = account(7, daily_quota=3, usage={"2026-11-28": 2})
    assert quota_error(limited, 1, now) is None
    error = quota_error(limited, 2, now)
    assert error is not None and error.http_status == 429
    assert "2 of 3 tasks used today, 2 more requested" in error.message and "2026-11-29T00:00:00.000Z" in error.message
    assert error.headers["Retry-After"] == "7200"
    assert quota_error(account(8), 1000, now) is None


def test_a_firing_always_maps_to_the_same_task_ids():
    assert derived_task_id("batch-1@2026-11-28T08:00:00.000Z", 49, 0) == derived_task_id(
        "batch-1@2026-11-28T08:00:00.000Z", 49, 0
    )
    assert derived_task_id("batch-1@2026-11-28T08:00:00.000Z", 49, 0) != derived_task_id(
        "batch-1@2026-11-29T08:00:00.000Z", 49, 0
    )
