"""Endpoints disabled by a 410: listed, enabled again (once), and their deliveries redeliverable."""

from __future__ import annotations

from datetime import timedelta

from contenthub import dal
from contenthub.logic.webhooks import endpoint_key
from contenthub.models import DeliveryAttempt, StoredDelivery, iso, utc_now
from contenthub.states import DeliveryState
from tests.integration.conftest import call, drain, reset_caches

URL = "https://receiver.example.com/gone"


def test_a_disabled_endpoint_is_listed_enabled_and_its_delivery_redelivered(stack):
    reset_caches()
    deliveries, now = dal.deliveries(), utc_now()
    delivery_id = "msg_0123456789ab_1_succeeded"
    deliveries.create(
        StoredDelivery(delivery_id=delivery_id, event_type="task.succeeded", task_id="task-0123456789ab", url=URL,
                       status=DeliveryState.PENDING, payload="{}", created_at=iso(now), updated_at=iso(now)),
        expires_at=int(now.timestamp()) + 3600,
    )  # fmt: skip
    deliveries.claim_attempt(delivery_id, 1, now, now + timedelta(seconds=60))
    deliveries.record_attempt(delivery_id, DeliveryAttempt(attempt=1, at=iso(now), status=410), DeliveryState.DISABLED,
                              now)  # fmt: skip
    deliveries.disable_endpoint(endpoint_key(URL), URL, now)

    status, body, _ = call("GET", "/webhooks/endpoints")
    assert status == 200
    [endpoint] = [e for e in body["endpoints"] if e["url"] == URL]
    assert endpoint["reason"] == "HTTP 410 Gone" and len(endpoint["key"]) == 24
    # Disabled endpoints are not deliveries: the deliveries lists do not show them.
    for state in ("pending", "dead", "disabled", "delivered"):
        listed = call("GET", "/webhooks/deliveries", query={"status": state})[1]["deliveries"]
        assert all(d["delivery_id"].startswith("msg_") for d in listed)

    status, enabled, _ = call("POST", f"/webhooks/endpoints/{endpoint['key']}/enable")
    assert status == 200 and enabled["url"] == URL and enabled["disabled_deliveries"] == [delivery_id]
    assert URL not in [e["url"] for e in call("GET", "/webhooks/endpoints")[1]["endpoints"]]
    assert not deliveries.endpoint_disabled(endpoint_key(URL))
    again = call("POST", f"/webhooks/endpoints/{endpoint['key']}/enable")
    assert again[0] == 404 and again[1]["error"]["code"] == "endpoint_not_disabled"

    status, redelivered, _ = call("POST", f"/webhooks/deliveries/{delivery_id}/redeliver")
    assert status == 200 and redelivered["status"] == "pending"
    drain(stack["WebhookQueueUrl"])


def test_a_malformed_endpoint_key_is_422(stack):
    status, body, _ = call("POST", "/webhooks/endpoints/not-a-key/enable")
    assert status == 422 and body["error"]["code"] == "validation_error"
