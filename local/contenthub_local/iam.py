"""IAM at call time: every AWS call a product principal makes is evaluated against that
principal's own role, with the policies as moto holds them at the moment of the call, against the
real resource ARN — as AWS does. A denial is the service's own AccessDenied error.

Principals. Each Lambda function's execution environment, each runner process, the state
machine's service integrations and each Scheduler target call with credentials that identify
their role: an access key from STS AssumeRole (moto's) on the role, as Lambda, ECS and Step
Functions give theirs. Calls signed with any other key — the tests, and the local stack's own
deploy and adapters — are the account's administrator and are not evaluated.

Evaluation (`evaluate`): identity-based policies only — the role's inline policies and attached
managed policies; Allow and Deny statements with Action/NotAction and Resource/NotResource, `*`
and `?` wildcards (actions case-insensitive). An explicit Deny wins; no Allow is an implicit deny.
Not modelled: Condition blocks (a statement applies whatever its conditions), policy variables,
resource-based policies (bucket, queue, key and Lambda permission policies), permission boundaries,
session policies and SCPs. docs/local-stack.md lists what that leaves out.

Mapping (`iam_calls`): every API call the product makes → the IAM actions and resource ARNs AWS
authorizes it as (TransactWriteItems: one action per item, on that item's table; CreateSchedule:
also iam:PassRole on the target's role). A call from a product principal that is not mapped here
is refused, naming itself, so a new call cannot pass unevaluated.
"""

from __future__ import annotations

import functools
import json
import logging
import re
import threading
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from enum import Enum
from pathlib import Path
from typing import Any
from urllib.parse import unquote

from contenthub_local import moto_seams
from contenthub_local.aws_errors import access_denied
from contenthub_local.moto_seams import Request

log = logging.getLogger("contenthub_local.iam")


# -- evaluation ---------------------------------------------------------------------------------
class Decision(Enum):
    ALLOW = "allow"
    IMPLICIT_DENY = "implicit deny"
    EXPLICIT_DENY = "explicit deny"


@functools.lru_cache(maxsize=4096)
def _pattern(pattern: str, case_sensitive: bool) -> re.Pattern[str]:
    regex = "".join(".*" if c == "*" else "." if c == "?" else re.escape(c) for c in pattern)
    return re.compile(f"^{regex}$", 0 if case_sensitive else re.IGNORECASE)


def _listed(value: Any) -> list[str]:
    return [value] if isinstance(value, str) else [str(v) for v in value or []]


def _matches(patterns: Any, value: str, case_sensitive: bool) -> bool:
    return any(_pattern(p, case_sensitive).match(value) for p in _listed(patterns))


def _applies(statement: dict[str, Any], action: str, resource: str) -> bool:
    if "Action" in statement:
        if not _matches(statement["Action"], action, case_sensitive=False):
            return False
    elif "NotAction" in statement:
        if _matches(statement["NotAction"], action, case_sensitive=False):
            return False
    else:
        return False
    if "Resource" in statement:
        return _matches(statement["Resource"], resource, case_sensitive=True)
    if "NotResource" in statement:
        return not _matches(statement["NotResource"], resource, case_sensitive=True)
    return False


@functools.lru_cache(maxsize=1024)
def _parsed(document: str) -> list[dict[str, Any]]:
    statements = json.loads(document).get("Statement", [])
    return [statements] if isinstance(statements, dict) else list(statements)


def statements_of(document: Any) -> list[dict[str, Any]]:
    if isinstance(document, str):
        return _parsed(document)
    statements = (document or {}).get("Statement", [])
    return [statements] if isinstance(statements, dict) else list(statements)


def evaluate(documents: Iterable[Any], action: str, resource: str) -> Decision:
    """IAM's evaluation of identity-based policies for one action on one resource."""
    allowed = False
    for document in documents:
        for statement in statements_of(document):
            if not _applies(statement, action, resource):
                continue
            if statement.get("Effect") == "Deny":
                return Decision.EXPLICIT_DENY
            if statement.get("Effect") == "Allow":
                allowed = True
    return Decision.ALLOW if allowed else Decision.IMPLICIT_DENY


# -- what each API call is authorized as ----------------------------------------------------------
class Unmapped(LookupError):
    """An API call the local stack does not know the IAM actions of."""


