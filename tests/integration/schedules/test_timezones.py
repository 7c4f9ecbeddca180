"""Schedules take only the time zones EventBridge Scheduler accepts (issue #12, low): the files a
system's zoneinfo folder also holds (localtime, posixrules, Factory, posix/…, right/…) are refused
at create and preview time, before Scheduler would refuse them."""

import pytest

from tests.integration.conftest import call, reset_caches

NOT_SCHEDULER_ZONES = ["localtime", "posixrules", "Factory", "right/Asia/Shanghai", "posix/UTC"]


@pytest.fixture(scope="module")
def api(stack):
    reset_caches()


@pytest.mark.parametrize("timezone", NOT_SCHEDULER_ZONES)
def test_create_refuses_zones_scheduler_does_not_know(api, timezone):
    before = len(call("GET", "/schedules")[1]["schedules"])
    body = {"name": "tz", "cron": "0 8 * * *", "timezone": timezone, "params": {"account_ids": [49]}}
    status, answer, _ = call("POST", "/schedules", body)
    assert status == 422 and "unknown timezone" in answer["error"]["message"], answer
    assert len(call("GET", "/schedules")[1]["schedules"]) == before


@pytest.mark.parametrize("timezone", NOT_SCHEDULER_ZONES)
def test_preview_refuses_them_too(api, timezone):
    status, answer, _ = call("GET", "/schedules/preview", query={"cron": "0 8 * * *", "timezone": timezone})
    assert status == 422 and "unknown timezone" in answer["error"]["message"], answer


def test_a_scheduler_zone_previews(api):
    status, preview, _ = call("GET", "/schedules/preview", query={"cron": "0 8 * * *", "timezone": "Asia/Kolkata"})
    assert status == 200 and preview["fire_times"][0].endswith("T08:00:00+05:30")
