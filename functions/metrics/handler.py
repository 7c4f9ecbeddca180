"""Monitor API: GET /metrics, GET /stats (daily) and GET /health, from O(1) counters, never a scan."""

from typing import Annotated, Any

from aws_lambda_powertools.event_handler import Response, content_types
from aws_lambda_powertools.event_handler.openapi.params import Query
from aws_lambda_powertools.logging import correlation_paths
from aws_lambda_powertools.utilities.typing import LambdaContext

from contenthub import dal
from contenthub.api import build_resolver
from contenthub.logic import monitor
from contenthub.observability import logger, metrics, tracer
from contenthub.settings import get_settings

settings = get_settings()
app = build_resolver()


@app.get("/metrics", summary="Total tasks, today's tasks, success rate, system status")
@tracer.capture_method
def get_metrics() -> dict[str, Any]:
    return monitor.metrics(dal.counters())


@app.get("/stats", summary="Daily statistics: submitted and ended tasks per UTC day, success rate")
@tracer.capture_method
def get_daily_stats(days: Annotated[int, Query(ge=1, le=90)] = 7) -> dict[str, Any]:
    return monitor.daily(dal.counters(), days)


@app.get("/health", summary="Dependency checks: healthy, degraded or unhealthy")
@tracer.capture_method
def get_health() -> Response[dict[str, Any]]:
    report = monitor.health(settings, dal.DependencyProbe(), dal.RunnerHeartbeats(settings.require("COUNTERS_TABLE")))
    status = 200 if report["status"] != "unhealthy" else 503
    return Response(status_code=status, content_type=content_types.APPLICATION_JSON, body=report)


@logger.inject_lambda_context(correlation_id_path=correlation_paths.API_GATEWAY_REST)
@metrics.log_metrics
@tracer.capture_lambda_handler
def main(event: dict[str, Any], context: LambdaContext) -> dict[str, Any]:
    return app.resolve(event, context)
