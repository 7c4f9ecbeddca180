"""Idempotent submits (`Idempotency-Key` header) with Powertools' idempotency utility on the
idempotency table: a repeat of a key returns the first response; the same key with a different
body is refused (422); a repeat while the first is still running is refused (409)."""

from __future__ import annotations

import re
from collections.abc import Callable
from typing import Any

from aws_lambda_powertools.event_handler import APIGatewayRestResolver
from aws_lambda_powertools.utilities.idempotency import (
    DynamoDBPersistenceLayer,
    IdempotencyConfig,
    idempotent_function,
)
from aws_lambda_powertools.utilities.idempotency.exceptions import (
    IdempotencyAlreadyInProgressError,
    IdempotencyValidationError,
)
from pydantic import BaseModel

from contenthub import resources
from contenthub.errors import IdempotencyInProgress, IdempotencyKeyReused, InvalidRequest
from contenthub.settings import Settings

HEADER = "Idempotency-Key"
_KEY = re.compile(r"^[\x21-\x7e]{1,255}$")


def key_of(app: APIGatewayRestResolver) -> str | None:
    """The request's Idempotency-Key header, if it has one."""
    return app.current_event.get_header_value(HEADER, case_sensitive=False)


def run_once(
    key: str | None, operation: str, request: BaseModel, settings: Settings, run: Callable[[], BaseModel],
    lambda_context: Any = None,
) -> tuple[dict[str, Any], bool]:  # fmt: skip
    """`run()` once per (operation, key); returns its response (as JSON data) and whether this
    call replayed it. With the invocation's Lambda context, an in-progress record expires when the
    invocation's time is up: a request killed mid-way (timeout, out of memory) locks its key only
    that long, not for IDEMPOTENCY_TTL_SECONDS."""
    if key is None:
        return run().model_dump(mode="json"), False
    if not _KEY.match(key):
        raise InvalidRequest(f"{HEADER} must be 1-255 visible ASCII characters")
    replayed = True
    store = DynamoDBPersistenceLayer(table_name=settings.resource(resources.IDEMPOTENCY_TABLE))
    config = IdempotencyConfig(
        event_key_jmespath="key",
        payload_validation_jmespath="body",
        expires_after_seconds=settings.IDEMPOTENCY_TTL_SECONDS,
    )
    if lambda_context is not None:
        config.register_lambda_context(lambda_context)

    @idempotent_function(data_keyword_argument="request", persistence_store=store, config=config)
    def once(request: dict[str, Any]) -> dict[str, Any]:
        nonlocal replayed
        replayed = False
        return run().model_dump(mode="json")

    try:
        response = once(request={"key": f"{operation}:{key}", "body": request.model_dump(mode="json")})
    except IdempotencyValidationError as error:
        raise IdempotencyKeyReused(
            f"{HEADER} {key!r} was already used with a different request body; use a new key for a new request"
        ) from error
    except IdempotencyAlreadyInProgressError as error:
        raise IdempotencyInProgress(
            f"a request with {HEADER} {key!r} is still being processed; retry shortly"
        ) from error
    return response, replayed
