"""What keeps a local console safe from the web pages a browser also has open:

- loopback only, and a Host header that names this server (a DNS-rebinding page has another
  host name) — anything else is 421;
- a per-session CSRF token on every state-changing request (form field or X-CSRF-Token header),
  and a foreign Origin / cross-site Sec-Fetch-Site refused — 403;
- a strict Content-Security-Policy (scripts only from this origin, none inline), no framing, no
  referrer beyond this origin, no MIME sniffing.
"""

from __future__ import annotations

import hmac
import secrets
import threading
from dataclasses import dataclass, field
from typing import Any

from starlette.requests import Request
from starlette.responses import PlainTextResponse, Response
from starlette.types import ASGIApp, Message, Receive, Scope, Send

CSP = (
    "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; connect-src 'self'; "
    "object-src 'none'; base-uri 'none'; frame-ancestors 'none'; form-action 'self'"
)
SECURITY_HEADERS = {
    "Content-Security-Policy": CSP,
    "X-Content-Type-Options": "nosniff",
    "X-Frame-Options": "DENY",
    "Referrer-Policy": "same-origin",  # not no-referrer: Chromium then sends "Origin: null" on our own POSTs
    "Cross-Origin-Opener-Policy": "same-origin",
    "Cross-Origin-Resource-Policy": "same-origin",
    "Cache-Control": "no-store",
}
SESSION_COOKIE = "contenthub_console"
CSRF_FIELD = "csrf_token"
CSRF_HEADER = "x-csrf-token"
SAFE_METHODS = {"GET", "HEAD", "OPTIONS"}


@dataclass
class Session:
    csrf: str = field(default_factory=lambda: secrets.token_urlsafe(32))
    flashes: list[tuple[str, str]] = field(default_factory=list)  # (kind, text) shown on the next page


class Sessions:
    """Server-side sessions keyed by a random cookie (HttpOnly, SameSite=Strict)."""

    def __init__(self) -> None:
        self._sessions: dict[str, Session] = {}
        self._lock = threading.Lock()

    def get(self, sid: str | None) -> Session | None:
        with self._lock:
            return self._sessions.get(sid or "")

    def new(self) -> tuple[str, Session]:
        sid, session = secrets.token_urlsafe(32), Session()
        with self._lock:
            self._sessions[sid] = session
        return sid, session


class Guard:
    """ASGI middleware: the Host check first, then the session, then CSRF on unsafe methods, then
    the security headers on every answer."""

    def __init__(self, app: ASGIApp, *, hosts: set[str], sessions: Sessions) -> None:
        self.app = app
        self.hosts = hosts  # "127.0.0.1:8788", "localhost:8788": filled in once the port is bound
        self.sessions = sessions

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        request = Request(scope, receive)
        host = request.headers.get("host", "")
        if host not in self.hosts:
            await self._refuse(scope, receive, send, 421, f"this console answers only to {sorted(self.hosts)}")
            return
        sid = request.cookies.get(SESSION_COOKIE)
        session = self.sessions.get(sid)
        new_cookie = None
        if session is None:
            sid, session = self.sessions.new()
            new_cookie = sid
        scope.setdefault("state", {})["session"] = session
        if scope["method"] not in SAFE_METHODS:
            problem = await self._csrf_problem(request, session, host, scope, receive)
            if problem:
                await self._refuse(scope, receive, send, 403, problem)
                return
            receive = scope["state"].pop("replay_receive", receive)

        async def send_with_headers(message: Message) -> None:
            if message["type"] == "http.response.start":
                headers = list(message.get("headers", []))
                names = {k.lower() for k, _ in headers}
                for name, value in SECURITY_HEADERS.items():
                    if name.lower().encode() not in names:
                        headers.append((name.lower().encode(), value.encode()))
                if new_cookie:
                    cookie = f"{SESSION_COOKIE}={new_cookie}; HttpOnly; SameSite=Strict; Path=/"
                    headers.append((b"set-cookie", cookie.encode()))
                message["headers"] = headers
            await send(message)

        await self.app(scope, receive, send_with_headers)

    async def _csrf_problem(
        self, request: Request, session: Session, host: str, scope: Scope, receive: Receive
    ) -> str | None:
        origin = request.headers.get("origin")
        if origin is not None and origin != f"http://{host}":
            return f"cross-site request refused (Origin {origin})"
        if request.headers.get("sec-fetch-site", "same-origin") not in ("same-origin", "none"):
            return "cross-site request refused (Sec-Fetch-Site)"
        token = request.headers.get(CSRF_HEADER)
        if token is None:
            body = await request.body()
            scope["state"]["replay_receive"] = _replay(body, receive)
            if request.headers.get("content-type", "").startswith("application/x-www-form-urlencoded"):
                from urllib.parse import parse_qs

                values = parse_qs(body.decode("utf-8", "replace")).get(CSRF_FIELD)
                token = values[0] if values else None
        if not token or not hmac.compare_digest(token, session.csrf):
            return "missing or wrong CSRF token; reload the page and try again"
        return None

    async def _refuse(self, scope: Scope, receive: Receive, send: Send, status: int, text: str) -> None:
        response: Response = PlainTextResponse(text, status_code=status, headers=SECURITY_HEADERS)
        await response(scope, receive, send)


def _replay(body: bytes, original: Receive) -> Any:
    """A receive() that hands the already-read body to the app, then waits as the server's would."""
    sent = False

    async def receive() -> Message:
        nonlocal sent
        if sent:
            return await original()
        sent = True
        return {"type": "http.request", "body": body, "more_body": False}

    return receive
