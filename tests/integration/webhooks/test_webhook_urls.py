"""Webhook URLs that do not parse are bad input: a 4xx with the error body when an account sets
one, a dead delivery (not a function error) when a delivery meets one."""

import pytest

from contenthub import dal
from tests.integration.conftest import call
from tests.integration.webhooks.conftest import first_message, handle, new_delivery

UNPARSABLE = [
    "https://x.example:99999/",  # port out of range
    "https://x.example:abc/",  # port not a number
    "https://x.example:0/",  # port 0
    "https://[::1/",  # unclosed IPv6 literal
    "https://[zz::1]/",  # not an IPv6 address
    "https://a..example/",  # empty label
    "https://.example/",  # empty first label
    "https://" + "a" * 64 + ".example/",  # label over 63 characters
    "https://" + "a." * 127 + "example/",  # name over 253 characters
    "https://exa mple.example/",  # a space
    "https://hooks.example/\x00",  # a control character
    "https://-hooks.example/",  # a label starting with a hyphen
    "https://hooks_.exa%41mple/",  # percent-encoding in the host
]


@pytest.mark.parametrize("url", UNPARSABLE)
def test_an_account_with_an_unparsable_webhook_url_is_a_422_with_the_error_body(stack, url):
    status, body, _ = call("POST", "/accounts", {"account_id": 7301, "name": "bad hook", "webhook_url": url})
    assert status == 422, body
    assert body["error"]["code"] == "unsafe_webhook_target" and body["error"]["message"], body
    status, body, _ = call("PATCH", "/accounts/49", {"webhook_url": url})
    assert status == 422 and body["error"]["code"] == "unsafe_webhook_target", body
    assert call("GET", "/accounts/49")[1]["webhook_url"] is None  # nothing was stored
    assert call("GET", "/accounts/7301")[0] == 404


@pytest.mark.parametrize("url", UNPARSABLE[:6])
def test_a_delivery_to_an_unparsable_url_is_dead_not_a_function_error(deliver_handler, lambda_context, url):
    delivery_id = new_delivery(url)
    assert handle(deliver_handler, lambda_context, first_message(delivery_id)) == {"batchItemFailures": []}
    delivery = dal.deliveries().get(delivery_id)
    assert delivery is not None and delivery.status == "dead"
    [attempt] = delivery.attempts
    assert attempt.status is None and "webhook URL" in (attempt.error or ""), attempt
