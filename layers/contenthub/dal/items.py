"""DynamoDB item plumbing shared by the repositories: numbers, attribute values, conditional writes."""

from __future__ import annotations

import logging
import random
import time
from collections.abc import Callable
from dataclasses import dataclass
from decimal import Decimal
from typing import Any, ClassVar, Generic, TypeVar

from boto3.dynamodb.types import TypeSerializer
from botocore.exceptions import ClientError
from pydantic import BaseModel

from contenthub.aws import client, dynamodb_table, error_code

_serializer = TypeSerializer()
# Under the function's Powertools logger ("contenthub"): retried conflicts show how hot items are.
log = logging.getLogger(__name__)
__all__ = ["av", "client", "conditional", "condition_failed", "decimal", "dynamodb_table", "plain"]


def plain(value: Any) -> Any:
    """DynamoDB Decimals → int/float, recursively."""
    if isinstance(value, Decimal):
        return int(value) if value == value.to_integral_value() else float(value)
    if isinstance(value, dict):
        return {k: plain(v) for k, v in value.items()}
    if isinstance(value, list):
        return [plain(v) for v in value]
    return value


def decimal(value: float) -> Decimal:
    """A number DynamoDB accepts (it refuses floats)."""
    return Decimal(str(value))


def av(item: dict[str, Any]) -> dict[str, Any]:
    """A plain item as low-level attribute values (for TransactWriteItems); None values are left out."""
    return {k: _serializer.serialize(v) for k, v in item.items() if v is not None}


def condition_failed(error: ClientError) -> bool:
    return error_code(error) in ("TransactionCanceledException", "ConditionalCheckFailedException")


def transaction_conflict(error: ClientError) -> bool:
    """The write met an item another transaction held (nothing was written; botocore does not
    retry it): TransactionConflictException, or a transaction cancelled for TransactionConflict."""
    code = error_code(error)
    if code == "TransactionConflictException":
        return True
    if code != "TransactionCanceledException":
        return False
    return any(
        reason.get("Code") == "TransactionConflict" for reason in error.response.get("CancellationReasons") or []
    )


CONFLICT_RETRIES = 5  # backoff 10, 20, 40, 80, 160 ms (with jitter)


def conditional(write: Callable[..., Any], **request: Any) -> bool:
    """Run a conditional DynamoDB write: True when applied, False when its condition failed
    (a duplicate, a late or a lost race); a transaction conflict is retried; any other error is
    raised (and a conflict that outlasts the retries)."""
    for attempt in range(CONFLICT_RETRIES + 1):
        try:
            write(**request)
        except ClientError as error:
            if transaction_conflict(error):
                if attempt < CONFLICT_RETRIES:
                    log.info("retrying after a transaction conflict", extra={"attempt": attempt + 1})
                    time.sleep(random.uniform(0.5, 1.0) * 0.01 * 2**attempt)
                    continue
                raise
            if condition_failed(error):
                return False
            raise
        return True
    raise AssertionError("unreachable")  # pragma: no cover


def get(table: str, key: dict[str, Any]) -> dict[str, Any] | None:
    """One item, strongly consistent, with plain numbers; None when it does not exist."""
    item = dynamodb_table(table).get_item(Key=key, ConsistentRead=True).get("Item")
    return plain(item) if item else None


E = TypeVar("E", bound=BaseModel)


@dataclass
class Repository(Generic[E]):
    """A table whose items are one entity type, keyed by one attribute."""

    table: str
    entity: ClassVar[type[BaseModel]]
    key: ClassVar[str]

    def get(self, key: Any) -> E | None:
        """The item with this key (read strongly consistent), or None."""
        item = get(self.table, {self.key: key})
        return self.entity.model_validate(item) if item else None  # type: ignore[return-value]

    def _many(self, items: list[dict[str, Any]]) -> list[E]:
        return [self.entity.model_validate(plain(item)) for item in items]  # type: ignore[misc]
