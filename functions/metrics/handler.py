"""Monitor API: GET /metrics, GET /stats (daily) and GET /health, from O(1) counters, never a scan."""

from typing import Annotated, Any

from aws_lambda_powertools.event_handler import Response
from aws_lambda_powertools.event_handler.openapi.params import Query

from contenthub import dal
from contenthub.api import build_resolver, json_response, rest_handler
from contenthub.aws.probe import DependencyProbe
from contenthub.logic import monitor
from contenthub.resources import Principal
from contenthub.settings import load_settings

settings = load_settings(Principal.METRICS)
app = build_resolver()


@app.get("/metrics", summary="Total tasks, today's tasks, success rate, system status")
def get_metrics() -> dict[str, Any]:
    return monitor.metrics(dal.counters())


@app.get("/stats", summary="Daily statistics: submitted and ended tasks per UTC day, success rate")
def get_daily_stats(days: Annotated[int, Query(ge=1, le=90)] = 7) -> dict[str, Any]:
    return monitor.daily(dal.counters(), days)


@app.get("/health", summary="Dependency checks: healthy, degraded or unhealthy")
def get_health() -> Response[dict[str, Any]]:
    report = monitor.health(settings, DependencyProbe(), dal.heartbeats())
    return json_response(200 if report["status"] != "unhealthy" else 503, report)


main = rest_handler(app)
