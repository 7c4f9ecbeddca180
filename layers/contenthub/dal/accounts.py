"""The accounts table (the old system's Account model): defaults for generation, topic pool,
webhook, daily quota; `usage` holds tasks per UTC day, `topic_last_used` orders the topic pool."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any

from botocore.exceptions import ClientError

from contenthub.dal.items import Repository, condition_failed, conditional, dynamodb_table, plain
from contenthub.dal.pages import Key, PageKey, positive_id
from contenthub.errors import AccountExists, AccountNotFound
from contenthub.models import AccountRecord, iso


def not_found(account_id: int) -> AccountNotFound:
    return AccountNotFound(
        f"account {account_id} does not exist; create it first (POST /accounts, or: contenthub account create)"
    )


@dataclass
class AccountRepository(Repository[AccountRecord]):
    entity = AccountRecord
    key = "account_id"

    def create(self, account: AccountRecord) -> None:
        item = account.model_dump(mode="json", exclude_none=True, exclude={"tasks_today"})
        if not conditional(
            dynamodb_table(self.table).put_item, Item=item, ConditionExpression="attribute_not_exists(account_id)"
        ):
            raise AccountExists(f"account {account.account_id} exists already; update it instead")

    def require(self, account_id: int) -> AccountRecord:
        account = self.get(account_id)
        if account is None:
            raise not_found(account_id)
        return account

    def page(self, limit: int, start: Any) -> tuple[list[AccountRecord], Key | None]:
        """Accounts are few (an operator's list): a paginated Scan of the small accounts table."""
        request: dict[str, Any] = {"Limit": limit}
        if start_key := PageKey({"account_id": positive_id}).check(start):
            request["ExclusiveStartKey"] = start_key
        response = dynamodb_table(self.table).scan(**request)
        accounts = self._many(response.get("Items", []))
        return accounts, plain(response.get("LastEvaluatedKey"))

    def update(self, account_id: int, changes: dict[str, Any], now: datetime) -> AccountRecord:
        """Set the given fields; a None value removes the field (back to the default)."""
        names = {f"#f{i}": k for i, k in enumerate(changes)}
        sets = [f"#f{i} = :f{i}" for i, (k, v) in enumerate(changes.items()) if v is not None]
        removes = [f"#f{i}" for i, (k, v) in enumerate(changes.items()) if v is None]
        values: dict[str, Any] = {f":f{i}": v for i, (k, v) in enumerate(changes.items()) if v is not None}
        values[":now"] = iso(now)
        expression = (
            "SET " + ", ".join([*sets, "updated_at = :now"]) + (" REMOVE " + ", ".join(removes) if removes else "")
        )
        try:
            response = dynamodb_table(self.table).update_item(
                Key={"account_id": account_id},
                UpdateExpression=expression,
                ConditionExpression="attribute_exists(account_id)",
                ExpressionAttributeNames=names,
                ExpressionAttributeValues=values,
                ReturnValues="ALL_NEW",
            )
        except ClientError as error:
            if condition_failed(error):
                raise AccountNotFound(f"account {account_id} does not exist") from error
            raise
        return AccountRecord.model_validate(plain(response["Attributes"]))
