"""HTTP client for the ContentHub API: unsigned for the local stack, SigV4-signed (the caller's
AWS credentials, service execute-api) for a deployed API."""

from __future__ import annotations

import json
import os
import tomllib
from dataclasses import dataclass
from pathlib import Path
from typing import Any
from urllib.parse import urlencode, urlsplit

import requests

DEFAULT_ENDPOINT = "http://127.0.0.1:8787"
CONFIG_PATH = Path(os.environ.get("CONTENTHUB_CONFIG", Path.home() / ".config" / "contenthub" / "config.toml"))


class ApiError(Exception):
    """One clear line for the operator."""


def load_config(path: Path = CONFIG_PATH) -> dict[str, Any]:
    if not path.exists():
        return {}
    try:
        return dict(tomllib.loads(path.read_text()).get("default", {}))
    except tomllib.TOMLDecodeError as error:
        raise ApiError(f"config file {path} is not valid TOML: {error}") from error


@dataclass
class Client:
    endpoint: str
    region: str | None = None
    sign: bool = False
    timeout: float = 30

    @classmethod
    def from_options(cls, endpoint: str | None, region: str | None) -> Client:
        config = load_config()
        url = (endpoint or os.environ.get("CONTENTHUB_ENDPOINT") or config.get("endpoint") or DEFAULT_ENDPOINT).rstrip(
            "/"
        )
        host = urlsplit(url).hostname or ""
        # The API's own region (from its hostname) is the one its signature must name.
        if region is None and ".execute-api." in host:
            region = host.split(".execute-api.")[1].split(".")[0]
        region = region or os.environ.get("AWS_REGION") or config.get("region")
        return cls(url, region, sign=host.endswith(".amazonaws.com") or bool(config.get("sign", False)))

    def request(
        self,
        method: str,
        path: str,
        body: Any = None,
        query: dict[str, Any] | None = None,
        headers: dict[str, str | None] | None = None,
    ) -> Any:
        query = {k: v for k, v in (query or {}).items() if v is not None}
        url = self.endpoint + path + (f"?{urlencode(query)}" if query else "")
        data = json.dumps(body, ensure_ascii=False).encode() if body is not None else None
        extra = {k: v for k, v in (headers or {}).items() if v is not None}
        sent = {"Content-Type": "application/json", **extra} if data is not None else extra
        if self.sign:
            sent = self._signed(method, url, data, sent)
        try:
            response = requests.request(method, url, data=data, headers=sent, timeout=self.timeout)
        except requests.ConnectionError as error:
            raise ApiError(
                f"cannot reach {self.endpoint}: is the service running? ({error.__class__.__name__})"
            ) from error
        except requests.Timeout as error:
            raise ApiError(f"{method} {path} timed out after {self.timeout:.0f} s") from error
        try:
            payload = response.json()
        except ValueError:
            payload = None
        if response.status_code >= 400:
            raise ApiError(_error_line(response.status_code, payload, response.text))
        return payload  # None for 204

    def _signed(self, method: str, url: str, data: bytes | None, headers: dict[str, str]) -> dict[str, str]:
        import botocore.session
        from botocore.auth import SigV4Auth
        from botocore.awsrequest import AWSRequest

        credentials = botocore.session.get_session().get_credentials()
        if credentials is None:
            raise ApiError("the deployed API needs AWS credentials (IAM auth); none were found")
        request = AWSRequest(method=method, url=url, data=data, headers=headers)
        SigV4Auth(credentials.get_frozen_credentials(), "execute-api", self.region or "us-east-1").add_auth(request)
        return dict(request.headers.items())


def _error_line(status: int, payload: Any, text: str) -> str:
    if isinstance(payload, dict) and isinstance(payload.get("error"), dict):
        error = payload["error"]
        return f"{error.get('message', 'request failed')} (HTTP {status}, {error.get('code', 'error')})"
    if isinstance(payload, dict) and "message" in payload:
        return f"{payload['message']} (HTTP {status})"
    return f"HTTP {status}: {text[:200]}"
