"""The deployed REST API over a real localhost HTTP server.

Routes come from the API as moto holds it (GetResources with methods), not from a copy in this
file: a request is matched to a resource path (literal segments before {params}), its method's
AWS_PROXY integration names the Lambda function, and the function receives a REST API proxy
event (payload format 1.0) as API Gateway builds it. The function's response becomes the HTTP
response; a function error becomes 502, as on API Gateway. The local stack accepts unsigned
requests (the deployed API requires SigV4).
"""

from __future__ import annotations

import base64
import json
import re
import threading
import time
import uuid
from collections.abc import Callable
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any
from urllib.parse import parse_qs, urlsplit

from botocore.exceptions import ClientError

_FUNCTION_IN_URI = re.compile(r"/functions/(?P<arn>arn:[^/]+)/invocations")
MAX_BODY = 10 * 1024 * 1024  # API Gateway's payload limit


class Route:
    def __init__(self, resource_path: str, methods: dict[str, str]):
        self.resource_path = resource_path
        self.methods = methods  # HTTP method → function ARN
        self.segments = [s for s in resource_path.split("/") if s]

    def match(self, path: str) -> dict[str, str] | None:
        parts = [p for p in path.split("/") if p]
        if len(parts) != len(self.segments):
            return None
        params: dict[str, str] = {}
        for segment, part in zip(self.segments, parts, strict=True):
            if segment.startswith("{") and segment.endswith("}"):
                params[segment[1:-1].rstrip("+")] = part
            elif segment != part:
                return None
        return params

    @property
    def specificity(self) -> tuple[int, int]:
        return (len(self.segments), -sum(s.startswith("{") for s in self.segments))


def load_routes(apigateway: Any, rest_api_id: str) -> list[Route]:
    routes = []
    paginator = apigateway.get_paginator("get_resources")
    for page in paginator.paginate(restApiId=rest_api_id, embed=["methods"]):
        for resource in page["items"]:
            methods = {}
            for verb, method in (resource.get("resourceMethods") or {}).items():
                uri = (method.get("methodIntegration") or {}).get("uri", "")
                found = _FUNCTION_IN_URI.search(uri)
                if found:
                    methods[verb] = found.group("arn")
            if methods:
                routes.append(Route(resource["path"], methods))
    return sorted(routes, key=lambda r: r.specificity, reverse=True)


class _Server(ThreadingHTTPServer):
    daemon_threads = True
    # Connections that arrive together wait to be accepted, as at API Gateway; socketserver's
    # default backlog of 5 reset them under the load run's 50 clients.
    request_queue_size = 128


