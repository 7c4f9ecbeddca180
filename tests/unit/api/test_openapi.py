"""The committed OpenAPI document is what the handlers serve, and it is a valid OpenAPI 3.1 document."""

import json

from infra.openapi import SPEC_PATH, build, render


def test_committed_spec_is_up_to_date():
    assert SPEC_PATH.read_text() == render(), "docs/openapi.json is stale: run `.venv/bin/python -m infra.openapi`"


def test_every_route_of_the_rest_api_is_documented_and_nothing_else():
    from infra.components.api import ROUTES

    paths = build()["paths"]
    documented = {(path, method.upper()) for path, operations in paths.items() for method in operations}
    deployed = {(path, method) for path, methods in ROUTES.items() for method in methods}
    assert documented == deployed


def test_no_dangling_references():
    document = build()
    text = json.dumps(document)
    for ref in {part.split('"')[0] for part in text.split('"$ref": "#/components/schemas/')[1:]}:
        assert ref in document["components"]["schemas"], ref


def test_the_spec_validates_against_openapi_3_1():
    from openapi_spec_validator import validate

    validate(json.loads(SPEC_PATH.read_text()))
