"""Accounts: the fields an operator sets, the record in the accounts table, the API view."""

from __future__ import annotations

from pydantic import ConfigDict, Field, StrictBool, StrictInt, field_validator

from contenthub.models.common import AccountId, Model, Topic, printable


class AccountSettings(Model):
    """The fields an operator sets on an account (create and update)."""

    model_config = ConfigDict(extra="forbid", str_strip_whitespace=True)

    name: str | None = Field(None, min_length=1, max_length=100)
    platform: str | None = Field(None, min_length=1, max_length=50, description="e.g. wechat, blog, x")
    language: str | None = Field(None, min_length=1, max_length=20, description="e.g. zh-CN; default CREATOR_LANGUAGE")
    tone: str | None = Field(None, min_length=1, max_length=50, description="default CREATOR_TONE")
    length: StrictInt | None = Field(None, ge=50, le=20000, description="target words; default CREATOR_LENGTH")
    topics: list[Topic] | None = Field(None, max_length=200, description="topic pool for batches and schedules")
    webhook_url: str | None = Field(None, max_length=2000, description="this account's webhook; default WEBHOOK_URL")
    webhook_enabled: StrictBool | None = None
    daily_quota: StrictInt | None = Field(None, ge=1, le=100_000, description="tasks per UTC day; null = unlimited")

    @field_validator("name", "platform", "language", "tone")
    @classmethod
    def _text(cls, value: str | None) -> str | None:
        return printable(value, "text") if value is not None else None

    @field_validator("topics")
    @classmethod
    def _topics(cls, value: list[str] | None) -> list[str] | None:
        if value is not None:
            for topic in value:
                printable(topic, "topics")
            if len(set(value)) != len(value):
                raise ValueError("topics must not repeat")
        return value


class AccountCreate(AccountSettings):
    account_id: AccountId = Field(description="the account's number, e.g. 49")
    name: str = Field(min_length=1, max_length=100)


class Account(Model):
    """An account as the API shows it."""

    account_id: int
    name: str
    platform: str | None = None
    language: str | None = None
    tone: str | None = None
    length: int | None = None
    topics: list[str] = Field(default_factory=list)
    webhook_url: str | None = None
    webhook_enabled: bool | None = None
    daily_quota: int | None = None
    tasks_today: int = Field(0, description="tasks submitted today (UTC), counted against daily_quota")
    created_at: str
    updated_at: str


class AccountRecord(Account):
    """An account as the accounts table holds it: the view's fields, tasks per UTC day (`usage`,
    counted against the quota) and when each pool topic was last used (batches take the least
    recently used first)."""

    usage: dict[str, int] = Field(default_factory=dict)
    topic_last_used: dict[str, str] = Field(default_factory=dict)

    def used_on(self, day: str) -> int:
        return int(self.usage.get(day, 0))

    def view(self, today: str) -> Account:
        data = self.model_dump(exclude={"usage", "topic_last_used"})
        data["tasks_today"] = self.used_on(today)
        return Account.model_validate(data)


class AccountList(Model):
    accounts: list[Account]
    next_cursor: str | None = None
