"""Where a task's webhook goes: the account's own, else the global one."""

from contenthub.logic.webhooks import target_url
from contenthub.settings import Settings
from tests.fixtures.entities import account


def test_webhook_target_prefers_the_account():
    on = Settings(WEBHOOK_ENABLED=True, WEBHOOK_URL="https://global.example/hook")
    off = Settings(WEBHOOK_ENABLED=False, WEBHOOK_URL="https://global.example/hook")
    assert target_url(on, None) == "https://global.example/hook"
    assert target_url(on, account(webhook_url="https://mine.example/hook")) == "https://mine.example/hook"
    assert target_url(off, account(webhook_url="https://mine.example/hook")) == "https://mine.example/hook"
    assert target_url(on, account(webhook_url="https://mine.example/hook", webhook_enabled=False)) is None
    assert target_url(off, account()) is None
