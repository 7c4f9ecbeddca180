"""HTTP concerns shared by the API functions: the resolver and the one place that maps domain
errors and validation failures to status codes and a typed error body:

    {"error": {"code": "validation_error", "message": "...", "details": [...]}}
"""

from __future__ import annotations

import json
from collections.abc import Callable, Mapping
from typing import Any

from aws_lambda_powertools.event_handler import APIGatewayRestResolver, Response, content_types
from aws_lambda_powertools.event_handler.openapi.exceptions import RequestValidationError
from aws_lambda_powertools.logging import correlation_paths

from contenthub.errors import ContentHubError
from contenthub.models.common import MAX_JSON_DEPTH, json_depth_exceeds
from contenthub.observability import entry, logger, tracer


def error_response(
    status: int, code: str, message: str, details: list[Any] | None = None, headers: dict[str, str] | None = None
) -> Response:
    body: dict[str, Any] = {"error": {"code": code, "message": message}}
    if details:
        body["error"]["details"] = details
    return Response(status_code=status, content_type=content_types.APPLICATION_JSON, body=body, headers=headers)


def json_response(status: int, body: Any, headers: dict[str, str] | None = None) -> Response[Any]:
    """A JSON answer with a status other than 200 (201 Created + Location, 202 Accepted)."""
    return Response(status_code=status, content_type=content_types.APPLICATION_JSON, body=body, headers=headers)


def accepted(body: Any, replayed: bool = False, location: str | None = None) -> Response[Any]:
    """202 Accepted, with Location and `Idempotent-Replayed: true` for a replayed Idempotency-Key."""
    headers = {"Location": location} if location else {}
    if replayed:
        headers["Idempotent-Replayed"] = "true"
    return json_response(202, body, headers)


def read_json(text: str) -> Any:
    """The resolver's body parser: refuses JSON nested deeper than MAX_JSON_DEPTH before parsing it
    (json.loads raises RecursionError near 1,000 levels), and a number longer than Python reads
    (4,300 digits), each as a JSON error, which the resolver answers 422 like any malformed body."""
    if json_depth_exceeds(text):
        raise json.JSONDecodeError(f"nested deeper than {MAX_JSON_DEPTH} levels", text, 0)
    try:
        return json.loads(text)
    except json.JSONDecodeError:
        raise
    except RecursionError as error:  # not reached after the depth check; kept as a guard
        raise json.JSONDecodeError(f"nested deeper than {MAX_JSON_DEPTH} levels", text, 0) from error
    except ValueError as error:  # int() refuses numbers over sys.get_int_max_str_digits() digits
        raise json.JSONDecodeError("a number in it has too many digits", text, 0) from error


def _describe(error: dict[str, Any]) -> str:
    if error.get("type") == "json_invalid":
        return f"request body is not valid JSON: {error.get('ctx', {}).get('error', 'malformed')}"
    location = ".".join(str(part) for part in error.get("loc", ()) if part != "body")
    return f"{location}: {error.get('msg', 'invalid')}" if location else str(error.get("msg", "invalid"))


class JsonApiResolver(APIGatewayRestResolver):
    """Bodies are JSON only: a body sent as anything else is a 415 before any parsing (Powertools
    would otherwise try form and multipart parsers, and a multipart type without a boundary
    raised a function error — found by fuzzing)."""

    def route(self, rule: str, method: Any, *args: Any, **kwargs: Any) -> Callable[[Any], Any]:
        """Every route is traced as its own subsegment (Tracer's capture_method), without a
        decorator on each."""
        register = super().route(rule, method, *args, **kwargs)
        return lambda handler: register(tracer.capture_method(handler))

    def resolve(self, event: Mapping[str, Any], context: Any) -> dict[str, Any]:
        headers = {k.lower(): v for k, v in (event.get("headers") or {}).items()}
        media_type = str(headers.get("content-type", "")).split(";")[0].strip().lower()
        if event.get("body") and media_type and media_type != "application/json" and not media_type.endswith("+json"):
            body = {"error": {"code": "unsupported_media_type",
                              "message": f"request bodies are application/json, not {media_type}"}}  # fmt: skip
            return {"statusCode": 415, "headers": {"Content-Type": "application/json"},
                    "body": json.dumps(body), "isBase64Encoded": False}  # fmt: skip
        return super().resolve(event, context)


def build_resolver() -> APIGatewayRestResolver:
    app = JsonApiResolver(enable_validation=True, json_body_deserializer=read_json)

    @app.exception_handler(RequestValidationError)
    def _validation(error: RequestValidationError) -> Response:
        details = [
            {"field": ".".join(str(p) for p in e.get("loc", ()) if p != "body"), "message": e.get("msg")}
            for e in error.errors()
        ]
        message = "; ".join(_describe(e) for e in error.errors()) or "request is invalid"
        return error_response(422, "validation_error", message, details)

    @app.exception_handler(UnicodeDecodeError)
    def _not_utf8(_: UnicodeDecodeError) -> Response:
        # Found by fuzzing: a body that is not UTF-8 must be a 4xx, not a function error.
        return error_response(422, "validation_error", "request body is not valid UTF-8 JSON")

    @app.exception_handler(ContentHubError)
    def _domain(error: ContentHubError) -> Response:
        if error.http_status >= 500:
            logger.exception("request failed", extra={"code": error.code})
        return error_response(error.http_status, error.code, error.message, headers=error.headers)

    @app.not_found
    def _not_found(_: Exception) -> Response:
        return error_response(
            404, "route_not_found", f"no route for {app.current_event.http_method} {app.current_event.path}"
        )

    return app


def caller_identity(app: APIGatewayRestResolver) -> str:
    """Who called: the IAM identity API Gateway verified (SigV4), else "local" (the local stack
    does not sign)."""
    identity = app.current_event.request_context.identity
    return identity.user_arn or identity.caller or "local"


def rest_handler(app: APIGatewayRestResolver) -> Callable[[dict[str, Any], Any], dict[str, Any]]:
    """The Lambda entry point of an API function: the resolver behind the house decorators, with the
    API Gateway request id as the correlation id."""

    @entry(correlation_paths.API_GATEWAY_REST)
    def main(event: dict[str, Any], context: Any) -> dict[str, Any]:
        return app.resolve(event, context)

    return main