class ApiServer:
    def __init__(
        self, routes: list[Route], lambda_client: Any, rest_api_id: str, host: str = "127.0.0.1", port: int = 0,
        controls: dict[str, Callable[[dict[str, Any]], Any]] | None = None,
    ):  # fmt: skip
        self.routes = routes
        # Local-only controls (POST /_local/…), e.g. moving the scheduler's clock; not part of the API.
        self.controls = controls or {}
        self.lambda_client = lambda_client
        self.rest_api_id = rest_api_id
        server = self

        class Handler(BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1"

            def log_message(self, format: str, *args: Any) -> None:  # noqa: A002 - quiet by default
                pass

            def _any(self) -> None:
                server.handle(self)

            # Every method (QUERY, PROPFIND, … too) reaches the router, which answers as API
            # Gateway does (403 when the API has no such method), never the HTTP server's own 501.
            def __getattr__(self, name: str) -> Any:
                if name.startswith("do_"):
                    return self._any
                raise AttributeError(name)

        self.httpd = _Server((host, port), Handler)
        self.thread = threading.Thread(target=self.httpd.serve_forever, name="api-server", daemon=True)

    @property
    def url(self) -> str:
        host, port = self.httpd.server_address[:2]
        return f"http://{host!s}:{port}"

    def start(self) -> None:
        self.thread.start()

    def stop(self) -> None:
        self.httpd.shutdown()
        self.httpd.server_close()

    # -- request handling ---------------------------------------------------------------------
    def _reply(self, request: BaseHTTPRequestHandler, status: int, body: bytes, headers: dict[str, str]) -> None:
        request.send_response(status)
        for name, value in headers.items():
            if name.lower() not in ("content-length", "connection", "transfer-encoding"):
                request.send_header(name, value)
        request.send_header("Content-Length", str(len(body)))
        request.end_headers()
        if request.command != "HEAD":
            request.wfile.write(body)

    def _error(self, request: BaseHTTPRequestHandler, status: int, message: str) -> None:
        self._reply(request, status, json.dumps({"message": message}).encode(), {"Content-Type": "application/json"})

    def handle(self, request: BaseHTTPRequestHandler) -> None:
        url = urlsplit(request.path)
        length = int(request.headers.get("Content-Length") or 0)
        if length > MAX_BODY:
            self._error(request, 413, "Request Too Long")
            return
        raw = request.rfile.read(length) if length else b""
        control = self.controls.get(url.path) if url.path.startswith("/_local/") else None
        if control is not None and request.command == "POST":
            try:
                result = control(json.loads(raw or b"{}"))
            except (ValueError, TypeError, LookupError) as error:
                self._error(request, 400, f"bad control request: {error}")
                return
            self._reply(request, 200, json.dumps(result).encode(), {"Content-Type": "application/json"})
            return
        for route in self.routes:
            params = route.match(url.path)
            if params is None:
                continue
            function_arn = route.methods.get(request.command)
            if function_arn is None:
                continue
            event = self._event(request, route, url.path, url.query, params, raw)
            try:
                response = self.lambda_client.invoke(FunctionName=function_arn, Payload=json.dumps(event).encode())
            except ClientError:  # the Invoke API itself failed (throttled, service error)
                self._error(request, 500, "Internal server error")
                return
            payload = response["Payload"].read()
            if response.get("FunctionError"):
                self._error(request, 502, "Internal server error")
                return
            self._respond_from_proxy(request, json.loads(payload or b"null"))
            return
        # What API Gateway answers for a path or method it has no resource for.
        self._error(request, 403, "Missing Authentication Token")

    def _respond_from_proxy(self, request: BaseHTTPRequestHandler, result: Any) -> None:
        if not isinstance(result, dict) or "statusCode" not in result:
            self._error(request, 502, "Internal server error")
            return
        headers = {k: str(v) for k, v in (result.get("headers") or {}).items()}
        for name, values in (result.get("multiValueHeaders") or {}).items():
            headers[name] = ", ".join(str(v) for v in values)
        body = result.get("body") or ""
        data = base64.b64decode(body) if result.get("isBase64Encoded") else str(body).encode()
        self._reply(request, int(result["statusCode"]), data, headers)

    def _event(
        self, request: BaseHTTPRequestHandler, route: Route, path: str, query: str, params: dict[str, str], raw: bytes
    ) -> dict[str, Any]:
        headers = {k: v for k, v in request.headers.items()}
        multi_headers: dict[str, list[str]] = {}
        for k, v in request.headers.items():
            multi_headers.setdefault(k, []).append(v)
        multi_query = parse_qs(query, keep_blank_values=True)
        try:
            body: str | None = raw.decode("utf-8") if raw else None
            is_base64 = False
        except UnicodeDecodeError:
            body, is_base64 = base64.b64encode(raw).decode(), True
        now = time.time()
        return {
            "resource": route.resource_path,
            "path": path,
            "httpMethod": request.command,
            "headers": headers or None,
            "multiValueHeaders": multi_headers or None,
            "queryStringParameters": {k: v[-1] for k, v in multi_query.items()} or None,
            "multiValueQueryStringParameters": multi_query or None,
            "pathParameters": params or None,
            "stageVariables": None,
            "requestContext": {
                "resourcePath": route.resource_path,
                "httpMethod": request.command,
                "path": path,
                "stage": "local",
                "requestId": str(uuid.uuid4()),
                "requestTime": time.strftime("%d/%b/%Y:%H:%M:%S +0000", time.gmtime(now)),
                "requestTimeEpoch": int(now * 1000),
                "protocol": request.request_version,
                "apiId": self.rest_api_id,
                "domainName": request.headers.get("Host", "localhost"),
                "identity": {"sourceIp": request.client_address[0], "userAgent": request.headers.get("User-Agent")},
            },
            "body": body,
            "isBase64Encoded": is_base64,
        }
