"""Endpoints disabled by a 410 Gone: list them, and enable one again (its disabled deliveries can
then be redelivered)."""

from __future__ import annotations

from contenthub import dal
from contenthub.errors import ContentHubError
from contenthub.logic.webhooks import endpoint_key
from contenthub.models.webhooks import DisabledEndpoint, EndpointEnabled, EndpointList
from contenthub.states import DeliveryState

PREFIX = "endpoint#"
ENDPOINT_KEY_PATTERN = r"^[0-9a-f]{24}$"


class EndpointNotDisabled(ContentHubError):
    code = "endpoint_not_disabled"
    http_status = 404


def list_disabled(deliveries: dal.DeliveryRepository, limit: int = 100) -> EndpointList:
    return EndpointList(
        endpoints=[
            DisabledEndpoint(
                key=item["delivery_id"].removeprefix(PREFIX),
                url=item["url"],
                disabled_at=item["disabled_at"],
                reason=item["reason"],
            )  # fmt: skip
            for item in deliveries.disabled_endpoints(limit)
        ]
    )


def enable(key: str, deliveries: dal.DeliveryRepository) -> EndpointEnabled:
    old = deliveries.enable_endpoint(PREFIX + key)
    if old is None:
        raise EndpointNotDisabled(f"no disabled webhook endpoint has the key {key}")
    url = old.get("url", "")
    assert endpoint_key(url) == PREFIX + key
    waiting = [d.delivery_id for d in deliveries.by_state(DeliveryState.DISABLED, 100) if d.url == url]
    return EndpointEnabled(key=key, url=url, disabled_deliveries=waiting)
