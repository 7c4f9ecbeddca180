"""One guarded webhook delivery over HTTP.

POST with a timeout, no redirects, only 2xx counts. The SSRF guard resolves the host,
refuses it unless every address is public, and connects to that resolved address (TLS still
verifies the hostname), so a DNS answer cannot change between the check and the connect.
"""

from __future__ import annotations

import ipaddress
import socket
import time
from collections.abc import Callable
from dataclasses import dataclass
from urllib.parse import urlsplit

import urllib3

from contenthub.errors import UnsafeTarget

Resolver = Callable[[str, int], list[str]]


def system_resolver(host: str, port: int) -> list[str]:
    return sorted({str(info[4][0]) for info in socket.getaddrinfo(host, port, proto=socket.IPPROTO_TCP)})


def check_address(address: str) -> None:
    ip = ipaddress.ip_address(address.split("%")[0])
    if isinstance(ip, ipaddress.IPv6Address) and ip.ipv4_mapped:
        ip = ip.ipv4_mapped
    # is_global is False for loopback, private, link-local (incl. 169.254.169.254), CGNAT,
    # unique-local, unspecified and reserved ranges; multicast is refused explicitly.
    if not ip.is_global or ip.is_multicast:
        raise UnsafeTarget(f"webhook target resolves to {ip}, which is not a public address")


@dataclass(frozen=True)
class Target:
    scheme: str
    host: str
    port: int
    path: str
    address: str  # the resolved address that is connected to


def resolve_target(url: str, allow_private: bool, resolver: Resolver = system_resolver) -> Target:
    parts = urlsplit(url)
    if parts.scheme not in ("https", "http") or not parts.hostname:
        raise UnsafeTarget(f"webhook URL {url!r} must be an absolute https URL")
    if parts.scheme == "http" and not allow_private:
        raise UnsafeTarget("webhook URL must use https")
    if parts.username or parts.password:
        raise UnsafeTarget("webhook URL must not carry credentials")
    port = parts.port or (443 if parts.scheme == "https" else 80)
    try:
        addresses = resolver(parts.hostname, port)
    except OSError as error:
        raise UnsafeTarget(f"webhook host {parts.hostname!r} does not resolve: {error}") from error
    if not addresses:
        raise UnsafeTarget(f"webhook host {parts.hostname!r} does not resolve")
    if not allow_private:
        for address in addresses:
            check_address(address)
    path = (parts.path or "/") + (f"?{parts.query}" if parts.query else "")
    return Target(parts.scheme, parts.hostname, port, path, addresses[0])


@dataclass
class AttemptResult:
    status: int | None  # HTTP status, None when no response
    latency_ms: int
    error: str | None = None
    retry_after: int | None = None

    @property
    def ok(self) -> bool:
        return self.status is not None and 200 <= self.status < 300


def _retry_after(value: str | None) -> int | None:
    if not value:
        return None
    try:
        return max(int(value.strip()), 0)
    except ValueError:
        from email.utils import parsedate_to_datetime

        try:
            return max(int(parsedate_to_datetime(value).timestamp() - time.time()), 0)
        except (TypeError, ValueError):
            return None


def post(target: Target, headers: dict[str, str], body: bytes, timeout: float) -> AttemptResult:
    host_header = target.host if target.port in (80, 443) else f"{target.host}:{target.port}"
    pool: urllib3.HTTPConnectionPool
    if target.scheme == "https":
        pool = urllib3.HTTPSConnectionPool(
            target.address, target.port, server_hostname=target.host, assert_hostname=target.host,
            cert_reqs="CERT_REQUIRED", retries=False, timeout=timeout,
        )  # fmt: skip
    else:
        pool = urllib3.HTTPConnectionPool(target.address, target.port, retries=False, timeout=timeout)
    started = time.monotonic()
    try:
        response = pool.urlopen(
            "POST", target.path, body=body, headers={**headers, "host": host_header}, redirect=False,
            preload_content=True, timeout=urllib3.Timeout(total=timeout),
        )  # fmt: skip
    except urllib3.exceptions.HTTPError as error:
        return AttemptResult(None, int((time.monotonic() - started) * 1000), error=f"{type(error).__name__}: {error}")
    finally:
        pool.close()
    latency = int((time.monotonic() - started) * 1000)
    retry_after = _retry_after(response.headers.get("retry-after")) if response.status in (429, 503) else None
    failure = None if 200 <= response.status < 300 else f"HTTP {response.status}"
    return AttemptResult(response.status, latency, error=failure, retry_after=retry_after)
