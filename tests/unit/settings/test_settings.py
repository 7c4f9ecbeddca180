import pytest
from pydantic import ValidationError

from contenthub.errors import ConfigurationError
from contenthub.resources import JOBS_TABLE, Principal, used_by
from contenthub.settings import DEPLOYED, Settings, deployed_defaults, get_settings, load_settings


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


def test_a_function_missing_a_resource_fails_at_cold_start_naming_it(monkeypatch):
    for resource in used_by(Principal.POLL):
        monkeypatch.setenv(resource.env, "x")
    monkeypatch.delenv("JOBS_TABLE")
    get_settings.cache_clear()
    try:
        with pytest.raises(ConfigurationError, match="poll cannot start: JOBS_TABLE not set"):
            load_settings(Principal.POLL)
        with pytest.raises(ConfigurationError, match="setting JOBS_TABLE is not set"):
            get_settings().resource(JOBS_TABLE)
        monkeypatch.setenv("JOBS_TABLE", "jobs")
        get_settings.cache_clear()
        assert load_settings(Principal.POLL).resource(JOBS_TABLE) == "jobs"
    finally:
        get_settings.cache_clear()


def test_deployed_defaults_are_the_models():
    defaults = deployed_defaults()
    assert defaults["ASYNC_TASK_TIMEOUT"] == "1800" and defaults["ASYNC_AUTO_APPROVE"] == "true"
    assert defaults["CREATOR_KIND"] == "offline" and defaults["WEBHOOK_URL"] == ""
    assert set(defaults) == set(DEPLOYED)
