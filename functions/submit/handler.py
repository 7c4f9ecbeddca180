"""Tasks API: POST /tasks (accept a task, answer 202 at once) and GET /tasks/{task_id}."""

from typing import Annotated, Any

from aws_lambda_powertools.event_handler import Response, content_types
from aws_lambda_powertools.event_handler.openapi.params import Path
from aws_lambda_powertools.logging import correlation_paths
from aws_lambda_powertools.metrics import MetricUnit
from aws_lambda_powertools.utilities.typing import LambdaContext

from contenthub import dal
from contenthub.api import build_resolver
from contenthub.logic.submit import get_task, submit_task
from contenthub.models import TASK_ID_PATTERN, SubmitTaskRequest, Task
from contenthub.observability import MetricName, logger, metrics, tracer
from contenthub.settings import get_settings

settings = get_settings()  # validated at cold start
app = build_resolver()


@app.post("/tasks", summary="Submit a content-generation task", responses={202: {"description": "accepted"}})
@tracer.capture_method
def post_task(request: SubmitTaskRequest) -> Response[Task]:
    task = submit_task(request, settings, dal.tasks(), dal.intake_queue())
    logger.append_keys(task_id=task.task_id)
    logger.info("task accepted", extra={"account_id": task.account_id})
    metrics.add_metric(name=MetricName.SUBMITTED, unit=MetricUnit.Count, value=1)
    return Response(
        status_code=202,
        content_type=content_types.APPLICATION_JSON,
        body=task,
        headers={"Location": f"/tasks/{task.task_id}"},
    )


@app.get("/tasks/<task_id>", summary="A task's status, progress and result")
@tracer.capture_method
def read_task(task_id: Annotated[str, Path(pattern=TASK_ID_PATTERN)]) -> Task:
    return get_task(task_id, dal.tasks())


@logger.inject_lambda_context(correlation_id_path=correlation_paths.API_GATEWAY_REST)
@metrics.log_metrics
@tracer.capture_lambda_handler
def main(event: dict[str, Any], context: LambdaContext) -> dict[str, Any]:
    return app.resolve(event, context)
