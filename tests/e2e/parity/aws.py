"""What the parity tests do to a running local stack's account as its administrator: find a
principal's role, change its policies for the length of a test (restored after), read the IAM
denials the stack logged."""

from __future__ import annotations

import copy
import json
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from typing import Any

from contenthub.resources import PRINCIPAL_VARIABLE
from tests.e2e.conftest import RunningStack

ACCOUNT = "123456789012"
Edit = Callable[[dict[str, Any]], dict[str, Any] | None]  # a policy document → the new one (None: delete it)


def function_role(stack: RunningStack, principal: str) -> str:
    """The role name of the function that runs as this principal (`tasks`, `submit`, …)."""
    for page in stack.client("lambda").get_paginator("list_functions").paginate():
        for fn in page["Functions"]:
            if (fn.get("Environment") or {}).get("Variables", {}).get(PRINCIPAL_VARIABLE) == principal:
                return str(fn["Role"]).rsplit("/", 1)[-1]
    raise LookupError(principal)


def role_named(stack: RunningStack, part: str) -> str:
    for page in stack.client("iam").get_paginator("list_roles").paginate():
        for role in page["Roles"]:
            if part in role["RoleName"]:
                return str(role["RoleName"])
    raise LookupError(part)


def table_arn(stack: RunningStack, output: str) -> str:
    return f"arn:aws:dynamodb:us-east-1:{ACCOUNT}:table/{stack.outputs[output]}"


@contextmanager
def policies_changed(stack: RunningStack, role_name: str, edit: Edit) -> Iterator[None]:
    """Apply `edit` to each inline policy of the role (through IAM's API, after deploy) and put
    them back as they were when the block ends."""
    iam = stack.client("iam")
    names = iam.list_role_policies(RoleName=role_name)["PolicyNames"]
    saved = {name: iam.get_role_policy(RoleName=role_name, PolicyName=name)["PolicyDocument"] for name in names}
    assert saved, f"{role_name} has no inline policy"
    try:
        for name, document in saved.items():
            changed = edit(copy.deepcopy(document))
            if changed is None:
                iam.delete_role_policy(RoleName=role_name, PolicyName=name)
            else:
                iam.put_role_policy(RoleName=role_name, PolicyName=name, PolicyDocument=json.dumps(changed))
        yield
    finally:
        for name, document in saved.items():
            iam.put_role_policy(RoleName=role_name, PolicyName=name, PolicyDocument=json.dumps(document))


def without_statements(matches: Callable[[dict[str, Any]], bool]) -> Edit:
    def edit(document: dict[str, Any]) -> dict[str, Any]:
        statements = document["Statement"] if isinstance(document["Statement"], list) else [document["Statement"]]
        document["Statement"] = [s for s in statements if not matches(s)]
        return document

    return edit


def actions_of(statement: dict[str, Any]) -> list[str]:
    actions = statement.get("Action", [])
    return [actions] if isinstance(actions, str) else list(actions)


def without_resource(arn: str) -> Edit:
    """The policy with `arn` (and its indexes) taken out of every statement's resources."""

    def edit(document: dict[str, Any]) -> dict[str, Any]:
        kept = []
        for statement in document["Statement"]:
            resources = statement.get("Resource", [])
            resources = [resources] if isinstance(resources, str) else resources
            left = [r for r in resources if r != arn and not r.startswith(arn + "/")]
            if left:
                kept.append({**statement, "Resource": left})
        document["Statement"] = kept
        return document

    return edit


def denials(stack: RunningStack) -> list[dict[str, Any]]:
    path = stack.log_dir / "iam-denials.log"
    return [json.loads(line) for line in path.read_text().splitlines()] if path.exists() else []


def wait_for_denial(stack: RunningStack, after: int = 0, timeout: float = 30, **fields: str) -> dict[str, Any]:
    """The first denial logged after the first `after` ones with these fields."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        for denial in denials(stack)[after:]:
            if all(denial.get(key) == value for key, value in fields.items()):
                return denial
        time.sleep(0.2)
    raise AssertionError(f"no IAM denial {fields} logged; logged: {denials(stack)[-5:]}")
