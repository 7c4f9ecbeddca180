"""Accounts: create, read, list, update. An account's defaults shape its articles (language,
tone, length), its topic pool feeds batches and schedules, its webhook receives its task events,
and its daily quota bounds how many tasks it gets per UTC day."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from contenthub import dal
from contenthub.errors import InvalidRequest
from contenthub.models import Account, AccountCreate, AccountList, AccountSettings, iso, utc_now
from contenthub.settings import Settings
from contenthub.webhooks import resolve_target


def _check_webhook(url: str | None, settings: Settings) -> None:
    """Refuse an unsafe webhook target when it is set, not only when a delivery is tried."""
    if url:
        resolve_target(url, settings.WEBHOOK_ALLOW_PRIVATE_TARGETS)


def create_account(
    request: AccountCreate, settings: Settings, accounts: dal.AccountRepository, now: datetime | None = None
) -> Account:
    now = now or utc_now()
    _check_webhook(request.webhook_url, settings)
    item: dict[str, Any] = {k: v for k, v in request.model_dump().items() if v is not None}
    item.update(created_at=iso(now), updated_at=iso(now))
    accounts.create(item)
    return Account.from_item(item, now.strftime("%Y-%m-%d"))


def get_account(account_id: int, accounts: dal.AccountRepository, now: datetime | None = None) -> Account:
    now = now or utc_now()
    return Account.from_item(accounts.require(account_id), now.strftime("%Y-%m-%d"))


def list_accounts(
    accounts: dal.AccountRepository, limit: int, cursor: str | None, now: datetime | None = None
) -> AccountList:
    now = now or utc_now()
    items, key = accounts.page(limit, dal.decode_cursor(cursor).get("k"))
    today = now.strftime("%Y-%m-%d")
    listed = sorted((Account.from_item(i, today) for i in items), key=lambda a: a.account_id)
    return AccountList(accounts=listed, next_cursor=dal.encode_cursor({"k": key} if key else None))


def update_account(
    account_id: int,
    changes: AccountSettings,
    settings: Settings,
    accounts: dal.AccountRepository,
    now: datetime | None = None,
) -> Account:
    """PATCH semantics: only the fields sent change; a field sent as null goes back to its default."""
    now = now or utc_now()
    fields = changes.model_dump(exclude_unset=True)
    if "name" in fields and fields["name"] is None:
        raise InvalidRequest("name cannot be removed")
    _check_webhook(fields.get("webhook_url"), settings)
    if not fields:
        return get_account(account_id, accounts, now)
    return Account.from_item(accounts.update(account_id, fields, now), now.strftime("%Y-%m-%d"))
