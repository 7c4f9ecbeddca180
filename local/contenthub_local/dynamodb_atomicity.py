"""DynamoDB applies each conditional write atomically; moto does not lock, so two threads (or two
requests to the moto server) can both pass a condition before either writes. The product relies on
that atomicity (slot leases, exactly-once transitions), so the local stack and the tests make
moto's DynamoDB writes atomic with one lock — the behaviour AWS guarantees, not a new one.

Transactions are also made cheap: moto deep-copies every table a TransactWriteItems touches, to
roll back on failure, so a transaction cost grew with the tables (55 ms at 1,000 items, 180 ms at
3,000, all other writes waiting on the lock) and the local stack slowed as it filled. Here the
rollback restores only the items the transaction names (a transaction touches each item at most
once), and moto's table copy is skipped.
"""

from __future__ import annotations

import copy
import functools
import threading
from collections.abc import Callable
from typing import Any

from moto.dynamodb import models as dynamodb_models
from moto.dynamodb.models import DynamoDBBackend
from moto.dynamodb.models.table import Table

WRITES = ("put_item", "update_item", "delete_item", "transact_write_items", "batch_write_item")
_lock = threading.RLock()


class _CopyExceptTables:
    """Stands in for the `copy` module inside moto.dynamodb.models: a Table is not deep-copied
    (the only such copy there is the transaction's rollback backup, replaced below)."""

    @staticmethod
    def deepcopy(value: Any, memo: dict[int, Any] | None = None) -> Any:
        return value if isinstance(value, Table) else copy.deepcopy(value, memo)

    def __getattr__(self, name: str) -> Any:
        return getattr(copy, name)


def _touched_items(backend: DynamoDBBackend, transact_items: list[dict[str, Any]]) -> list[tuple[str, Any, Any]]:
    """(table, key, the item as it is now or None) for every item a transaction names."""
    touched = []
    for entry in transact_items:
        op_type, op = next(iter(entry.items()))
        table = backend.tables.get(op.get("TableName"))
        if table is None:
            continue
        try:
            if op_type == "Put":
                key = {name: op["Item"][name] for name in (table.hash_key_attr, table.range_key_attr) if name}
            else:
                key = op["Key"]
            current = backend.get_item(table.name, key)
        except Exception:  # noqa: BLE001 - a malformed key: moto refuses it before writing anything for it
            continue
        touched.append((table.name, key, current.to_json()["Attributes"] if current else None))
    return touched


def _transaction_restoring_items(original: Callable[..., Any]) -> Callable[..., Any]:
    def transact_write_items(self: DynamoDBBackend, transact_items: list[dict[str, Any]]) -> Any:
        touched = _touched_items(self, transact_items)
        try:
            return original(self, transact_items)
        except Exception:
            for table_name, key, before in reversed(touched):
                if before is None:
                    self.delete_item(table_name, key)
                else:
                    self.put_item(table_name, before)
            raise

    return transact_write_items


def install() -> Callable[[], None]:
    """Wrap moto's write operations; returns a function that undoes it."""
    originals: dict[str, Any] = {}
    for name in WRITES:
        original = getattr(DynamoDBBackend, name)
        if getattr(original, "_atomic", False):
            continue
        inner = _transaction_restoring_items(original) if name == "transact_write_items" else original

        def atomic(self: DynamoDBBackend, *args: Any, __inner: Any = inner, **kwargs: Any) -> Any:
            with _lock:
                return __inner(self, *args, **kwargs)

        wrapped = functools.wraps(original)(atomic)
        wrapped._atomic = True  # type: ignore[attr-defined]
        originals[name] = original
        setattr(DynamoDBBackend, name, wrapped)
    moto_copy = dynamodb_models.copy  # type: ignore[attr-defined]
    if not isinstance(moto_copy, _CopyExceptTables):
        dynamodb_models.copy = _CopyExceptTables()  # type: ignore[attr-defined]

    def undo() -> None:
        for name, original in originals.items():
            setattr(DynamoDBBackend, name, original)
        dynamodb_models.copy = moto_copy  # type: ignore[attr-defined]

    return undo
