"""The resource map (contenthub/resources.py) applied to the stack: components `provide` the
resources they create and `use` them for their functions (and the runner's role); `apply` then
gives every user its environment — the resources it uses and the deployed settings — and the
least grant for each access, and declares each resource's stack output."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from aws_cdk import CfnOutput, Stack
from aws_cdk import aws_iam as iam

from contenthub.resources import RESOURCES, Access, Kind, Principal, Resource


@dataclass
class User:
    principal: Principal
    grantable: iam.IGrantable
    set_environment: Any  # (name, value) -> None


@dataclass
class Wiring:
    stack: Stack
    settings: dict[str, str]
    provided: dict[Resource, tuple[Any, str]] = field(default_factory=dict)
    users: list[User] = field(default_factory=list)

    def provide(self, resource: Resource, construct: Any, value: str) -> None:
        """`construct` is the resource; `value` its environment value (name, URL or ARN)."""
        assert resource not in self.provided, f"{resource.env} is provided twice"
        self.provided[resource] = (construct, value)

    def use(self, principal: Principal, grantable: iam.IGrantable, set_environment: Any = None) -> None:
        """Register a function (or, with `set_environment`, the runner's role and container)."""
        setter = set_environment or grantable.add_environment  # type: ignore[attr-defined]
        self.users.append(User(principal, grantable, setter))

    def functions(self) -> dict[Principal, Any]:
        """The Lambda functions registered so far, by principal (the runner is not one)."""
        return {u.principal: u.grantable for u in self.users if u.principal != Principal.RUNNER}

    def apply(self) -> None:
        missing = [r.env for r in RESOURCES if r not in self.provided]
        assert not missing, f"no component provides {missing}"
        for user in self.users:
            for name, value in self.settings.items():
                user.set_environment(name, value)
            for resource in RESOURCES:
                access = resource.users.get(user.principal)
                if access is None:
                    continue
                construct, value = self.provided[resource]
                user.set_environment(resource.env, value)
                _grant(resource.kind, access, construct, user.grantable)
        for resource, (_, value) in self.provided.items():
            CfnOutput(self.stack, resource.output, value=value, description=resource.doc or resource.env)


def _allow(who: iam.IGrantable, actions: list[str], resources: list[str]) -> None:
    who.grant_principal.add_to_principal_policy(iam.PolicyStatement(actions=actions, resources=resources))


Grant = Callable[[Any, iam.IGrantable], Any]
# The least grant for each (kind, access); a table's WRITE includes READ (grant_read_write_data),
# no other kind's does (the live controls' writer must read them too: it compares before writing).
GRANTS: dict[tuple[Kind, Access], Grant] = {
    (Kind.TABLE, Access.READ): lambda table, who: table.grant_read_data(who),
    (Kind.TABLE, Access.WRITE): lambda table, who: table.grant_read_write_data(who),
    (Kind.TABLE, Access.INSPECT): lambda table, who: _allow(who, ["dynamodb:DescribeTable"], [table.table_arn]),
    (Kind.QUEUE, Access.SEND): lambda queue, who: queue.grant_send_messages(who),
    (Kind.QUEUE, Access.CONSUME): lambda queue, who: queue.grant_consume_messages(who),
    (Kind.QUEUE, Access.INSPECT): lambda queue, who: queue.grant(who, "sqs:GetQueueAttributes"),
    (Kind.BUCKET, Access.READ): lambda bucket, who: bucket.grant_read(who),
    (Kind.BUCKET, Access.PUT): lambda bucket, who: bucket.grant_put(who),
    (Kind.SECRET, Access.READ): lambda secret, who: secret.grant_read(who),
    # READ: describe this machine's executions (grant_read would add List*/Describe* on "*").
    (Kind.STATE_MACHINE, Access.READ): lambda machine, who: machine.grant_execution(who, "states:DescribeExecution"),
    (Kind.STATE_MACHINE, Access.START): lambda machine, who: machine.grant_start_execution(who),
    (Kind.STATE_MACHINE, Access.STOP): lambda machine, who: machine.grant_execution(who, "states:StopExecution"),
    (Kind.STATE_MACHINE, Access.INSPECT): lambda machine, who: _allow(
        who, ["states:DescribeStateMachine"], [machine.state_machine_arn]
    ),
    (Kind.STATE_MACHINE, Access.RESPOND): lambda machine, who: machine.grant_task_response(who),
    (Kind.EVENT_BUS, Access.PUT): lambda bus, who: bus.grant_put_events_to(who),
    (Kind.ROLE, Access.PASS): lambda role, who: role.grant_pass_role(who.grant_principal),
    (Kind.STATE_MACHINE, Access.HISTORY): lambda machine, who: machine.grant_execution(
        who, "states:DescribeExecution", "states:GetExecutionHistory"
    ),
    # A parameter tree (infra/components/controls.py ParameterTree): read the path, write its parameters.
    (Kind.PARAMETERS, Access.READ): lambda tree, who: tree.grant_read(who),
    (Kind.PARAMETERS, Access.WRITE): lambda tree, who: tree.grant_write(who),
}


def _grant(kind: Kind, access: Access, construct: Any, who: iam.IGrantable) -> None:
    for flag in Access:
        if not flag or flag not in access or (flag == Access.READ and Access.WRITE in access and kind == Kind.TABLE):
            continue
        grant = GRANTS.get((kind, flag))
        assert grant is not None, f"no grant for {flag} on a {kind}"
        grant(construct, who)
