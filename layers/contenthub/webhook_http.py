"""One guarded webhook delivery over HTTP.

POST with a timeout, no redirects, only 2xx counts. The SSRF guard parses the URL strictly,
allows port 443 or ports from 1024, resolves the host, refuses it unless every address is public
(IPv6 forms that embed an IPv4 address are judged by that address), and connects to that resolved
address (TLS still verifies the hostname), so a DNS answer cannot change between the check and the
connect. WEBHOOK_ALLOW_PRIVATE_TARGETS (the local stack) lifts the address, port and https rules.
"""

from __future__ import annotations

import ipaddress
import re
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


# IPv6 ranges no webhook receiver lives in: Teredo tunnels and local-use NAT64 (RFC 8215).
REFUSED_IPV6 = (ipaddress.IPv6Network("2001::/32"), ipaddress.IPv6Network("64:ff9b:1::/48"))
# IPv6 forms that carry an IPv4 address in their last 32 bits: NAT64 (RFC 6052), IPv4-compatible
# (::a.b.c.d) and IPv4-translated (::ffff:0:a.b.c.d); the embedded address is the one checked.
EMBEDDING_IPV6 = (
    ipaddress.IPv6Network("64:ff9b::/96"), ipaddress.IPv6Network("::/96"), ipaddress.IPv6Network("::ffff:0:0:0/96"),
)  # fmt: skip


def embedded_ipv4(ip: ipaddress.IPv6Address) -> ipaddress.IPv4Address | None:
    """The IPv4 address an IPv6 address stands for (mapped, 6to4, NAT64, compatible, translated)."""
    if ip.ipv4_mapped or ip.sixtofour:
        return ip.ipv4_mapped or ip.sixtofour
    if any(ip in network for network in EMBEDDING_IPV6):
        return ipaddress.IPv4Address(int(ip) & 0xFFFFFFFF)
    return None


def check_address(address: str) -> None:
    ip: ipaddress.IPv4Address | ipaddress.IPv6Address = ipaddress.ip_address(address.split("%")[0])
    refused = isinstance(ip, ipaddress.IPv6Address) and any(ip in network for network in REFUSED_IPV6)
    if isinstance(ip, ipaddress.IPv6Address) and (inner := embedded_ipv4(ip)) is not None:
        ip = inner
    # is_global is False for loopback, private, link-local (incl. 169.254.169.254), CGNAT,
    # unique-local, unspecified and reserved ranges; multicast is refused explicitly.
    if refused or not ip.is_global or ip.is_multicast:
        shown = address if str(ip) == address else f"{address} ({ip})"
        raise UnsafeTarget(f"webhook target resolves to {shown}, which is not a public address")


@dataclass(frozen=True)
class Target:
    scheme: str
    host: str
    port: int
    path: str
    address: str  # the resolved address that is connected to


MAX_HOST_LENGTH = 253
MIN_OTHER_PORT = 1024  # in AWS mode a webhook goes to 443 or an unprivileged port (not 22, 25, 80, …)
_HOST_PORT = re.compile(r"^(\[[^\[\]]+\]|[^:\[\]]+)(:[0-9]*)?$")
_LABEL = re.compile(r"^[a-z0-9_]([a-z0-9_-]{0,61}[a-z0-9_])?$")


def _refuse(url: str, why: str) -> UnsafeTarget:
    shown = url if len(url) <= 200 else url[:200] + "…"
    return UnsafeTarget(f"webhook URL {shown!r} is not valid: {why}")


def _host(url: str, hostname: str) -> str:
    """The host as it is resolved and sent (SNI, Host): an IP literal, or a DNS name in ASCII
    (an internationalised name in its xn-- form) whose labels are 1–63 letters, digits, `-` or `_`."""
    try:
        return str(ipaddress.ip_address(hostname))
    except ValueError:
        pass
    if ":" in hostname:
        raise _refuse(url, f"{hostname!r} is not an IPv6 address")
    try:
        name = hostname.encode("idna").decode("ascii")
    except UnicodeError:
        raise _refuse(url, f"host name {hostname!r} has an empty or over-long label") from None
    labels = name.removesuffix(".").split(".")
    if len(name) > MAX_HOST_LENGTH or not all(_LABEL.match(label) for label in labels):
        raise _refuse(url, f"{hostname!r} is not a valid host name")
    return name


def parse_url(url: str, allow_private: bool) -> tuple[str, str, int, str]:
    """(scheme, host, port, path) of a webhook URL, or UnsafeTarget (a 422) saying what is wrong:
    every URL that does not parse is refused here, before anything is resolved or sent."""
    if re.search(r"[\x00-\x20\x7f]", url):
        raise _refuse(url, "it contains spaces or control characters")
    try:
        parts = urlsplit(url)
        hostname, port = parts.hostname, parts.port
    except ValueError as error:  # a bad port, an unclosed IPv6 literal, …
        raise _refuse(url, str(error)) from None
    if parts.scheme not in ("https", "http") or not hostname:
        raise UnsafeTarget(f"webhook URL {url[:200]!r} must be an absolute https URL")
    if parts.scheme == "http" and not allow_private:
        raise UnsafeTarget("webhook URL must use https")
    if parts.username is not None or parts.password is not None:
        raise UnsafeTarget("webhook URL must not carry credentials")
    if not _HOST_PORT.match(parts.netloc.rpartition("@")[2]):
        raise _refuse(url, f"{parts.netloc!r} is not a host with an optional port")
    if port == 0:
        raise _refuse(url, "port 0")
    host = _host(url, hostname)
    port = port or (443 if parts.scheme == "https" else 80)
    if not allow_private and port != 443 and port < MIN_OTHER_PORT:
        raise UnsafeTarget(f"webhook URL port {port} is not allowed: use 443, or a port from {MIN_OTHER_PORT}")
    path = (parts.path or "/") + (f"?{parts.query}" if parts.query else "")
    return parts.scheme, host, port, path


def resolve_target(url: str, allow_private: bool, resolver: Resolver = system_resolver) -> Target:
    scheme, host, port, path = parse_url(url, allow_private)
    try:
        addresses = resolver(host, port)
    except (OSError, UnicodeError) as error:
        raise UnsafeTarget(f"webhook host {host!r} does not resolve: {error}") from error
    if not addresses:
        raise UnsafeTarget(f"webhook host {host!r} does not resolve")
    if not allow_private:
        for address in addresses:
            check_address(address)
    return Target(scheme, host, port, path, addresses[0])


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
