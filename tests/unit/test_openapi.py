"""The committed OpenAPI document is what the handlers serve, and it is a valid OpenAPI 3.1 document."""

import json

from infra.openapi import SPEC_PATH, build, render


def test_committed_spec_is_up_to_date():
    assert SPEC_PATH.read_text() == render(), "docs/openapi.json is stale: run `.venv/bin/python -m infra.openapi`"


def test_every_route_of_the_rest_api_is_documented():
    paths = build()["paths"]
    assert set(paths) == {"/tasks", "/tasks/{task_id}", "/metrics", "/health", "/webhooks/deliveries",
                          "/webhooks/deliveries/{delivery_id}/redeliver"}  # fmt: skip
    assert "post" in paths["/tasks"] and "get" in paths["/tasks/{task_id}"]


def test_no_dangling_references():
    document = build()
    text = json.dumps(document)
    for ref in {part.split('"')[0] for part in text.split('"$ref": "#/components/schemas/')[1:]}:
        assert ref in document["components"]["schemas"], ref


def test_the_spec_validates_against_openapi_3_1():
    from openapi_spec_validator import validate

    validate(json.loads(SPEC_PATH.read_text()))