Call = tuple[str, str]  # (IAM action, resource ARN)
_TRANSACT_ACTIONS = {
    "Put": "PutItem", "Update": "UpdateItem", "Delete": "DeleteItem", "ConditionCheck": "ConditionCheckItem",
}  # fmt: skip
_DYNAMODB_TABLE_CALLS = {"GetItem", "PutItem", "UpdateItem", "DeleteItem", "DescribeTable", "Query", "Scan"}
_SQS_QUEUE_CALLS = {
    "SendMessage": "SendMessage", "SendMessageBatch": "SendMessage", "ReceiveMessage": "ReceiveMessage",
    "DeleteMessage": "DeleteMessage", "DeleteMessageBatch": "DeleteMessage",
    "ChangeMessageVisibility": "ChangeMessageVisibility", "ChangeMessageVisibilityBatch": "ChangeMessageVisibility",
    "GetQueueAttributes": "GetQueueAttributes", "PurgeQueue": "PurgeQueue",
}  # fmt: skip
_SCHEDULE_CALLS = {"CreateSchedule", "UpdateSchedule", "DeleteSchedule", "GetSchedule"}
_TASK_TOKEN_CALLS = {"SendTaskSuccess", "SendTaskFailure", "SendTaskHeartbeat"}


def _dynamodb(request: Request, arn: str) -> list[Call]:
    p = request.params

    def table(name: str) -> str:
        return name if name.startswith("arn:") else f"{arn}table/{name}"

    if request.action in _DYNAMODB_TABLE_CALLS:
        resource = table(p["TableName"])
        if request.action in ("Query", "Scan") and p.get("IndexName"):
            resource += f"/index/{p['IndexName']}"
        return [(f"dynamodb:{request.action}", resource)]
    if request.action in ("BatchGetItem", "BatchWriteItem"):
        return [(f"dynamodb:{request.action}", table(name)) for name in p["RequestItems"]]
    if request.action == "TransactWriteItems":
        calls = []
        for entry in p["TransactItems"]:
            op_type, op = next(iter(entry.items()))
            calls.append((f"dynamodb:{_TRANSACT_ACTIONS[op_type]}", table(op["TableName"])))
        return calls
    if request.action == "TransactGetItems":
        return [("dynamodb:GetItem", table(entry["Get"]["TableName"])) for entry in p["TransactItems"]]
    raise Unmapped(f"dynamodb:{request.action}")


def _sqs(request: Request) -> list[Call]:
    p = request.params
    if request.action == "GetQueueUrl":
        owner = p.get("QueueOwnerAWSAccountId") or request.account
        return [("sqs:GetQueueUrl", f"arn:aws:sqs:{request.region}:{owner}:{p['QueueName']}")]
    if request.action in _SQS_QUEUE_CALLS:
        *_, owner, name = unquote(str(p["QueueUrl"])).rstrip("/").split("/")
        return [(f"sqs:{_SQS_QUEUE_CALLS[request.action]}", f"arn:aws:sqs:{request.region}:{owner}:{name}")]
    raise Unmapped(f"sqs:{request.action}")


def _states(request: Request) -> list[Call]:
    p = request.params
    if request.action in ("StartExecution", "DescribeStateMachine"):
        return [(f"states:{request.action}", p["stateMachineArn"])]
    if request.action in ("StopExecution", "DescribeExecution", "GetExecutionHistory"):
        return [(f"states:{request.action}", p["executionArn"])]
    if request.action in _TASK_TOKEN_CALLS:
        # Authorized on the state machine whose execution waits for the token. A token no running
        # execution holds is left to Step Functions' own answer (TaskTimedOut, InvalidToken, …).
        machine = moto_seams.state_machine_of_task_token(request.region, str(p.get("taskToken", "")))
        return [(f"states:{request.action}", machine)] if machine else []
    raise Unmapped(f"states:{request.action}")


def _scheduler(request: Request, arn: str) -> list[Call]:
    p = request.params
    if request.action == "ListSchedules":
        return [("scheduler:ListSchedules", "*")]
    if request.action in _SCHEDULE_CALLS:
        name = unquote(request.path.rstrip("/").rsplit("/", 1)[-1])
        group = p.get("GroupName") or p.get("groupName") or "default"
        calls = [(f"scheduler:{request.action}", f"{arn}schedule/{group}/{name}")]
        role = (p.get("Target") or {}).get("RoleArn")
        if request.action in ("CreateSchedule", "UpdateSchedule") and role:
            calls.append(("iam:PassRole", role))
        return calls
    raise Unmapped(f"scheduler:{request.action}")


