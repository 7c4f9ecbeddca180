"""HTTP client for the ContentHub API: unsigned for the local stack, SigV4-signed (the caller's AWS
credentials, service execute-api) for a deployed API.

Reads (GET), and a POST that carries an Idempotency-Key, are retried on 429, 5xx, connection errors and
timeouts with exponential backoff and jitter (Retry-After honoured), within a budget of about 30 s.
Other writes are sent once: a repeat could act twice.
"""

from __future__ import annotations

import functools
import json
import random
import time
from dataclasses import dataclass, field
from datetime import UTC, datetime
from email.utils import parsedate_to_datetime
from typing import Any
from urllib.parse import urlencode

import requests

from contenthub_cli.config import DEFAULT_ENDPOINT, Settings, resolve
from contenthub_cli.errors import CliError, ServiceUnavailable, UsageProblem, error_line, http_error

__all__ = ["DEFAULT_ENDPOINT", "Client", "error_line"]
RETRYABLE_STATUS = 429


@functools.cache
def _credentials(aws_profile: str | None) -> Any:
    """One botocore session per AWS profile for the life of the process (credentials refresh themselves)."""
    import botocore.exceptions
    import botocore.session

    try:
        credentials = botocore.session.Session(profile=aws_profile).get_credentials()
    except botocore.exceptions.ProfileNotFound as error:
        raise UsageProblem(f"AWS profile '{aws_profile}' is not configured ({error})") from error
    if credentials is None:
        raise UsageProblem("the deployed API needs AWS credentials (IAM auth); none were found")
    return credentials


@dataclass
class Client:
    endpoint: str
    region: str | None = None
    sign: bool = False
    timeout: float = 30
    retries: int = 4
    aws_profile: str | None = None
    backoff: float = 2.0  # seconds before the first retry; doubles each time (with jitter)
    budget: float = 30.0  # most seconds spent waiting between the attempts of one call
    session: requests.Session = field(default_factory=requests.Session, repr=False)

    @classmethod
    def from_settings(cls, settings: Settings) -> Client:
        return cls(
            settings.endpoint,
            settings.region,
            sign=settings.sign,
            timeout=settings.timeout,
            retries=settings.retries,
            aws_profile=settings.aws_profile,
        )

    @classmethod
    def from_options(cls, endpoint: str | None, region: str | None, profile: str | None = None) -> Client:
        return cls.from_settings(resolve(endpoint, region, profile))

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
        base = {"Content-Type": "application/json", **extra} if data is not None else extra
        safe = method == "GET" or (method == "POST" and "Idempotency-Key" in extra)
        attempts = 1 + (self.retries if safe else 0)
        waited = 0.0
        for attempt in range(1, attempts + 1):
            sent = self._signed(method, url, data, base) if self.sign else base
            retry_after: float | None = None
            try:
                response = self.session.request(method, url, data=data, headers=sent, timeout=self.timeout)
            except requests.ConnectionError as error:  # ConnectTimeout too
                failure: CliError = ServiceUnavailable(
                    f"cannot reach {self.endpoint}: is the service running? ({error.__class__.__name__})",
                    code="unreachable",
                )
            except requests.Timeout as error:
                failure = ServiceUnavailable(f"{method} {path} timed out after {self.timeout:g} s", code="timeout")
                failure.__cause__ = error
            else:
                payload = _json(response)
                if response.status_code < 400:
                    return payload  # None for 204
                failure = http_error(response.status_code, payload, response.text)
                if response.status_code != RETRYABLE_STATUS and response.status_code < 500:
                    raise failure
                retry_after = _retry_after(response.headers.get("Retry-After"))
            delay = self._delay(attempt, retry_after)
            if attempt == attempts or waited + delay > self.budget:
                break
            time.sleep(delay)
            waited += delay
        if attempt > 1:
            failure.message += f" (gave up after {attempt} attempts)"
        raise failure

    def _delay(self, attempt: int, retry_after: float | None) -> float:
        if retry_after is not None:
            return retry_after
        return self.backoff * 2 ** (attempt - 1) * random.uniform(0.5, 1.0)  # noqa: S311 - jitter, not crypto

    def _signed(self, method: str, url: str, data: bytes | None, headers: dict[str, str]) -> dict[str, str]:
        from botocore.auth import SigV4Auth
        from botocore.awsrequest import AWSRequest

        request = AWSRequest(method=method, url=url, data=data, headers=dict(headers))
        frozen = _credentials(self.aws_profile).get_frozen_credentials()
        SigV4Auth(frozen, "execute-api", self.region or "us-east-1").add_auth(request)
        return dict(request.headers.items())


def _json(response: requests.Response) -> Any:
    try:
        return response.json()
    except ValueError:
        return None


def _retry_after(value: str | None) -> float | None:
    """Seconds from a Retry-After header: a number of seconds or an HTTP date."""
    if not value:
        return None
    try:
        return max(0.0, float(value))
    except ValueError:
        pass
    try:
        when = parsedate_to_datetime(value)
    except (TypeError, ValueError):
        return None
    if when.tzinfo is None:
        when = when.replace(tzinfo=UTC)
    return max(0.0, (when - datetime.now(UTC)).total_seconds())
