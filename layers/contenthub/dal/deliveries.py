"""The webhook deliveries table: one item per delivery (`msg_…`) with every attempt, and
`endpoint#<hash>` items recording an endpoint disabled by a 410.

A sender claims an attempt before making it (`claim_attempt`): `attempt_count` moves to that
attempt and `claim_expires_at` says until when the claim holds. Recording the attempt's result
releases the claim; a claim that expires unreleased (the sender died) can be taken again."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from botocore.exceptions import ClientError

from contenthub.dal.items import Repository, condition_failed, conditional, dynamodb_table, get
from contenthub.models import DeliveryAttempt, StoredDelivery, iso
from contenthub.states import DeliveryState

ENDPOINT_DISABLED = "endpoint_disabled"  # the by_status partition of disabled endpoints (not a delivery state)


@dataclass
class DeliveryRepository(Repository[StoredDelivery]):
    entity = StoredDelivery
    key = "delivery_id"

    def create(self, delivery: StoredDelivery, expires_at: int) -> bool:
        """False when the delivery exists already (a repeated call for the same event)."""
        item = {**delivery.model_dump(mode="json", exclude_none=True), "expires_at": expires_at}
        return conditional(
            dynamodb_table(self.table).put_item, Item=item, ConditionExpression="attribute_not_exists(delivery_id)"
        )

    def claim_attempt(
        self, delivery_id: str, attempt: int, now: datetime, until: datetime, round_: int | None = None
    ) -> bool:  # fmt: skip
        """Take attempt number `attempt` (1-based) until `until`: the next attempt in turn, or the
        same attempt again once its claim has expired (whoever took it stopped before recording a
        result). False if another sender holds it, it is over, or the message belongs to an earlier
        round (`round_`: the delivery's redeliveries when the message was sent; None: not checked)."""
        condition = "#st = :pending AND (attempt_count = :previous OR (attempt_count = :n AND claim_expires_at < :now))"
        values = {":n": attempt, ":previous": attempt - 1, ":pending": DeliveryState.PENDING.value, ":now": iso(now),
                  ":until": iso(until)}  # fmt: skip
        if round_ is not None:
            condition += " AND (redeliveries = :round" + (
                " OR attribute_not_exists(redeliveries))" if round_ == 0 else ")"
            )
            values[":round"] = round_
        return conditional(
            dynamodb_table(self.table).update_item,
            Key={"delivery_id": delivery_id},
            UpdateExpression="SET attempt_count = :n, updated_at = :now, claim_expires_at = :until",
            ConditionExpression=condition,
            ExpressionAttributeNames={"#st": "status"},
            ExpressionAttributeValues=values,
        )

    def record_attempt(
        self, delivery_id: str, attempt: DeliveryAttempt, state: DeliveryState, now: datetime,
        next_attempt_at: str | None = None,
    ) -> None:  # fmt: skip
        """Append an attempt's result and release its claim."""
        dynamodb_table(self.table).update_item(
            Key={"delivery_id": delivery_id},
            UpdateExpression="SET attempts = list_append(if_not_exists(attempts, :empty), :a), #st = :s, "
            "updated_at = :now, next_attempt_at = :next REMOVE claim_expires_at",
            ExpressionAttributeNames={"#st": "status"},
            ExpressionAttributeValues={
                ":a": [attempt.model_dump(exclude_none=True)], ":empty": [], ":s": state.value, ":now": iso(now),
                ":next": next_attempt_at,
            },
        )  # fmt: skip

    def reopen(self, delivery_id: str, now: datetime) -> bool:
        """Start a fresh retry schedule (a new round) for a finished delivery, or a stalled pending
        one: no attempt in flight (its claim, if any, expired) and no retry still to come. False
        while an attempt is in flight or the next attempt is still ahead."""
        finished = [s for s in DeliveryState if s != DeliveryState.PENDING]
        stalled = (
            "(#st = :pending AND (attribute_not_exists(claim_expires_at) OR claim_expires_at < :now) AND "
            "(attribute_not_exists(next_attempt_at) OR attribute_type(next_attempt_at, :null) "
            "OR next_attempt_at < :now))"
        )
        return conditional(
            dynamodb_table(self.table).update_item,
            Key={"delivery_id": delivery_id},
            UpdateExpression="SET #st = :pending, attempt_count = :zero, updated_at = :now, "
            "redeliveries = if_not_exists(redeliveries, :zero) + :one REMOVE claim_expires_at, next_attempt_at",
            ConditionExpression=f"#st IN ({', '.join(f':f{i}' for i in range(len(finished)))}) OR {stalled}",
            ExpressionAttributeNames={"#st": "status"},
            ExpressionAttributeValues={
                ":pending": DeliveryState.PENDING.value, ":zero": 0, ":one": 1, ":now": iso(now), ":null": "NULL",
                **{f":f{i}": s.value for i, s in enumerate(finished)},
            },
        )  # fmt: skip

    def by_state(self, state: DeliveryState, limit: int = 50) -> list[StoredDelivery]:
        response = dynamodb_table(self.table).query(
            IndexName="by_status",
            KeyConditionExpression="#st = :s",
            ExpressionAttributeNames={"#st": "status"},
            ExpressionAttributeValues={":s": state.value},
            ScanIndexForward=False,
            Limit=limit,
        )
        return self._many(response.get("Items", []))

    def disable_endpoint(self, endpoint_key: str, url: str, now: datetime) -> None:
        # status/created_at put the endpoint on the by_status index, so operators can list them.
        dynamodb_table(self.table).put_item(
            Item={
                "delivery_id": endpoint_key,
                "url": url,
                "disabled_at": iso(now),
                "reason": "HTTP 410 Gone",
                "status": ENDPOINT_DISABLED,
                "created_at": iso(now),
            }  # fmt: skip
        )

    def disabled_endpoints(self, limit: int = 100) -> list[dict[str, str]]:
        response = dynamodb_table(self.table).query(
            IndexName="by_status", KeyConditionExpression="#st = :s", ExpressionAttributeNames={"#st": "status"},
            ExpressionAttributeValues={":s": ENDPOINT_DISABLED}, ScanIndexForward=False, Limit=limit,
        )  # fmt: skip
        return [{k: str(item.get(k, "")) for k in ("delivery_id", "url", "disabled_at", "reason")}
                for item in response.get("Items", [])]  # fmt: skip

    def enable_endpoint(self, endpoint_key: str) -> dict[str, str] | None:
        """Forget that the endpoint is disabled; None when it was not."""
        try:
            old = dynamodb_table(self.table).delete_item(
                Key={"delivery_id": endpoint_key}, ConditionExpression="attribute_exists(disabled_at)",
                ReturnValues="ALL_OLD",
            )  # fmt: skip
        except ClientError as error:
            if condition_failed(error):
                return None
            raise
        return {k: str(v) for k, v in old.get("Attributes", {}).items()}

    def endpoint_disabled(self, endpoint_key: str) -> bool:
        return get(self.table, {"delivery_id": endpoint_key}) is not None
