"""Operator numbers from O(1) counters (never a table scan), and the dependency health report."""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime, timedelta
from functools import partial
from typing import Any

from contenthub import dal, resources
from contenthub.aws.probe import DependencyProbe
from contenthub.dal.counters import Counter
from contenthub.models import day_of, iso, utc_now
from contenthub.settings import Settings
from contenthub.states import TERMINAL

ENDED = [s.value for s in TERMINAL]


def metrics(counters: dal.CounterRepository, now: datetime | None = None) -> dict[str, Any]:
    now = now or utc_now()
    day = day_of(now)
    values = counters.read([Counter.SUBMITTED, Counter.RETRIED, *ENDED], now)
    finished = sum(values[name] for name in ENDED)
    # Each attempt ends once: a retry starts one more attempt of a task already counted.
    in_flight = max(values[Counter.SUBMITTED] + values[Counter.RETRIED] - finished, 0)
    success_rate = values["succeeded"] / finished if finished else None
    degraded = success_rate is not None and finished >= 10 and success_rate < 0.5
    return {
        "total_tasks": values[Counter.SUBMITTED],
        "tasks_today": values[f"{Counter.SUBMITTED}:{day}"],
        "in_flight": in_flight,
        "by_status": {name: values[name] for name in ENDED},
        "today_by_status": {name: values[f"{name}:{day}"] for name in ENDED},
        "finished_today": sum(values[f"{name}:{day}"] for name in ENDED),
        "success_rate": round(success_rate, 4) if success_rate is not None else None,
        "system_status": "degraded" if degraded else "healthy",
        "as_of": iso(now),
    }


def daily(counters: dal.CounterRepository, days: int, now: datetime | None = None) -> dict[str, Any]:
    """Per UTC day, newest first: submitted and ended attempts by status, success rate."""
    now = now or utc_now()
    dates = [day_of(now - timedelta(days=i)) for i in range(days)]
    names = [Counter.SUBMITTED, *ENDED]
    values = counters.read_days(names, dates)
    rows = []
    for date in dates:
        row: dict[str, Any] = {"date": date, **{name: values[f"{name}:{date}"] for name in names}}
        finished = sum(row[name] for name in ENDED)
        row["success_rate"] = round(row["succeeded"] / finished, 4) if finished else None
        rows.append(row)
    return {"days": rows, "as_of": iso(now)}


def _check(checks: dict[str, dict[str, Any]], name: str, probe: Callable[[], Any], ok: Callable[[Any], bool],
           describe: Callable[[Any], str]) -> Any:  # fmt: skip
    try:
        value = probe()
    except Exception as error:  # a health check reports, it does not raise
        checks[name] = {"status": "error", "reason": f"{type(error).__name__}: {error}"}
        return None
    checks[name] = {"status": "ok" if ok(value) else "warn", "detail": describe(value)}
    return value


def _check_name(resource: resources.Resource) -> str:
    return resource.env.lower().removesuffix("_url")


def health(
    settings: Settings, probe: DependencyProbe, heartbeats: dal.RunnerHeartbeats, now: datetime | None = None
) -> dict[str, Any]:
    """healthy: everything answers; degraded: it answers but work is stuck (a DLQ holds messages,
    or jobs wait while no runner has beaten for three periods); unhealthy: a dependency fails."""
    now = now or utc_now()
    checks: dict[str, dict[str, Any]] = {}
    inspected = [r for r in resources.used_by(resources.Principal.METRICS) if r.users[resources.Principal.METRICS]
                 & resources.Access.INSPECT and settings.has(r)]  # fmt: skip
    waiting = 0
    for resource in inspected:
        name, value = _check_name(resource), settings.resource(resource)
        if resource.kind == resources.Kind.TABLE:
            _check(checks, name, partial(probe.table, value), lambda s: s == "ACTIVE", str)
        elif resource.kind == resources.Kind.STATE_MACHINE:
            _check(checks, "state_machine", partial(probe.state_machine, value), lambda s: s == "ACTIVE", str)
        elif "_DLQ_" in resource.env:
            _check(checks, name, partial(probe.queue_depth, value), lambda d: d == 0,
                   lambda d: f"{d} dead-lettered message(s)")  # fmt: skip
        else:
            depth = _check(checks, name, partial(probe.queue_depth, value), lambda d: True, lambda d: f"{d} waiting")
            if resource == resources.RUNNER_JOBS_QUEUE_URL:
                waiting = depth or 0
    beat = _check(checks, "runner_heartbeat", heartbeats.latest, lambda b: True, lambda b: "")
    if checks["runner_heartbeat"]["status"] != "error":
        stale_after = 3 * settings.RUNNER_HEARTBEAT_SECONDS
        age = (now - datetime.fromisoformat(beat.heartbeat_at)).total_seconds() if beat else None
        stale = age is None or age > stale_after
        checks["runner_heartbeat"] = {
            "status": "warn" if stale and waiting else "ok",
            "detail": (f"last heartbeat {age:.0f} s ago" if age is not None else "no runner heartbeat yet")
            + (f", {beat.slots_in_use}/{beat.slots} slots busy" if beat else "")
            + (f"; {waiting} job(s) waiting" if stale and waiting else ""),
        }
    statuses = {c["status"] for c in checks.values()}
    status = "unhealthy" if "error" in statuses else "degraded" if "warn" in statuses else "healthy"
    messages = {
        "healthy": "system healthy, running normally",
        "degraded": "system running, but work is stuck: "
        + ", ".join(n for n, c in checks.items() if c["status"] == "warn"),
        "unhealthy": "a dependency is failing: " + ", ".join(n for n, c in checks.items() if c["status"] == "error"),
    }
    return {"status": status, "message": messages[status], "checks": checks, "as_of": iso(now)}
