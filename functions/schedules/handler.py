"""Schedules API: cron batch schedules on EventBridge Scheduler — create, list, show, pause,
resume, delete, run now, preview fire times."""

from typing import Annotated, Any

from aws_lambda_powertools.event_handler import Response
from aws_lambda_powertools.event_handler.openapi.params import Path, Query
from aws_lambda_powertools.logging import correlation_paths
from aws_lambda_powertools.utilities.typing import LambdaContext

from contenthub import dal
from contenthub.api import build_resolver, json_response
from contenthub.logic import schedules
from contenthub.models import BatchResult, Schedule, ScheduleCreate, ScheduleList, iso, utc_now
from contenthub.observability import logger, metrics, tracer
from contenthub.settings import get_settings

settings = get_settings()
app = build_resolver()
ScheduleId = Annotated[str, Path(pattern=r"^batch-[0-9a-f]{10}$")]


@app.post("/schedules", summary="Create a cron schedule", responses={201: {"description": "created"}})
@tracer.capture_method
def create(request: ScheduleCreate) -> Response[Schedule]:
    schedule = schedules.create_schedule(request, dal.schedules(), dal.scheduler(), dal.accounts())
    return json_response(201, schedule, {"Location": f"/schedules/{schedule.schedule_id}"})


@app.get("/schedules", summary="All schedules")
@tracer.capture_method
def list_all() -> ScheduleList:
    return ScheduleList(schedules=schedules.list_schedules(dal.schedules()))


@app.get("/schedules/preview", summary="Next fire times of a cron expression in a timezone")
@tracer.capture_method
def preview(
    cron: Annotated[str, Query(min_length=1, max_length=100, description="5-field Unix cron")],
    timezone: Annotated[str, Query(max_length=64)] = "UTC",
    count: Annotated[int, Query(ge=1, le=50)] = 5,
) -> dict[str, Any]:
    return {"cron": cron, "timezone": timezone, "fire_times": schedules.preview(cron, timezone, count)}


@app.get("/schedules/<schedule_id>", summary="A schedule with its next fire times")
@tracer.capture_method
def show(schedule_id: ScheduleId) -> Schedule:
    return schedules.get_schedule(schedule_id, dal.schedules())


@app.post("/schedules/<schedule_id>/pause", summary="Pause a schedule")
@tracer.capture_method
def pause(schedule_id: ScheduleId) -> Schedule:
    return schedules.set_state(schedule_id, False, dal.schedules(), dal.scheduler())


@app.post("/schedules/<schedule_id>/resume", summary="Resume a paused schedule")
@tracer.capture_method
def resume(schedule_id: ScheduleId) -> Schedule:
    return schedules.set_state(schedule_id, True, dal.schedules(), dal.scheduler())


@app.delete("/schedules/<schedule_id>", summary="Delete a schedule", responses={204: {"description": "deleted"}})
@tracer.capture_method
def delete(schedule_id: ScheduleId) -> Response[None]:
    schedules.delete_schedule(schedule_id, dal.schedules(), dal.scheduler())
    return Response(status_code=204, body=None)


@app.post(
    "/schedules/<schedule_id>/run",
    summary="Fire a schedule now (same path as a Scheduler firing)",
    responses={202: {"description": "tasks queued"}},
)
@tracer.capture_method
def run_now(schedule_id: ScheduleId) -> Response[BatchResult]:
    result = schedules.fire(
        schedule_id, iso(utc_now()), settings, dal.schedules(), dal.tasks(), dal.intake_queue(), dal.accounts()
    )
    return json_response(202, result)


@logger.inject_lambda_context(correlation_id_path=correlation_paths.API_GATEWAY_REST)
@metrics.log_metrics
@tracer.capture_lambda_handler
def main(event: dict[str, Any], context: LambdaContext) -> dict[str, Any]:
    return app.resolve(event, context)