def _lambda(request: Request, arn: str) -> list[Call]:
    if request.action in ("Invoke", "InvokeAsync"):
        match = re.search(r"/functions/(?P<name>[^/]+)/invo(?:cations|ke-async)", request.path)
        if not match:
            raise Unmapped(f"lambda:{request.action} on {request.path}")
        name = unquote(match.group("name"))
        resource = name if name.startswith("arn:") else f"{arn}function:{name}"
        qualifier = request.querystring.get("Qualifier")
        qualifier = qualifier[0] if isinstance(qualifier, list) else qualifier
        if qualifier and resource.count(":") == 6:
            resource += f":{qualifier}"
        return [("lambda:InvokeFunction", resource)]
    raise Unmapped(f"lambda:{request.action}")


def _events(request: Request, arn: str) -> list[Call]:
    if request.action == "PutEvents":
        calls = []
        for entry in request.params.get("Entries", []):
            bus = str(entry.get("EventBusName") or "default")
            calls.append(("events:PutEvents", bus if bus.startswith("arn:") else f"{arn}event-bus/{bus}"))
        return calls
    raise Unmapped(f"events:{request.action}")


def _secretsmanager(request: Request, arn: str) -> list[Call]:
    if request.action in ("GetSecretValue", "DescribeSecret"):
        secret_id = str(request.params["SecretId"])
        resource = moto_seams.secret_arn(request.region, secret_id) or (
            secret_id if secret_id.startswith("arn:") else f"{arn}secret:{secret_id}"
        )
        return [(f"secretsmanager:{request.action}", resource)]
    raise Unmapped(f"secretsmanager:{request.action}")


def _ssm(request: Request, arn: str) -> list[Call]:
    """Parameters are authorized on `parameter/<name without its leading slash>`; a path read on
    the path's own ARN (so a grant on the parameters alone does not allow GetParametersByPath)."""
    p = request.params
    if request.action == "GetParametersByPath":
        return [("ssm:GetParametersByPath", f"{arn}parameter/{str(p['Path']).lstrip('/')}")]
    if request.action in ("GetParameter", "PutParameter", "DeleteParameter", "GetParameterHistory"):
        return [(f"ssm:{request.action}", f"{arn}parameter/{str(p['Name']).lstrip('/')}")]
    if request.action == "GetParameters":
        return [("ssm:GetParameters", f"{arn}parameter/{str(name).lstrip('/')}") for name in p.get("Names", [])]
    raise Unmapped(f"ssm:{request.action}")


_S3_ACTIONS = {"GetObject", "PutObject"}  # moto names HeadObject GetObject, as IAM authorizes it


def iam_calls(request: Request) -> list[Call]:
    """The (IAM action, resource ARN) pairs AWS authorizes this request as."""
    arn = f"arn:aws:{{}}:{request.region}:{request.account}:"
    if request.service == "dynamodb":
        return _dynamodb(request, arn.format("dynamodb"))
    if request.service == "sqs":
        return _sqs(request)
    if request.service == "stepfunctions":
        return _states(request)
    if request.service == "scheduler":
        return _scheduler(request, arn.format("scheduler"))
    if request.service == "awslambda":
        return _lambda(request, arn.format("lambda"))
    if request.service == "events":
        return _events(request, arn.format("events"))
    if request.service == "secretsmanager":
        return _secretsmanager(request, arn.format("secretsmanager"))
    if request.service == "ssm":
        return _ssm(request, arn.format("ssm"))
    if request.service == "s3" and request.action in _S3_ACTIONS:
        return [(f"s3:{request.action}", request.resource)]
    if request.service == "sts" and request.action == "GetCallerIdentity":
        return []  # needs no permission
    raise Unmapped(f"{request.service}:{request.action}")


# -- principals -----------------------------------------------------------------------------------
@dataclass(frozen=True)
class Identity:
    """A principal's role and the credentials it calls with."""

    label: str  # what runs with it: a function's principal name, "runner", "state machine", "scheduler"
    role_arn: str
    session_arn: str  # arn:aws:sts::<account>:assumed-role/<role>/<session>
    credentials: dict[str, str]  # aws_access_key_id / aws_secret_access_key / aws_session_token

    @property
    def role_name(self) -> str:
        return self.role_arn.rsplit("/", 1)[-1]

    def environment(self) -> dict[str, str]:
        """As Lambda and ECS give a process its role's credentials."""
        return {
            "AWS_ACCESS_KEY_ID": self.credentials["aws_access_key_id"],
            "AWS_SECRET_ACCESS_KEY": self.credentials["aws_secret_access_key"],
            "AWS_SESSION_TOKEN": self.credentials["aws_session_token"],
        }


