"""Webhook deliveries: one record per (task attempt, event), with every attempt made."""

from __future__ import annotations

from pydantic import Field

from contenthub.models.common import Model
from contenthub.states import DeliveryState


class DeliveryAttempt(Model):
    attempt: int
    at: str
    status: int | None = Field(None, description="the receiver's HTTP status; null when it did not answer")
    latency_ms: int | None = None
    error: str | None = None


class WebhookDelivery(Model):
    """A delivery as the API shows it."""

    delivery_id: str = Field(description="the Standard Webhooks message id (webhook-id header)")
    event_type: str
    task_id: str
    url: str
    status: DeliveryState
    attempt_count: int = 0
    attempts: list[DeliveryAttempt] = Field(default_factory=list)
    next_attempt_at: str | None = None
    claim_expires_at: str | None = Field(
        None, description="while an attempt is being made: when its claim lapses (if its sender stopped, it is retried)"
    )
    created_at: str
    updated_at: str
    redeliveries: int | None = None


class StoredDelivery(WebhookDelivery):
    """A delivery as the deliveries table holds it: the view's fields and the signed payload."""

    payload: str

    def view(self) -> WebhookDelivery:
        return WebhookDelivery.model_validate(self.model_dump(exclude={"payload"}))


class DeliveryList(Model):
    deliveries: list[WebhookDelivery]


class DisabledEndpoint(Model):
    key: str = Field(description="the endpoint's key (POST /webhooks/endpoints/{key}/enable)")
    url: str
    disabled_at: str
    reason: str


class EndpointList(Model):
    endpoints: list[DisabledEndpoint]


class EndpointEnabled(Model):
    key: str
    url: str
    enabled: bool = True
    disabled_deliveries: list[str] = Field(
        description="deliveries to this URL that gave up because it was disabled: redeliver them if wanted"
    )
