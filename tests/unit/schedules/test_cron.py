"""Cron as the old system wrote it and as EventBridge Scheduler wants it: translation both ways,
validation, previews in a timezone."""

from datetime import UTC, datetime

import pytest

from contenthub import cron


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


NOT_ZONES = ["localtime", "posixrules", "Factory", "right/UTC", "posix/Asia/Shanghai", "utc", "Asia/Shanghai ",
             "../zoneinfo/UTC", "Asia/Shanghai\x00", "x" * 51]  # fmt: skip


@pytest.mark.parametrize("name", NOT_ZONES)
def test_only_time_zones_eventbridge_scheduler_accepts(name):
    with pytest.raises(cron.CronError, match="unknown timezone"):
        cron.zone(name)


@pytest.mark.parametrize("name", ["UTC", "Etc/UTC", "Asia/Shanghai", "America/Argentina/Buenos_Aires", "US/Eastern"])
def test_iana_names_and_their_aliases_are_accepted(name):
    assert cron.zone(name).key == name
