"""DynamoDB's TransactionConflict, as the local stack models it (moto_seams.make_dynamodb_atomic):
a transaction holds its items while it runs; a transaction that touches an item another one
holds is cancelled with CancellationReasons saying TransactionConflict for that item, and a plain
write to it fails with TransactionConflictException. The product's conditional writes
(contenthub.dal.items.conditional) retry a conflict instead of reading it as a failed condition."""

from __future__ import annotations

import threading
import time
import uuid
from collections.abc import Iterator
from typing import Any

import boto3
import pytest
from moto import mock_aws

from contenthub.dal.items import conditional
from contenthub_local import moto_seams

TABLE = f"conflicts-{uuid.uuid4().hex[:8]}"  # not a name a surrounding moto session (tests/integration) uses
HOLD_MS = 400  # long enough for a second call to start while the first one holds its items


@pytest.fixture
def hold_ms() -> float:
    return HOLD_MS


@pytest.fixture
def client(hold_ms: float) -> Iterator[Any]:
    undo = moto_seams.make_dynamodb_atomic(hold_ms=hold_ms)
    try:
        with mock_aws():
            dynamodb = boto3.client("dynamodb", region_name="us-east-1")
            dynamodb.create_table(
                TableName=TABLE, BillingMode="PAY_PER_REQUEST",
                KeySchema=[{"AttributeName": "k", "KeyType": "HASH"}],
                AttributeDefinitions=[{"AttributeName": "k", "AttributeType": "S"}],
            )  # fmt: skip
            for key in ("total", "today", "other"):
                dynamodb.put_item(TableName=TABLE, Item={"k": {"S": key}, "n": {"N": "0"}})
            try:
                yield dynamodb
            finally:  # inside another moto session (tests/integration's), this mock_aws does not reset
                dynamodb.delete_table(TableName=TABLE)
    finally:
        undo()


def add(key: str) -> dict[str, Any]:
    return {
        "Update": {
            "TableName": TABLE, "Key": {"k": {"S": key}}, "UpdateExpression": "ADD n :one",
            "ExpressionAttributeValues": {":one": {"N": "1"}},
        }
    }  # fmt: skip


def in_background(call: Any) -> threading.Thread:
    """Start a transaction and return once it holds its items (it holds them for hold_ms)."""
    thread = threading.Thread(target=call)
    thread.start()
    deadline = time.monotonic() + 5
    while not moto_seams._conflicts.held and time.monotonic() < deadline:
        time.sleep(0.001)
    assert moto_seams._conflicts.held, "the transaction never started"
    return thread


def count(client: Any, key: str) -> int:
    return int(client.get_item(TableName=TABLE, Key={"k": {"S": key}})["Item"]["n"]["N"])


def test_overlapping_transactions_on_one_item_cancel_the_second_with_transaction_conflict(client):
    first = in_background(lambda: client.transact_write_items(TransactItems=[add("total"), add("today")]))
    with pytest.raises(client.exceptions.TransactionCanceledException) as cancelled:
        client.transact_write_items(TransactItems=[add("other"), add("today")])
    first.join()
    reasons = cancelled.value.response["CancellationReasons"]
    assert [r["Code"] for r in reasons] == ["None", "TransactionConflict"]
    assert reasons[1]["Message"] == "Transaction is ongoing for the item"
    assert (count(client, "total"), count(client, "today"), count(client, "other")) == (1, 1, 0)  # nothing of it


def test_a_plain_write_to_an_item_a_transaction_holds_fails_with_transaction_conflict(client):
    first = in_background(lambda: client.transact_write_items(TransactItems=[add("total")]))
    with pytest.raises(client.exceptions.TransactionConflictException):
        client.update_item(
            TableName=TABLE, Key={"k": {"S": "total"}}, UpdateExpression="ADD n :one",
            ExpressionAttributeValues={":one": {"N": "1"}},
        )  # fmt: skip
    client.put_item(TableName=TABLE, Item={"k": {"S": "other"}, "n": {"N": "5"}})  # another item: no conflict
    first.join()
    assert (count(client, "total"), count(client, "other")) == (1, 5)
    client.update_item(  # and once the transaction is done, the item takes writes again
        TableName=TABLE, Key={"k": {"S": "total"}}, UpdateExpression="ADD n :one",
        ExpressionAttributeValues={":one": {"N": "1"}},
    )  # fmt: skip
    assert count(client, "total") == 2


@pytest.mark.parametrize("hold_ms", [60])  # shorter than the retries' backoff (at least 155 ms in all)
def test_the_products_conditional_write_retries_a_conflict_and_still_reports_a_failed_condition(client):
    first = in_background(lambda: client.transact_write_items(TransactItems=[add("total")]))
    # Before the retry, a conflict was read as a failed condition: the write was reported "not applied".
    assert conditional(client.transact_write_items, TransactItems=[add("total"), add("other")]) is True
    first.join()
    assert (count(client, "total"), count(client, "other")) == (2, 1)
    exists_already = {"Put": {"TableName": TABLE, "Item": {"k": {"S": "total"}},
                              "ConditionExpression": "attribute_not_exists(k)"}}  # fmt: skip
    assert conditional(client.transact_write_items, TransactItems=[exists_already]) is False


def test_writes_per_item_and_conflicts_are_counted_as_the_load_run_reports_them(client):
    counts = moto_seams.write_counts
    counts.reset()
    first = in_background(lambda: client.transact_write_items(TransactItems=[add("total"), add("today")]))
    with pytest.raises(client.exceptions.TransactionCanceledException):
        client.transact_write_items(TransactItems=[add("other"), add("today")])  # cancelled: writes nothing
    with pytest.raises(client.exceptions.TransactionConflictException):
        client.put_item(TableName=TABLE, Item={"k": {"S": "total"}, "n": {"N": "9"}})
    first.join()
    client.update_item(TableName=TABLE, Key={"k": {"S": "total"}}, UpdateExpression="ADD n :one",
                       ExpressionAttributeValues={":one": {"N": "1"}})  # fmt: skip
    check_only = {"ConditionCheck": {"TableName": TABLE, "Key": {"k": {"S": "other"}},
                                     "ConditionExpression": "attribute_exists(k)"}}  # fmt: skip
    client.transact_write_items(TransactItems=[check_only, add("today")])  # a check is not a write
    writes = {key: n for (table, key), n in counts.items.items() if table == TABLE}
    assert writes == {'{"k": {"S": "total"}}': 2, '{"k": {"S": "today"}}': 2}
    assert (counts.transaction_conflicts, counts.write_conflicts) == (1, 1)
    counts.reset()
    assert not counts.items and counts.transaction_conflicts == counts.write_conflicts == 0
