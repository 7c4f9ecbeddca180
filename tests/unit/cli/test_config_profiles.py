"""Profiles in the config file, and precedence: flag > environment variable > profile > default."""

from __future__ import annotations

from pathlib import Path

from contenthub_cli.config import resolve
from tests.unit.cli.conftest import FakeApi

METRICS = {"total_tasks": 7, "tasks_today": 2, "in_flight": 1, "success_rate": 1.0, "system_status": "ok"}
DEAD = "http://127.0.0.1:9"  # discard port: nobody answers


def _config(path: Path, api: FakeApi) -> None:
    path.write_text(
        f'[default]\nendpoint = "{DEAD}"\nretries = 0\n\n'
        f'[staging]\nendpoint = "{api.url}"\ntimeout = 5\nretries = 1\n'
        '\n[prod]\nendpoint = "https://abc.execute-api.eu-west-1.amazonaws.com/v1"\naws_profile = "ops"\n',
        encoding="utf-8",
    )


def test_profile_flag_picks_its_endpoint(api: FakeApi, run, clean_environment: Path):
    _config(clean_environment, api)
    api.on("GET", "/metrics", (200, METRICS))
    chosen = run("--profile", "staging", "monitor", "metrics", endpoint=False)
    assert chosen.exit_code == 0 and "7" in chosen.stdout
    after = run("monitor", "metrics", "--profile", "staging", endpoint=False)
    assert after.exit_code == 0
    default = run("monitor", "metrics", endpoint=False)
    assert default.exit_code == 4 and f"cannot reach {DEAD}" in default.stderr


def test_profile_from_the_environment(api: FakeApi, run, clean_environment: Path):
    _config(clean_environment, api)
    api.on("GET", "/metrics", (200, METRICS))
    assert run("monitor", "metrics", env={"CONTENTHUB_PROFILE": "staging"}, endpoint=False).exit_code == 0


def test_flag_beats_environment_beats_profile(api: FakeApi, run, clean_environment: Path):
    _config(clean_environment, api)
    api.on("GET", "/metrics", (200, METRICS))
    # the environment's endpoint wins over the profile's dead one
    assert run("monitor", "metrics", env={"CONTENTHUB_ENDPOINT": api.url}, endpoint=False).exit_code == 0
    # the flag wins over a dead environment endpoint
    assert run("monitor", "metrics", env={"CONTENTHUB_ENDPOINT": DEAD}).exit_code == 0


def test_profile_keys_are_read(api: FakeApi, clean_environment: Path, monkeypatch):
    _config(clean_environment, api)
    monkeypatch.delenv("AWS_REGION", raising=False)
    staging = resolve(profile="staging")
    assert (staging.endpoint, staging.timeout, staging.retries, staging.sign) == (api.url, 5.0, 1, False)
    prod = resolve(profile="prod")
    assert prod.sign is True and prod.region == "eu-west-1" and prod.aws_profile == "ops"
    monkeypatch.setenv("CONTENTHUB_RETRIES", "3")
    assert resolve(profile="staging").retries == 3


def test_unknown_profile_and_bad_files_are_usage_errors(api: FakeApi, run, clean_environment: Path):
    _config(clean_environment, api)
    missing = run("--profile", "nope", "monitor", "metrics", endpoint=False)
    assert missing.exit_code == 2 and "no profile [nope]" in missing.stderr and "staging" in missing.stderr
    clean_environment.write_text('[default]\nendpoint = "x"\ncolour = true\n')
    assert "unknown key 'colour'" in run("monitor", "metrics").stderr
    clean_environment.write_text("[default\n")
    broken = run("monitor", "metrics")
    assert broken.exit_code == 2 and "not valid TOML" in broken.stderr


def test_no_config_file_means_the_local_stack(clean_environment: Path):
    assert not clean_environment.exists()
    assert resolve().endpoint == "http://127.0.0.1:8787"
