"""Handlers on moto, against the tables and queues of the real synthesized template: the
session deploys it into moto (in-process mock_aws) with the same code the local stack uses."""

from __future__ import annotations

import json
import os
from collections.abc import Iterator
from types import SimpleNamespace
from typing import Any

import boto3
import pytest
from moto import mock_aws

from contenthub import aws, dal
from contenthub.dal.items import plain
from contenthub.resources import environment_from_outputs
from contenthub.settings import forget_cached
from contenthub_local import deploy, moto_seams
from contenthub_local.synth import synth
from infra.constants import STACK_NAME
from tests.conftest import SHARED_CONTEXT
from tests.fixtures.entities import account

REGION = "us-east-1"


_handlers: dict[str, Any] = {}


def reset_caches() -> None:
    """Settings, repositories, clients and handler modules are cached per process (as in a warm
    Lambda); tests change the environment."""
    _handlers.clear()
    forget_cached()
    aws.client.cache_clear()
    aws.dynamodb_table.cache_clear()


@pytest.fixture(scope="session")
def stack() -> Iterator[dict[str, str]]:
    assembly = synth(SHARED_CONTEXT)
    undo_atomic = moto_seams.make_dynamodb_atomic()
    with mock_aws():
        clients = SimpleNamespace(
            ssm=boto3.client("ssm", region_name=REGION),
            s3=boto3.client("s3", region_name=REGION),
            cloudformation=boto3.client("cloudformation", region_name=REGION),
        )
        deploy.bootstrap(clients, REGION)
        deploy.upload_assets(clients, assembly, STACK_NAME, REGION)
        outputs = deploy.create_stack(clients, assembly, STACK_NAME, REGION)
        # moto would deliver SQS messages to mapped functions inside SendMessage; handlers here are
        # called by the tests themselves (the local stack's SqsPoller does this job there).
        moto_seams.stop_delivery_inside_send_message(REGION)
        environment = environment_from_outputs(outputs)  # every function's resources, as the stack sets them
        saved = {k: os.environ.get(k) for k in environment}
        os.environ.update(environment)
        reset_caches()
        # The account most tests submit for, as an operator would have created it.
        dal.accounts().create(account(49, name="demo account", topics=["AI", "cloud"]))
        yield outputs
        for key, value in saved.items():
            if value is None:
                os.environ.pop(key, None)
            else:
                os.environ[key] = value
        reset_caches()
    undo_atomic()


@pytest.fixture
def settings_env(stack: dict[str, str], monkeypatch: pytest.MonkeyPatch) -> Iterator[pytest.MonkeyPatch]:
    """Change settings for one test; caches are reset before and after."""
    reset_caches()
    yield monkeypatch
    monkeypatch.undo()
    reset_caches()


def ddb_item(table: str, key: dict[str, str]) -> dict[str, Any] | None:
    item = (
        boto3.resource("dynamodb", region_name=REGION).Table(table).get_item(Key=key, ConsistentRead=True).get("Item")
    )
    return plain(item) if item else None


def queue_messages(url: str) -> list[dict[str, Any]]:
    sqs = boto3.client("sqs", region_name=REGION)
    found: list[dict[str, Any]] = []
    while True:
        batch = sqs.receive_message(QueueUrl=url, MaxNumberOfMessages=10, VisibilityTimeout=0).get("Messages", [])
        new = [m for m in batch if m["MessageId"] not in {f["MessageId"] for f in found}]
        if not new:
            return found
        found += new


def drain(url: str) -> None:
    """Empty a queue (PurgeQueue is allowed once a minute)."""
    sqs = boto3.client("sqs", region_name=REGION)
    while batch := sqs.receive_message(QueueUrl=url, MaxNumberOfMessages=10).get("Messages", []):
        for message in batch:
            sqs.delete_message(QueueUrl=url, ReceiptHandle=message["ReceiptHandle"])


def route_of(path: str) -> tuple[str, dict[str, str]]:
    """The API resource a concrete path belongs to (infra/constructs/api.py ROUTES), with its params."""
    from infra.components.api import ROUTES

    parts = [p for p in path.split("/") if p]
    candidates = []
    for resource in ROUTES:
        segments = [s for s in resource.split("/") if s]
        if len(segments) != len(parts):
            continue
        params = {}
        for segment, part in zip(segments, parts, strict=True):
            if segment.startswith("{"):
                params[segment[1:-1]] = part
            elif segment != part:
                break
        else:
            candidates.append((len(params), resource, params))
    assert candidates, f"no API route for {path}"
    _, resource, params = min(candidates)  # literal segments win, as on API Gateway
    return resource, params


def handler_for(method: str, path: str) -> tuple[Any, str, dict[str, str]]:
    """The function serving METHOD path (infra/components/api.py ROUTES), loaded once until the
    caches are reset, with the route's resource and path parameters."""
    from infra.components.api import ROUTES
    from tests.conftest import load_handler

    resource, params = route_of(path)
    principal = ROUTES[resource][method].value
    if principal not in _handlers:
        _handlers[principal] = load_handler(principal)
    return _handlers[principal], resource, params


def call(
    method: str, path: str, body: Any = None, query: dict[str, Any] | None = None,
    headers: dict[str, str] | None = None, raw_body: str | None = None, context: Any = None,
) -> tuple[int, Any, dict[str, str]]:  # fmt: skip
    """Call the API as API Gateway would for METHOD path (in a Lambda context with 30 s left unless
    one is given); returns status, JSON body, headers."""
    from tests.conftest import FakeLambdaContext, api_event

    module, resource, params = handler_for(method, path)
    event = api_event(method, path, body=body, resource=resource, path_parameters=params or None, headers=headers,
                      raw_body=raw_body)  # fmt: skip
    if query:
        event["queryStringParameters"] = {k: str(v) for k, v in query.items()}
        event["multiValueQueryStringParameters"] = {k: [str(v)] for k, v in query.items()}
    response = module.main(event, context or FakeLambdaContext(aws_request_id="test"))
    text = response.get("body")
    headers = dict(response.get("headers") or {})
    headers.update({k: ", ".join(v) for k, v in (response.get("multiValueHeaders") or {}).items()})
    return response["statusCode"], json.loads(text) if text else None, headers
