"""What a receiver can make one attempt cost: at most WEBHOOK_TIMEOUT of wall-clock time and a
few KB of its response, then the delivery is retried like any failed attempt."""

import socket
import time
import tracemalloc

from contenthub import dal
from tests.fixtures.receivers import drip, stream
from tests.integration.webhooks.conftest import first_message, handle, new_delivery, queued

OK = b"HTTP/1.1 200 OK\r\nContent-Length: 0\r\n\r\n"


def test_a_receiver_dripping_a_byte_a_second_is_cut_off_at_the_deadline_and_the_delivery_retried(
    stack, deliver_handler, lambda_context, serve
):
    receiver = serve(drip(OK, every=1.0))  # WEBHOOK_TIMEOUT is 2 s; the whole answer would take 38 s
    delivery_id = new_delivery(f"http://127.0.0.1:{receiver.port}/hook")
    started = time.monotonic()
    assert handle(deliver_handler, lambda_context, first_message(delivery_id)) == {"batchItemFailures": []}
    assert time.monotonic() - started < 15  # the deadline and a few DynamoDB calls, not the drip's 38 s

    delivery = dal.deliveries().get(delivery_id)
    assert delivery is not None and delivery.status == "pending" and delivery.next_attempt_at
    [attempt] = delivery.attempts
    assert attempt.status is None and "timed out" in (attempt.error or "")
    assert 1900 <= (attempt.latency_ms or 0) < 5000  # the 2 s deadline
    [retry] = queued(stack, delivery_id)
    assert retry["attempt"] == 2

    receiver.answer = lambda connection: connection.sendall(OK)
    assert handle(deliver_handler, lambda_context, {**retry, "due_at": time.time()}) == {"batchItemFailures": []}
    delivery = dal.deliveries().get(delivery_id)
    assert (
        delivery is not None and delivery.status == "delivered" and [a.status for a in delivery.attempts] == [None, 200]
    )
    assert len(receiver.requests) == 2


def test_a_receiver_dripping_its_body_is_cut_off_at_the_deadline(stack, deliver_handler, lambda_context, serve):
    def answer(connection: socket.socket) -> None:
        connection.sendall(b"HTTP/1.1 200 OK\r\nContent-Length: 60\r\n\r\n")
        drip(b"x" * 60, every=1.0)(connection)

    receiver = serve(answer)
    delivery_id = new_delivery(f"http://127.0.0.1:{receiver.port}/hook")
    started = time.monotonic()
    handle(deliver_handler, lambda_context, first_message(delivery_id))
    assert time.monotonic() - started < 15  # not the drip's 60 s
    delivery = dal.deliveries().get(delivery_id)
    assert delivery is not None and delivery.status == "pending"
    assert delivery.attempts[0].status == 200 and "timed out" in (delivery.attempts[0].error or "")


def test_a_receiver_streaming_a_huge_body_costs_a_few_kb_and_its_2xx_counts(
    stack, deliver_handler, lambda_context, serve
):
    size = 256 * 1024 * 1024
    receiver = serve(stream(b"HTTP/1.1 200 OK\r\nContent-Length: %d\r\n\r\n" % size, size))
    delivery_id = new_delivery(f"http://127.0.0.1:{receiver.port}/hook")
    started = time.monotonic()
    tracemalloc.start()
    try:
        handle(deliver_handler, lambda_context, first_message(delivery_id))
        _, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    assert time.monotonic() - started < 15
    assert peak < 48 * 1024 * 1024, peak  # the invocation's own allocations (moto's included), never the body
    delivery = dal.deliveries().get(delivery_id)
    assert delivery is not None and delivery.status == "delivered" and delivery.attempts[0].status == 200