class Principals:
    """Credentials per role, minted through STS AssumeRole (called as the administrator)."""

    def __init__(self, sts: Any):
        self._sts = sts
        self._by_key: dict[str, Identity] = {}
        self._by_role: dict[str, Identity] = {}
        self._lock = threading.Lock()

    def assume(self, role_arn: str, label: str, session_name: str | None = None) -> Identity:
        with self._lock:
            known = self._by_role.get(role_arn)
            if known is not None:
                return known
            session = re.sub(r"[^\w+=,.@-]", "-", session_name or label)[:64]
            answer = self._sts.assume_role(RoleArn=role_arn, RoleSessionName=session)
            credentials = answer["Credentials"]
            identity = Identity(
                label=label,
                role_arn=role_arn,
                session_arn=answer["AssumedRoleUser"]["Arn"],
                credentials={
                    "aws_access_key_id": credentials["AccessKeyId"],
                    "aws_secret_access_key": credentials["SecretAccessKey"],
                    "aws_session_token": credentials["SessionToken"],
                },
            )
            self._by_key[identity.credentials["aws_access_key_id"]] = identity
            self._by_role[role_arn] = identity
            return identity

    def of_key(self, access_key: str) -> Identity | None:
        return self._by_key.get(access_key)

    def credentials_of_role(self, role_arn: str, label: str) -> dict[str, str]:
        return self.assume(role_arn, label).credentials


# -- the check ------------------------------------------------------------------------------------
Policies = Callable[[str, str], list[Any]]  # (account, role name) -> policy documents


class Authorizer:
    """The IAM check at the local stack's front door (moto_seams.check_every_request)."""

    def __init__(
        self, principals: Principals, policies: Policies = moto_seams.role_policy_documents,
        denials_log: Path | None = None,
    ):  # fmt: skip
        self.principals = principals
        self.policies = policies
        self.denials_log = denials_log
        self.evaluated = 0
        self._log_lock = threading.Lock()

    def check(self, request: Request) -> None:
        identity = self.principals.of_key(request.access_key)
        if identity is None:
            return  # the administrator: tests and the local stack's own setup
        self.evaluated += 1
        try:
            calls = iam_calls(request)
        except Unmapped as unmapped:
            message = (
                f"User: {identity.session_arn} is not authorized to perform: {unmapped} (the local stack "
                "does not know this call's IAM action and resource: map it in contenthub_local/iam.py)"
            )
            self._deny(identity, str(unmapped), "?", message, request, Decision.IMPLICIT_DENY)
            return
        except (KeyError, TypeError, ValueError):
            return  # a malformed request: the service refuses it with its own validation error
        documents = self.policies(request.account, identity.role_name)
        for action, resource in calls:
            decision = evaluate(documents, action, resource)
            if decision is Decision.ALLOW:
                continue
            reason = (
                "with an explicit deny in an identity-based policy"
                if decision is Decision.EXPLICIT_DENY
                else f"because no identity-based policy allows the {action} action"
            )
            message = (
                f"User: {identity.session_arn} is not authorized to perform: {action} on resource: {resource} {reason}"  # noqa: E501
            )
            self._deny(identity, action, resource, message, request, decision)

    def _deny(
        self, identity: Identity, action: str, resource: str, message: str, request: Request, decision: Decision
    ) -> None:
        log.warning(
            "AccessDenied (%s): %s (%s) %s on %s", decision.value, identity.label, identity.session_arn, action,
            resource,
        )  # fmt: skip
        if self.denials_log is not None:
            record = {
                "principal": identity.label, "role": identity.role_arn, "caller": identity.session_arn,
                "action": action, "resource": resource, "decision": decision.value,
                "api": f"{request.service}:{request.action}", "message": message,
            }  # fmt: skip
            with self._log_lock, open(self.denials_log, "a", encoding="utf-8") as handle:
                handle.write(json.dumps(record) + "\n")
        raise access_denied(request.service, message)
