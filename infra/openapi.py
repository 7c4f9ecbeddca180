"""The API's OpenAPI document, generated from the handlers' routes and models (Powertools), merged
into one file and committed as docs/openapi.json; tests/unit/test_openapi.py fails when it is stale.

    python -m infra.openapi            # rewrite docs/openapi.json
"""

from __future__ import annotations

import importlib.util
import json
import os
import sys
from typing import Any

from contenthub.resources import RESOURCES
from contenthub.settings import forget_cached
from infra.constants import FUNCTIONS_DIR, ROOT

SPEC_PATH = ROOT / "docs" / "openapi.json"
API_HANDLERS = {
    "submit": "app",
    "tasks": "app",
    "metrics": "app",
    "accounts": "app",
    "contents": "app",
    "schedules": "app",
    "webhook_api": "app",
    "controls": "app",
    "dead_letters": "app",
}


def _resolver(folder: str, attribute: str) -> Any:
    # A handler checks its resources at import (cold start); the document needs only its routes.
    for resource in RESOURCES:
        os.environ.setdefault(resource.env, f"openapi-placeholder-{resource.env.lower()}")
    forget_cached()
    spec = importlib.util.spec_from_file_location(f"openapi_{folder}", FUNCTIONS_DIR / folder / "handler.py")
    assert spec and spec.loader
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return getattr(module, attribute)


def build() -> dict[str, Any]:
    document: dict[str, Any] = {
        "openapi": "3.1.0",
        "info": {
            "title": "ContentHub API",
            "version": "1.0.0",
            "description": "Asynchronous content generation. Every route requires AWS SigV4 (IAM) on the "
            "deployed API; the local stack accepts unsigned calls.",
        },
        "servers": [{"url": "http://127.0.0.1:8787", "description": "local stack"}],
        "paths": {},
        "components": {
            "schemas": {},
            "securitySchemes": {
                "sigv4": {
                    "type": "apiKey",
                    "name": "Authorization",
                    "in": "header",
                    "x-amazon-apigateway-authtype": "awsSigv4",
                }
            },
        },
        "security": [{"sigv4": []}],
    }
    for folder, attribute in API_HANDLERS.items():
        part = json.loads(_resolver(folder, attribute).get_openapi_json_schema(title="ContentHub API", version="1.0.0"))
        for path, operations in part.get("paths", {}).items():  # one path may be served by two functions
            document["paths"].setdefault(path, {}).update(operations)
        document["components"]["schemas"].update(part.get("components", {}).get("schemas", {}))
    # Our error body (contenthub/api.py), not Powertools' default HTTPValidationError shape.
    error_ref = {"content": {"application/json": {"schema": {"$ref": "#/components/schemas/ErrorBody"}}}}
    for operations in document["paths"].values():
        for operation in operations.values():
            responses = operation.setdefault("responses", {})
            responses["422"] = {"description": "Validation error", **error_ref}
            responses["default"] = {"description": "Error (4xx/5xx)", **error_ref}
    for unused in ("HTTPValidationError", "ValidationError", "ResponseValidationError"):
        document["components"]["schemas"].pop(unused, None)
    document["components"]["schemas"]["ErrorBody"] = {
        "type": "object",
        "required": ["error"],
        "properties": {
            "error": {
                "type": "object",
                "required": ["code", "message"],
                "properties": {
                    "code": {"type": "string", "examples": ["validation_error", "task_not_found"]},
                    "message": {"type": "string"},
                    "details": {"type": "array", "items": {"type": "object"}},
                },
            }
        },
    }
    document["paths"] = dict(sorted(document["paths"].items()))
    document["components"]["schemas"] = dict(sorted(document["components"]["schemas"].items()))
    return document


def render() -> str:
    return json.dumps(build(), indent=2, ensure_ascii=False, sort_keys=False) + "\n"


if __name__ == "__main__":
    SPEC_PATH.write_text(render())
    print(f"wrote {SPEC_PATH.relative_to(ROOT)}", file=sys.stderr)
