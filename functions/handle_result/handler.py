"""Called by the state machine at the end of an attempt.

Event: {"action": "store" | "fail", "input": <the execution's state>}, where the state holds
task_id, attempt, and (when present) poll (functions/poll's outcome) and error (a caught error).

action "store": the runner succeeded; store exactly one Content and mark the task succeeded.
action "fail":  the attempt failed, timed out or was cancelled (or a state raised); record why.
"""

from typing import Any

from aws_lambda_powertools.metrics import MetricUnit
from aws_lambda_powertools.utilities.typing import LambdaContext

from contenthub import dal
from contenthub.logic import publishing
from contenthub.logic.results import mark_failed, store_result
from contenthub.logic.webhooks import notify
from contenthub.models import TaskStatus, job_id_for
from contenthub.observability import MetricName, logger, metrics, tracer
from contenthub.settings import get_settings

settings = get_settings()


def announce(task_id: str, summary: str | None) -> None:
    """Queue the webhook for the task's terminal state (idempotent; also on a repeated call,
    in case an earlier one stopped between recording the outcome and queueing)."""
    task = dal.tasks().get(task_id)
    if task and TaskStatus(task["status"]).terminal:
        account = dal.accounts().get(int(task["account_id"]))  # its own webhook, if it has one
        notify(task, summary, settings, dal.webhook_deliveries(), dal.webhook_queue(), account=account)


def publish(content_id: str) -> None:
    """content.approved / content.publish_due for approved, auto-published content (once)."""
    if not settings.EVENT_BUS_NAME:
        return
    content = dal.contents().get(content_id)
    if content:
        sent = publishing.announce(
            content,
            settings.require("EVENT_BUS_NAME"),
            settings.require("EVENT_BUS_ARN"),
            settings.require("PUBLISH_SCHEDULER_ROLE_ARN"),
            settings.require("CONTENTS_TABLE"),
        )
        if sent:
            logger.info("content announced", extra={"content_id": content_id, "events": sent})


@logger.inject_lambda_context(correlation_id_path="input.task_id")
@metrics.log_metrics
@tracer.capture_lambda_handler
def main(event: dict[str, Any], context: LambdaContext) -> dict[str, Any]:
    action = event.get("action")
    state = event.get("input") or {}
    if action == "store":
        result = store_result(
            task_id=state["task_id"],
            attempt=int(state["attempt"]),
            result_key=state["poll"]["result_key"],
            tasks=dal.tasks(),
            articles=dal.articles(),
            contents_table=settings.require("CONTENTS_TABLE"),
        )
        if result["stored"]:
            metrics.add_metric(name=MetricName.SUCCEEDED, unit=MetricUnit.Count, value=1)
            if result.get("generation_seconds") is not None:
                job = dal.jobs().get(job_id_for(state["task_id"], int(state["attempt"]))) or {}
                if job.get("creator"):  # learn the first wait for this creator kind
                    dal.GenerationTimes(settings.require("COUNTERS_TABLE")).record(
                        str(job["creator"]), result["generation_seconds"]
                    )
                metrics.add_metric(
                    name=MetricName.GENERATION_DURATION, unit=MetricUnit.Seconds, value=result["generation_seconds"]
                )
            if result.get("queue_wait_seconds") is not None:
                metrics.add_metric(
                    name=MetricName.QUEUE_WAIT, unit=MetricUnit.Seconds, value=result["queue_wait_seconds"]
                )
        logger.info("result handled", extra=result)
        announce(state["task_id"], result.get("summary"))
        if result.get("content_id"):
            publish(result["content_id"])
        return result
    if action == "fail":
        job_id = job_id_for(state["task_id"], int(state.get("attempt", 1)))
        result = mark_failed(
            state["task_id"],
            state.get("poll"),
            state.get("error"),
            dal.tasks(),
            job_error=lambda: (dal.jobs().get(job_id) or {}).get("error"),
        )
        if result["changed"]:
            name = {"failed": MetricName.FAILED, "timed_out": MetricName.TIMED_OUT, "cancelled": MetricName.CANCELLED}[
                result["status"]
            ]
            metrics.add_metric(name=name, unit=MetricUnit.Count, value=1)
        logger.info("failure recorded", extra=result)
        announce(state["task_id"], result["error"])
        return result
    raise ValueError(f"unknown action {action!r}; expected 'store' or 'fail'")
