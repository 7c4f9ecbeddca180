"""Webhook deliveries API: GET /webhooks/deliveries?status=dead|pending|delivered|disabled,
POST /webhooks/deliveries/{delivery_id}/redeliver (finished or stalled deliveries), GET
/webhooks/endpoints (disabled by a 410) and POST /webhooks/endpoints/{endpoint_key}/enable."""

from typing import Annotated

from aws_lambda_powertools.event_handler.openapi.params import Path, Query

from contenthub import dal, services
from contenthub.api import build_resolver, rest_handler
from contenthub.logic import webhook_endpoints, webhooks
from contenthub.models import DELIVERY_ID_PATTERN, DeliveryList, WebhookDelivery
from contenthub.models.webhooks import EndpointEnabled, EndpointList
from contenthub.resources import Principal
from contenthub.settings import load_settings
from contenthub.states import DeliveryState

settings = load_settings(Principal.WEBHOOK_API)
app = build_resolver()


@app.get("/webhooks/deliveries", summary="Webhook deliveries by status, newest first")
def list_deliveries(
    status: Annotated[DeliveryState, Query()] = DeliveryState.DEAD,
    limit: Annotated[int, Query(ge=1, le=100)] = 50,
) -> DeliveryList:
    return DeliveryList(deliveries=webhooks.list_deliveries(status, limit, dal.deliveries()))


@app.post(
    "/webhooks/deliveries/<delivery_id>/redeliver",
    summary="Send a finished or stalled delivery again (409 while an attempt is in flight or a retry is ahead)",
)
def redeliver(delivery_id: Annotated[str, Path(pattern=DELIVERY_ID_PATTERN)]) -> WebhookDelivery:
    return webhooks.redeliver(delivery_id, dal.deliveries(), services.webhook_queue())


@app.get("/webhooks/endpoints", summary="Webhook endpoints disabled by a 410 Gone")
def list_endpoints(limit: Annotated[int, Query(ge=1, le=100)] = 100) -> EndpointList:
    return webhook_endpoints.list_disabled(dal.deliveries(), limit)


@app.post("/webhooks/endpoints/<endpoint_key>/enable", summary="Enable an endpoint disabled by a 410 again")
def enable_endpoint(
    endpoint_key: Annotated[str, Path(pattern=webhook_endpoints.ENDPOINT_KEY_PATTERN)],
) -> EndpointEnabled:
    return webhook_endpoints.enable(endpoint_key, dal.deliveries())


main = rest_handler(app)
