import pytest
from pydantic import ValidationError

from contenthub.errors import ConfigurationError
from contenthub.settings import Settings


def test_defaults_are_the_old_systems(monkeypatch):
    settings = Settings()
    assert settings.ASYNC_CONTENT_GENERATION_ENABLED is True
    assert settings.ASYNC_MAX_CONCURRENT_TASKS == 5
    assert settings.ASYNC_TASK_TIMEOUT == 1800
    assert settings.ASYNC_POLL_INTERVAL == 30
    assert settings.ASYNC_AUTO_APPROVE is True
    assert settings.ASYNC_WORKER_COUNT == 5
    assert settings.CREATOR_MODE == "async"


def test_environment_overrides(monkeypatch):
    monkeypatch.setenv("ASYNC_AUTO_APPROVE", "false")
    monkeypatch.setenv("ASYNC_POLL_INTERVAL", "5")
    settings = Settings()
    assert settings.ASYNC_AUTO_APPROVE is False and settings.ASYNC_POLL_INTERVAL == 5


def test_bad_values_are_rejected(monkeypatch):
    monkeypatch.setenv("ASYNC_POLL_INTERVAL", "0")
    with pytest.raises(ValidationError, match="ASYNC_POLL_INTERVAL"):
        Settings()


def test_missing_resource_names_what_is_missing(monkeypatch):
    monkeypatch.delenv("TASKS_TABLE", raising=False)
    with pytest.raises(ConfigurationError, match="TASKS_TABLE"):
        Settings().require("TASKS_TABLE")
