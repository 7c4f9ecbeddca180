"""One guarded webhook delivery over HTTP.

POST within a wall-clock deadline, reading a few KB of the answer; no redirects, only 2xx
counts. The SSRF guard parses the URL strictly, allows port 443 or ports from 1024, resolves the
host, refuses it unless every address is public (IPv6 forms that embed an IPv4 address are judged
by that address), and connects to that resolved address (TLS still verifies the hostname), so a
DNS answer cannot change between the check and the connect. WEBHOOK_ALLOW_PRIVATE_TARGETS (the
local stack) lifts the address, port and https rules.
"""

from __future__ import annotations

import contextlib
import http.client
import io
import ipaddress
import re
import socket
import ssl
import string
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass
from functools import lru_cache
from typing import Any
from urllib.parse import quote, urlsplit

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
    name = name.removesuffix(".")  # a fully qualified name's final dot: not sent in SNI or Host
    if len(name) > MAX_HOST_LENGTH or not all(_LABEL.match(label) for label in name.split(".")):
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
    return parts.scheme, host, port, quote(path, safe=string.punctuation)  # non-ASCII percent-encoded


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
        """A 2xx that arrived whole within the deadline."""
        return self.error is None and self.status is not None and 200 <= self.status < 300


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


MAX_RESPONSE_HEAD_BYTES = 8192  # status line and headers; a longer head fails the attempt
MAX_RESPONSE_BODY_BYTES = 4096  # of the body, read and dropped; the rest is never read


class ResponseTooLarge(http.client.HTTPException):
    pass


class _CappedReader(io.RawIOBase):
    """The response as http.client reads it: straight from the socket, and no more than `cap`
    bytes in all. Over the cap the head is an error; the body just ends (see `allow_body`)."""

    def __init__(self, sock: socket.socket) -> None:
        self.sock, self.cap, self.taken, self.in_body = sock, MAX_RESPONSE_HEAD_BYTES, 0, False

    def readable(self) -> bool:
        return True

    def readinto(self, buffer: Any) -> int:
        room = self.cap - self.taken
        if room <= 0:
            if self.in_body:
                return 0
            raise ResponseTooLarge(f"response head over {MAX_RESPONSE_HEAD_BYTES} bytes")
        got = self.sock.recv_into(memoryview(buffer).cast("B")[:room])
        self.taken += got
        return got

    def allow_body(self) -> None:
        self.in_body, self.cap = True, self.taken + MAX_RESPONSE_BODY_BYTES

    def makefile(self, mode: str) -> io.BufferedReader:  # what http.client.HTTPResponse reads from
        return io.BufferedReader(self, buffer_size=1024)


class _Watchdog:
    """Shuts the attempt's socket down when its deadline passes, whatever it is waiting for:
    connect, TLS handshake, sending, the head or the body. (A socket timeout bounds one read; a
    receiver sending a byte a second would never trip it.)"""

    def __init__(self, seconds: float) -> None:
        self.lock = threading.Lock()
        self.sock: socket.socket | None = None
        self.fired = self.stopped = False
        self.timer = threading.Timer(seconds, self._fire)
        self.timer.daemon = True
        self.timer.start()

    def watch(self, sock: socket.socket) -> None:
        with self.lock:
            self.sock = sock
            if self.fired:
                self._shutdown()

    def _fire(self) -> None:
        with self.lock:
            if not self.stopped:
                self.fired = True
                self._shutdown()

    def _shutdown(self) -> None:
        if self.sock is not None:
            with contextlib.suppress(OSError):  # the plain socket call, also under TLS: no close_notify
                socket.socket.shutdown(self.sock, socket.SHUT_RDWR)

    def stop(self) -> bool:
        """Stand down; True if the deadline passed first."""
        with self.lock:
            self.stopped = True
        self.timer.cancel()
        return self.fired


@lru_cache(maxsize=1)
def _tls() -> ssl.SSLContext:
    return ssl.create_default_context()  # certificates required, hostname checked, TLS 1.2+


def _request(target: Target, headers: dict[str, str], body: bytes) -> bytes:
    host = f"[{target.host}]" if ":" in target.host else target.host
    host_header = host if target.port == {"https": 443, "http": 80}[target.scheme] else f"{host}:{target.port}"
    lines = [f"POST {target.path} HTTP/1.1", f"host: {host_header}", *(f"{k}: {v}" for k, v in headers.items()),
             f"content-length: {len(body)}", "connection: close"]  # fmt: skip
    return ("\r\n".join(lines) + "\r\n\r\n").encode("latin-1") + body


def post(
    target: Target, headers: dict[str, str], body: bytes, timeout: float, ssl_context: ssl.SSLContext | None = None
) -> AttemptResult:
    """One POST to the resolved address, finished within `timeout` seconds in all (connect, TLS,
    request, status and headers, and the first MAX_RESPONSE_BODY_BYTES of the body) or failed."""
    started = time.monotonic()
    watchdog = _Watchdog(timeout)
    sock: socket.socket | None = None
    status: int | None = None
    retry_after: int | None = None
    error: str | None = None
    try:
        sock = socket.create_connection((target.address, target.port), timeout=timeout)
        watchdog.watch(sock)
        if target.scheme == "https":
            sock = (ssl_context or _tls()).wrap_socket(sock, server_hostname=target.host, do_handshake_on_connect=False)
            watchdog.watch(sock)
            sock.do_handshake()
        sock.sendall(_request(target, headers, body))
        reader = _CappedReader(sock)
        response = http.client.HTTPResponse(reader, method="POST")  # type: ignore[arg-type]
        response.begin()
        status = response.status
        if status in (429, 503):
            retry_after = _retry_after(response.getheader("retry-after"))
        reader.allow_body()
        with contextlib.suppress(http.client.IncompleteRead):  # cut short by the cap or the receiver
            response.read(MAX_RESPONSE_BODY_BYTES)
    except (OSError, http.client.HTTPException, ValueError) as failure:
        error = f"{type(failure).__name__}: {failure}"
    finally:
        timed_out = watchdog.stop()
        if sock is not None:
            sock.close()
    latency = int((time.monotonic() - started) * 1000)
    if timed_out:
        error = f"timed out: no complete response within the {timeout:g} s deadline"
    elif error is None and status is not None and not 200 <= status < 300:
        error = f"HTTP {status}"
    return AttemptResult(status, latency, error=error, retry_after=retry_after)
