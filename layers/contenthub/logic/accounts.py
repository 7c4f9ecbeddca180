"""Accounts: create, read, list, update. An account's defaults shape its articles (language,
tone, length), its topic pool feeds batches and schedules, its webhook receives its task events,
and its daily quota bounds how many tasks it gets per UTC day."""

from __future__ import annotations

from datetime import datetime

from contenthub import dal
from contenthub.dal.pages import key_cursor, start_key
from contenthub.errors import InvalidRequest
from contenthub.models import Account, AccountCreate, AccountList, AccountRecord, AccountSettings, day_of, iso, utc_now
from contenthub.settings import Settings
from contenthub.webhook_http import resolve_target


def _check_webhook(url: str | None, settings: Settings) -> None:
    """Refuse an unsafe webhook target when it is set, not only when a delivery is tried."""
    if url:
        resolve_target(url, settings.WEBHOOK_ALLOW_PRIVATE_TARGETS)


def create_account(
    request: AccountCreate, settings: Settings, accounts: dal.AccountRepository, now: datetime | None = None
) -> Account:
    now = now or utc_now()
    _check_webhook(request.webhook_url, settings)
    fields = {k: v for k, v in request.model_dump().items() if v is not None}
    record = AccountRecord(**fields, created_at=iso(now), updated_at=iso(now))
    accounts.create(record)
    return record.view(day_of(now))


def get_account(account_id: int, accounts: dal.AccountRepository, now: datetime | None = None) -> Account:
    return accounts.require(account_id).view(day_of(now or utc_now()))


def list_accounts(
    accounts: dal.AccountRepository, limit: int, cursor: str | None, now: datetime | None = None
) -> AccountList:
    today = day_of(now or utc_now())
    found, key = accounts.page(limit, start_key(cursor))
    listed = sorted((account.view(today) for account in found), key=lambda a: a.account_id)
    return AccountList(accounts=listed, next_cursor=key_cursor(key))


def update_account(
    account_id: int, changes: AccountSettings, settings: Settings, accounts: dal.AccountRepository,
    now: datetime | None = None,
) -> Account:  # fmt: skip
    """PATCH semantics: only the fields sent change; a field sent as null goes back to its default."""
    now = now or utc_now()
    fields = changes.model_dump(exclude_unset=True)
    if "name" in fields and fields["name"] is None:
        raise InvalidRequest("name cannot be removed")
    _check_webhook(fields.get("webhook_url"), settings)
    if not fields:
        return get_account(account_id, accounts, now)
    return accounts.update(account_id, fields, now).view(day_of(now))
