"""DynamoDB applies each conditional write atomically; moto does not lock, so two threads (or two
requests to the moto server) can both pass a condition before either writes. The product relies on
that atomicity (slot leases, exactly-once transitions), so the local stack and the tests make
moto's DynamoDB writes atomic with one lock — the behaviour AWS guarantees, not a new one."""

from __future__ import annotations

import functools
import threading
from collections.abc import Callable
from typing import Any

from moto.dynamodb.models import DynamoDBBackend

WRITES = ("put_item", "update_item", "delete_item", "transact_write_items", "batch_write_item")
_lock = threading.RLock()


def install() -> Callable[[], None]:
    """Wrap moto's write operations; returns a function that undoes it."""
    originals: dict[str, Any] = {}
    for name in WRITES:
        original = getattr(DynamoDBBackend, name)
        if getattr(original, "_atomic", False):
            continue

        def atomic(self: DynamoDBBackend, *args: Any, __original: Any = original, **kwargs: Any) -> Any:
            with _lock:
                return __original(self, *args, **kwargs)

        wrapped = functools.wraps(original)(atomic)
        wrapped._atomic = True  # type: ignore[attr-defined]
        originals[name] = original
        setattr(DynamoDBBackend, name, wrapped)

    def undo() -> None:
        for name, original in originals.items():
            setattr(DynamoDBBackend, name, original)

    return undo
