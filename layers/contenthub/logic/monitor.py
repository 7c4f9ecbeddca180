"""Operator numbers from O(1) counters: never a table scan."""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime, timedelta
from functools import partial
from typing import Any

from contenthub import dal
from contenthub.models import iso, utc_now
from contenthub.settings import Settings

TERMINAL = ["succeeded", "failed", "timed_out", "cancelled"]


def metrics(counters: dal.CounterRepository, now: datetime | None = None) -> dict[str, Any]:
    now = now or utc_now()
    day = now.strftime("%Y-%m-%d")
    values = counters.read(["submitted", "retried", *TERMINAL], now)
    finished = sum(values[name] for name in TERMINAL)
    finished_today = sum(values[f"{name}:{day}"] for name in TERMINAL)
    # Each attempt ends once: a retry starts one more attempt of a task already counted.
    in_flight = max(values["submitted"] + values["retried"] - finished, 0)
    success_rate = values["succeeded"] / finished if finished else None
    return {
        "total_tasks": values["submitted"],
        "tasks_today": values[f"submitted:{day}"],
        "in_flight": in_flight,
        "by_status": {name: values[name] for name in TERMINAL},
        "today_by_status": {name: values[f"{name}:{day}"] for name in TERMINAL},
        "finished_today": finished_today,
        "success_rate": round(success_rate, 4) if success_rate is not None else None,
        "system_status": "degraded"
        if success_rate is not None and finished >= 10 and success_rate < 0.5
        else "healthy",
        "as_of": iso(now),
    }


def daily(counters: dal.CounterRepository, days: int, now: datetime | None = None) -> dict[str, Any]:
    """Per UTC day, newest first: submitted and ended attempts by status, success rate."""
    now = now or utc_now()
    dates = [(now - timedelta(days=i)).strftime("%Y-%m-%d") for i in range(days)]
    names = ["submitted", *TERMINAL]
    values = counters.read_keys([f"{name}:{date}" for date in dates for name in names])
    rows = []
    for date in dates:
        row: dict[str, Any] = {"date": date, **{name: values[f"{name}:{date}"] for name in names}}
        finished = sum(row[name] for name in TERMINAL)
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


def health(
    settings: Settings, probe: dal.DependencyProbe, heartbeats: dal.RunnerHeartbeats, now: datetime | None = None
) -> dict[str, Any]:
    """healthy: everything answers; degraded: it answers but work is stuck (a DLQ holds messages,
    or jobs wait while no runner has beaten for three periods); unhealthy: a dependency fails."""
    now = now or utc_now()
    checks: dict[str, dict[str, Any]] = {}
    for setting in ("TASKS_TABLE", "CONTENTS_TABLE", "JOBS_TABLE", "COUNTERS_TABLE", "WEBHOOKS_TABLE"):
        name = getattr(settings, setting)
        if name:
            _check(checks, setting.lower(), partial(probe.table, name), lambda s: s == "ACTIVE", lambda s: str(s))
    for setting in ("INTAKE_QUEUE_URL", "WEBHOOK_QUEUE_URL"):
        url = getattr(settings, setting)
        if url:
            _check(
                checks,
                setting.lower()[:-4],
                partial(probe.queue_depth, url),
                lambda d: True,
                lambda d: f"{d} waiting",
            )
    for setting in ("INTAKE_DLQ_URL", "RUNNER_JOBS_DLQ_URL", "WEBHOOK_DLQ_URL"):
        url = getattr(settings, setting)
        if url:
            _check(checks, setting.lower()[:-4], partial(probe.queue_depth, url), lambda d: d == 0,
                   lambda d: f"{d} dead-lettered message(s)")  # fmt: skip
    if settings.STATE_MACHINE_ARN:
        _check(checks, "state_machine", lambda: probe.state_machine(settings.STATE_MACHINE_ARN or ""),
               lambda s: s == "ACTIVE", lambda s: str(s))  # fmt: skip
    waiting = 0
    if settings.RUNNER_JOBS_QUEUE_URL:
        waiting = _check(checks, "runner_jobs_queue", lambda: probe.queue_depth(settings.RUNNER_JOBS_QUEUE_URL or ""),
                         lambda d: True, lambda d: f"{d} waiting") or 0  # fmt: skip
    beat = _check(checks, "runner_heartbeat", heartbeats.latest, lambda b: True, lambda b: "")
    if "runner_heartbeat" in checks and checks["runner_heartbeat"]["status"] != "error":
        stale_after = 3 * settings.RUNNER_HEARTBEAT_SECONDS
        age = (now - datetime.fromisoformat(beat["heartbeat_at"])).total_seconds() if beat else None
        stale = age is None or age > stale_after
        checks["runner_heartbeat"] = {
            "status": "warn" if stale and waiting else "ok",
            "detail": (f"last heartbeat {age:.0f} s ago" if age is not None else "no runner heartbeat yet")
            + (f", {beat['slots_in_use']}/{beat['slots']} slots busy" if beat else "")
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
