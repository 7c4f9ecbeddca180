"""Where the CLI connects and how: flags > environment variables > the config profile > defaults.

The config file (`$CONTENTHUB_CONFIG`, else ~/.config/contenthub/config.toml) holds one TOML table per
profile; `--profile NAME` / `$CONTENTHUB_PROFILE` picks `[NAME]`, else `[default]` is used.
"""

from __future__ import annotations

import os
import tomllib
from dataclasses import dataclass
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

from contenthub_cli.errors import UsageProblem

DEFAULT_ENDPOINT = "http://127.0.0.1:8787"
DEFAULT_TIMEOUT = 30.0
DEFAULT_RETRIES = 4
# key -> (accepted types, meaning): the whole vocabulary of a profile table.
KEYS: dict[str, tuple[tuple[type, ...], str]] = {
    "endpoint": ((str,), "API base URL"),
    "region": ((str,), "AWS region named in the SigV4 signature"),
    "sign": ((bool,), "sign requests with SigV4 (default: only *.amazonaws.com endpoints)"),
    "aws_profile": ((str,), "AWS credentials profile used for SigV4"),
    "timeout": ((int, float), "seconds one HTTP call may take"),
    "retries": ((int,), "extra attempts of a read (GET) after a 429, 5xx or connection error"),
}


@dataclass(frozen=True)
class Settings:
    endpoint: str
    region: str | None
    sign: bool
    aws_profile: str | None
    timeout: float
    retries: int
    profile: str


def config_path() -> Path:
    return Path(os.environ.get("CONTENTHUB_CONFIG") or Path.home() / ".config" / "contenthub" / "config.toml")


def load_profile(name: str | None, path: Path | None = None) -> dict[str, Any]:
    """The profile's table; {} when there is no file or no [default]. A named profile must exist."""
    path = path or config_path()
    explicit = name is not None and name != "default"
    name = name or "default"
    if not path.exists():
        if explicit:
            raise UsageProblem(f"profile '{name}' was asked for, but the config file {path} does not exist")
        return {}
    try:
        data = tomllib.loads(path.read_text(encoding="utf-8"))
    except (tomllib.TOMLDecodeError, UnicodeDecodeError) as error:
        raise UsageProblem(f"config file {path} is not valid TOML: {error}") from error
    table = data.get(name)
    if table is None:
        if explicit:
            known = ", ".join(k for k, v in data.items() if isinstance(v, dict)) or "none"
            raise UsageProblem(f"no profile [{name}] in {path} (profiles: {known})")
        return {}
    if not isinstance(table, dict):
        raise UsageProblem(f"[{name}] in {path} must be a table of keys")
    for key, value in table.items():
        if key not in KEYS:
            raise UsageProblem(f"unknown key '{key}' in [{name}] of {path} (known: {', '.join(KEYS)})")
        types = KEYS[key][0]
        if not isinstance(value, types) or (isinstance(value, bool) and bool not in types):
            wanted = " or ".join(t.__name__ for t in types)
            raise UsageProblem(f"'{key}' in [{name}] of {path} must be a {wanted}, not {value!r}")
    return dict(table)


def _env_number(name: str, kind: type[float] | type[int]) -> float | int | None:
    text = os.environ.get(name)
    if not text:
        return None
    try:
        return kind(text)
    except ValueError as error:
        raise UsageProblem(f"${name} must be a number, not {text!r}") from error


def _env_bool(name: str) -> bool | None:
    text = os.environ.get(name, "").strip().lower()
    if not text:
        return None
    if text in ("1", "true", "yes", "on"):
        return True
    if text in ("0", "false", "no", "off"):
        return False
    raise UsageProblem(f"${name} must be true or false, not {text!r}")


def resolve(endpoint: str | None = None, region: str | None = None, profile: str | None = None) -> Settings:
    name = profile or os.environ.get("CONTENTHUB_PROFILE") or None
    table = load_profile(name)
    url = (endpoint or os.environ.get("CONTENTHUB_ENDPOINT") or table.get("endpoint") or DEFAULT_ENDPOINT).rstrip("/")
    host = urlsplit(url).hostname or ""
    # A deployed API's hostname names its region, and the signature must name that one.
    api_region = host.split(".execute-api.")[1].split(".")[0] if ".execute-api." in host else None
    region = (
        region
        or api_region
        or os.environ.get("CONTENTHUB_REGION")
        or os.environ.get("AWS_REGION")
        or table.get("region")
    )
    sign = _env_bool("CONTENTHUB_SIGN")
    if sign is None:
        sign = bool(table["sign"]) if "sign" in table else host.endswith(".amazonaws.com")
    timeout = _env_number("CONTENTHUB_TIMEOUT", float) or table.get("timeout") or DEFAULT_TIMEOUT
    retries = _env_number("CONTENTHUB_RETRIES", int)
    retries = table.get("retries", DEFAULT_RETRIES) if retries is None else retries
    if float(timeout) <= 0 or int(retries) < 0:
        raise UsageProblem("timeout must be positive and retries zero or more")
    return Settings(
        endpoint=url,
        region=region,
        sign=sign,
        aws_profile=os.environ.get("CONTENTHUB_AWS_PROFILE") or table.get("aws_profile"),
        timeout=float(timeout),
        retries=int(retries),
        profile=name or "default",
    )
