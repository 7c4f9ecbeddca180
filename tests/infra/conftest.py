from __future__ import annotations

import pytest
from aws_cdk import Stack
from aws_cdk.assertions import Template

from infra.app import build_app
from infra.constants import STACK_NAME


@pytest.fixture(scope="session")
def synthesized(tmp_path_factory) -> tuple[Stack, Template, str]:
    outdir = tmp_path_factory.mktemp("cdk.out")
    app = build_app(outdir=str(outdir))
    stack = app.node.find_child(STACK_NAME)
    app.synth()
    return stack, Template.from_stack(stack), str(outdir / f"{STACK_NAME}.template.json")  # type: ignore[arg-type]


@pytest.fixture(scope="session")
def template(synthesized) -> Template:
    return synthesized[1]
