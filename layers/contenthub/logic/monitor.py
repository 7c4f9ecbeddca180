"""Operator numbers from O(1) counters: never a table scan."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from contenthub import dal
from contenthub.models import iso, utc_now

TERMINAL = ["succeeded", "failed", "timed_out", "cancelled"]


def metrics(counters: dal.CounterRepository, now: datetime | None = None) -> dict[str, Any]:
    now = now or utc_now()
    day = now.strftime("%Y-%m-%d")
    values = counters.read(["submitted", *TERMINAL], now)
    finished = sum(values[name] for name in TERMINAL)
    finished_today = sum(values[f"{name}:{day}"] for name in TERMINAL)
    in_flight = max(values["submitted"] - finished, 0)
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


def health(counters: dal.CounterRepository, now: datetime | None = None) -> dict[str, Any]:
    now = now or utc_now()
    checks: dict[str, dict[str, str]] = {}
    try:
        counters.read(["submitted"], now)
        checks["counters_table"] = {"status": "ok"}
    except Exception as error:  # a health check reports, it does not raise
        checks["counters_table"] = {"status": "error", "reason": str(error)}
    healthy = all(c["status"] == "ok" for c in checks.values())
    return {
        "status": "healthy" if healthy else "unhealthy",
        "message": "system healthy, running normally" if healthy else "a dependency is failing",
        "checks": checks,
        "as_of": iso(now),
    }
