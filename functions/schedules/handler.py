"""Schedules API: cron batch schedules on EventBridge Scheduler — create, list, show, pause,
resume, delete, run now, preview fire times."""

from typing import Annotated

from aws_lambda_powertools.event_handler import Response
from aws_lambda_powertools.event_handler.openapi.params import Path, Query

from contenthub import dal, services
from contenthub.api import accepted, build_resolver, json_response, rest_handler
from contenthub.logic import controls, schedules
from contenthub.logic.batch import BatchStores
from contenthub.models import SCHEDULE_ID_PATTERN, BatchResult, Schedule, ScheduleCreate, ScheduleList, SchedulePreview
from contenthub.resources import Principal
from contenthub.settings import load_settings

settings = load_settings(Principal.SCHEDULES)
app = build_resolver()
ScheduleId = Annotated[str, Path(pattern=SCHEDULE_ID_PATTERN)]


@app.post("/schedules", summary="Create a cron schedule", responses={201: {"description": "created"}})
def create(request: ScheduleCreate) -> Response[Schedule]:
    schedule = schedules.create_schedule(request, settings, dal.schedules(), services.batch_schedules(), dal.accounts())
    return json_response(201, schedule, {"Location": f"/schedules/{schedule.schedule_id}"})


@app.get("/schedules", summary="All schedules")
def list_all() -> ScheduleList:
    return ScheduleList(schedules=schedules.list_schedules(dal.schedules()))


@app.get("/schedules/preview", summary="Next fire times of a cron expression in a timezone")
def preview(
    cron: Annotated[str, Query(min_length=1, max_length=100, description="5-field Unix cron")],
    timezone: Annotated[str, Query(max_length=50, description="IANA name, e.g. Asia/Shanghai")] = "UTC",
    count: Annotated[int, Query(ge=1, le=50)] = 5,
) -> SchedulePreview:
    return SchedulePreview(cron=cron, timezone=timezone, fire_times=schedules.preview(cron, timezone, count))


@app.get("/schedules/<schedule_id>", summary="A schedule with its next fire times")
def show(schedule_id: ScheduleId) -> Schedule:
    return schedules.get_schedule(schedule_id, dal.schedules())


@app.post("/schedules/<schedule_id>/pause", summary="Pause a schedule")
def pause(schedule_id: ScheduleId) -> Schedule:
    return schedules.set_state(schedule_id, False, dal.schedules(), services.batch_schedules())


@app.post("/schedules/<schedule_id>/resume", summary="Resume a paused schedule")
def resume(schedule_id: ScheduleId) -> Schedule:
    return schedules.set_state(schedule_id, True, dal.schedules(), services.batch_schedules())


@app.delete("/schedules/<schedule_id>", summary="Delete a schedule", responses={204: {"description": "deleted"}})
def delete(schedule_id: ScheduleId) -> Response[None]:
    schedules.delete_schedule(schedule_id, dal.schedules(), services.batch_schedules())
    return Response(status_code=204, body=None)


@app.post("/schedules/<schedule_id>/run", summary="Fire a schedule now (same path as a Scheduler firing)",
          responses={202: {"description": "tasks queued"}})  # fmt: skip
def run_now(schedule_id: ScheduleId) -> Response[BatchResult]:
    stores = BatchStores(dal.transactions(), dal.accounts(), dal.tasks(), services.intake_queue())
    live = controls.current(settings, services.control_parameters())  # the kill switch, live
    return accepted(schedules.run_now(schedule_id, live, dal.schedules(), stores))


main = rest_handler(app)
