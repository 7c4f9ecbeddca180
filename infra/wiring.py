"""The resource map (contenthub/resources.py) applied to the stack: components `provide` the
resources they create and `use` them for their functions (and the runner's role); `apply` then
gives every user its environment — the resources it uses and the deployed settings — and the
least grant for each access, and declares each resource's stack output."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from aws_cdk import CfnOutput, Stack
from aws_cdk import aws_iam as iam
from constructs import Construct

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
                _grant(self.stack, resource.kind, access, construct, user.grantable)
        for resource, (_, value) in self.provided.items():
            CfnOutput(self.stack, resource.output, value=value, description=resource.doc or resource.env)


def _grant(scope: Construct, kind: Kind, access: Access, construct: Any, who: iam.IGrantable) -> None:
    """The least grant for each access a user has to a resource."""
    principal = who.grant_principal

    def allow(actions: list[str], resources: list[str]) -> None:
        principal.add_to_principal_policy(iam.PolicyStatement(actions=actions, resources=resources))

    if kind == Kind.TABLE:
        if Access.WRITE in access:
            construct.grant_read_write_data(who)
        elif Access.READ in access:
            construct.grant_read_data(who)
        if Access.INSPECT in access:
            allow(["dynamodb:DescribeTable"], [construct.table_arn])
    elif kind == Kind.QUEUE:
        if Access.SEND in access:
            construct.grant_send_messages(who)
        if Access.CONSUME in access:
            construct.grant_consume_messages(who)
        if Access.INSPECT in access:
            construct.grant(who, "sqs:GetQueueAttributes")
    elif kind == Kind.BUCKET:
        if Access.READ in access:
            construct.grant_read(who)
        if Access.PUT in access:
            construct.grant_put(who)
    elif kind == Kind.SECRET and Access.READ in access:
        construct.grant_read(who)
    elif kind == Kind.STATE_MACHINE:
        if Access.START in access:
            construct.grant_start_execution(who)
        if Access.STOP in access:
            construct.grant_execution(who, "states:StopExecution")
        if Access.INSPECT in access:
            allow(["states:DescribeStateMachine"], [construct.state_machine_arn])
        if Access.RESPOND in access:
            construct.grant_task_response(who)
    elif kind == Kind.EVENT_BUS and Access.PUT in access:
        construct.grant_put_events_to(who)
    elif kind == Kind.ROLE and Access.PASS in access:
        construct.grant_pass_role(principal)
