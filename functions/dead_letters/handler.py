"""Dead letters API: GET /dlq (each DLQ's count), GET /dlq/{queue}/messages (peek),
POST /dlq/{queue}/redrive (back to the source queue), POST /dlq/{queue}/fail (end the task failed)."""

from typing import Annotated

from aws_lambda_powertools.event_handler.openapi.params import Path, Query

from contenthub import dal, services
from contenthub.api import build_resolver, rest_handler
from contenthub.logic import dead_letters
from contenthub.models.dead_letters import (
    DeadLetterList,
    DeadLetterQueueName,
    DeadLetterQueues,
    FailRequest,
    FailResult,
    RedriveRequest,
    RedriveResult,
)
from contenthub.resources import Principal
from contenthub.settings import load_settings

settings = load_settings(Principal.DEAD_LETTERS)
app = build_resolver()
QueueName = Annotated[DeadLetterQueueName, Path()]


@app.get("/dlq", summary="Each dead-letter queue with its message count")
def list_queues() -> DeadLetterQueues:
    return dead_letters.summary(settings)


@app.get("/dlq/<queue>/messages", summary="Look at a dead-letter queue's messages (they stay)")
def peek(queue: QueueName, limit: Annotated[int, Query(ge=1, le=dead_letters.MAX_PEEK)] = 20) -> DeadLetterList:
    return dead_letters.peek(queue, limit, settings, dal.tasks())


@app.post("/dlq/<queue>/redrive", summary="Send chosen messages (or all) back to their source queue")
def redrive(queue: QueueName, request: RedriveRequest) -> RedriveResult:
    return dead_letters.redrive(queue, request, settings)


@app.post("/dlq/<queue>/fail", summary="End the tasks of chosen messages failed with the reason; remove them")
def fail(queue: QueueName, request: FailRequest) -> FailResult:
    stores = dead_letters.FailStores(dal.tasks(), dal.transactions(), dal.jobs(), services.orchestrator(),
                                     dal.accounts(), dal.deliveries(), services.webhook_queue())  # fmt: skip
    return dead_letters.fail_tasks(queue, request, settings, stores)


main = rest_handler(app)
