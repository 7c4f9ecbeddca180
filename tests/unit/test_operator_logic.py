"""Pure operator logic: cron translation and previews, topic pool order, quota messages, webhook
target per account."""

from datetime import UTC, datetime

import pytest

from contenthub import cron
from contenthub.errors import InvalidRequest
from contenthub.logic.submit import firing_task_id, pick_topics, quota_error
from contenthub.logic.webhooks import target_url
from contenthub.settings import Settings


@pytest.mark.parametrize(
    ("unix", "aws"),
    [
        ("0 8 * * *", "cron(0 8 * * ? *)"),
        ("30 9 * * 1-5", "cron(30 9 ? * 2-6 *)"),
        ("0 0 1 * *", "cron(0 0 1 * ? *)"),
        ("0 12 * * 0", "cron(0 12 ? * 1 *)"),
        ("0 12 * * 7", "cron(0 12 ? * 1 *)"),
        ("0 0 * * 5-7", "cron(0 0 ? * 6-7,1 *)"),
        ("*/15 * * * mon-fri", "cron(*/15 * ? * MON-FRI *)"),
        ("0 6 * jan,jul *", "cron(0 6 * JAN,JUL ? *)"),
    ],
)
def test_unix_cron_becomes_the_scheduler_form_and_back(unix, aws):
    assert cron.to_aws(unix) == aws
    back = cron.from_aws(aws)
    after = datetime(2026, 11, 28, tzinfo=UTC)
    # Same fire times both ways (the text may differ: 7 and 0 are both Sunday).
    assert [next(cron.fire_times(back, "UTC", after)) for _ in range(1)] == [next(cron.fire_times(unix, "UTC", after))]


@pytest.mark.parametrize(
    ("expression", "fragment"),
    [
        ("0 8 * *", "expected 5"),
        ("0 24 * * *", "invalid cron"),
        ("0 8 1 * 1", "only one of them"),
        ("0 8 * * 1L", "not supported"),
    ],
)
def test_invalid_cron_says_why(expression, fragment):
    with pytest.raises(cron.CronError, match=fragment):
        cron.to_aws(expression)


def test_fire_times_follow_the_timezone_and_its_dst():
    # 08:00 in New York is 13:00 UTC in winter and 12:00 UTC in summer.
    after = datetime(2026, 3, 7, 0, 0, tzinfo=UTC)
    times = cron.fire_times("0 8 * * *", "America/New_York", after)
    first, second = next(times), next(times)
    assert first.astimezone(UTC).hour == 13 and second.astimezone(UTC).hour == 12  # DST began 2026-03-08
    with pytest.raises(cron.CronError, match="unknown timezone"):
        cron.zone("Europe/Atlantis")


def test_topic_pool_least_recently_used_first():
    account = {"account_id": 1, "topics": ["a", "b", "c"], "topic_last_used": {"a": "2026-11-02", "b": "2026-11-01"}}
    assert pick_topics(account, 4, []) == ["c", "b", "a", "c"]  # never used first, then oldest use
    assert pick_topics(account, 3, ["x", "y"]) == ["x", "y", "x"]
    with pytest.raises(InvalidRequest, match="no topic pool"):
        pick_topics({"account_id": 2}, 1, [])


def test_quota_error_names_the_numbers_and_the_reset_time():
    now = datetime(2026, 11, 28, 22, 0, tzinfo=UTC)
    account = {"account_id": 7, "daily_quota": 3, "usage": {"2026-11-28": 2}}
    assert quota_error(account, 1, now) is None
    error = quota_error(account, 2, now)
    assert error is not None and error.http_status == 429
    assert "2 of 3 tasks used today, 2 more requested" in error.message and "2026-11-29T00:00:00.000Z" in error.message
    assert error.headers["Retry-After"] == "7200"
    assert quota_error({"account_id": 8, "daily_quota": None}, 1000, now) is None


def test_a_firing_always_maps_to_the_same_task_ids():
    assert firing_task_id("batch-1@2026-11-28T08:00:00.000Z", 49, 0) == firing_task_id(
        "batch-1@2026-11-28T08:00:00.000Z", 49, 0
    )
    assert firing_task_id("batch-1@2026-11-28T08:00:00.000Z", 49, 0) != firing_task_id(
        "batch-1@2026-11-29T08:00:00.000Z", 49, 0
    )


def test_webhook_target_prefers_the_account():
    on = Settings(WEBHOOK_ENABLED=True, WEBHOOK_URL="https://global.example/hook")
    off = Settings(WEBHOOK_ENABLED=False, WEBHOOK_URL="https://global.example/hook")
    assert target_url(on, None) == "https://global.example/hook"
    assert target_url(on, {"webhook_url": "https://mine.example/hook"}) == "https://mine.example/hook"
    assert target_url(off, {"webhook_url": "https://mine.example/hook"}) == "https://mine.example/hook"
    assert target_url(on, {"webhook_url": "https://mine.example/hook", "webhook_enabled": False}) is None
    assert target_url(off, {}) is None
