"""Every moto internal the local stack patches or reads, in one module (moto 5.2.5, pinned).
tests/infra/test_moto_internals.py mirrors this list and fails loudly, naming what moved, if an
upgrade moves one of them.

1. Lambda invoke: `LambdaFunction._invoke_lambda` (the one method that needs Docker) is replaced
   by the local execution environments (lambda_adapter.py); the deployed functions and layers
   are read from `lambda_backends`.
2. Step Functions Lambda task errors: `StateTaskLambda._from_error` names every Invoke API error
   "Exception"; Step Functions names it `Lambda.<code>` (what Retry matches).
3. Step Functions backends: CloudFormation creates state machines in the plain backend; the
   executing (parser) backend must hold them too.
4. SQS event source mappings: moto delivers inside SendMessage; the queues' mapping lists are
   cleared so event_sources.py delivers instead, as Lambda's poller does.
5. DynamoDB atomicity: DynamoDB applies each conditional write atomically; moto does not lock,
   so two threads (or two requests to the moto server) can both pass a condition before either
   writes. The product relies on that atomicity (slot leases, exactly-once transitions), so
   moto's writes take one lock — the behaviour AWS guarantees, not a new one. Transactions are
   also made cheap: moto deep-copies every table a TransactWriteItems touches, to roll back on
   failure (55 ms at 1,000 items, 180 ms at 3,000, all other writes waiting); here the rollback
   restores only the items the transaction names and moto's table copy is skipped. It also models
   TransactionConflict: a transaction holds its items for a few milliseconds (`hold_ms`); another
   transaction that touches a held item is cancelled (reason `TransactionConflict`), and a plain
   PutItem/UpdateItem/DeleteItem on it fails with TransactionConflictException, as DynamoDB does.
6. The front door: `ActionAuthenticatorMixin._authenticate_and_authorize_action` is the one call
   every request to a moto service passes through (BaseResponse.call_action for the JSON, query
   and REST-JSON services; S3's handlers for objects and buckets), after moto has read the
   credentials, region and parameters and before it acts. moto's own IAM switch uses it to check
   actions against resource `*`; the local stack replaces it with its own checks (iam.py: IAM with
   real resource ARNs; limits.py: request limits).
7. Step Functions service integrations: the executing backend makes its DynamoDB, SQS and Lambda
   calls through `boto_client_for(region, service, state_credentials)` with the fixed key "ak";
   here they are made with the credentials of the state's role (the state machine's role), so
   IAM evaluates them as that principal.
8. Step Functions terminal errors: moto's `States.ALL` matches every error; on Step Functions it
   does not match `States.DataLimitExceeded` nor `States.Runtime` (the execution fails).
9. Reads for the checks: a role's policies as moto holds them now, the state machine whose
   execution holds a task token, a secret's ARN, a queue's visibility timeout.
10. Lambda configuration checks at CreateFunction / UpdateFunctionConfiguration /
   CreateEventSourceMapping — the backend methods CloudFormation and the API both call.
"""

from __future__ import annotations

import collections
import copy
import functools
import json
import sys
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import boto3
from botocore.config import Config as BotoConfig
from moto import settings as moto_settings
from moto.awslambda import models as lambda_models
from moto.core.authorization import ActionAuthenticatorMixin
from moto.dynamodb import exceptions as dynamodb_exceptions
from moto.dynamodb import models as dynamodb_models
from moto.dynamodb.models import DynamoDBBackend
from moto.dynamodb.models.table import Table
from moto.iam.models import iam_backends
from moto.secretsmanager.models import secretsmanager_backends
from moto.sqs.models import sqs_backends
from moto.stepfunctions.models import stepfunctions_backends
from moto.stepfunctions.parser.asl.component.common.error_name.error_equals_decl import ErrorEqualsDecl
from moto.stepfunctions.parser.asl.component.common.error_name.states_error_name import StatesErrorName
from moto.stepfunctions.parser.asl.component.common.error_name.states_error_name_type import StatesErrorNameType
from moto.stepfunctions.parser.asl.component.common.timeouts.timeout import TimeoutSeconds
from moto.stepfunctions.parser.asl.component.state.exec.state_task import state_task_lambda
from moto.stepfunctions.parser.asl.utils import boto_client
from moto.stepfunctions.parser.models import stepfunctions_parser_backends

ACCOUNT = "123456789012"  # moto's default account

WRITES = ("put_item", "update_item", "delete_item", "transact_write_items", "batch_write_item")
# Reads take the same lock: a transaction is isolated on DynamoDB (a GetItem sees all of it or none),
# where moto applies its items one by one and a concurrent read could see half (found by a race test).
READS = ("get_item", "query", "scan", "batch_get_item", "transact_get_items")
_lock = threading.RLock()


class _CopyExceptTables:
    """Stands in for the `copy` module inside moto.dynamodb.models: a Table is not deep-copied
    (the only such copy there is the transaction's rollback backup, replaced below)."""

    @staticmethod
    def deepcopy(value: Any, memo: dict[int, Any] | None = None) -> Any:
        return value if isinstance(value, Table) else copy.deepcopy(value, memo)

    def __getattr__(self, name: str) -> Any:
        return getattr(copy, name)


def _item_key(backend: DynamoDBBackend, op_type: str, op: dict[str, Any]) -> dict[str, Any] | None:
    table = backend.tables.get(op.get("TableName"))
    if table is None:
        return None
    if op_type == "Put":
        names = (table.hash_key_attr, table.range_key_attr)
        return {name: op["Item"][name] for name in names if name and name in op.get("Item", {})}
    key = op.get("Key")
    return key if isinstance(key, dict) else None


def _item_id(table_name: str, key: dict[str, Any]) -> tuple[str, str]:
    return (str(table_name), json.dumps(key, sort_keys=True, default=str))


def _touched_items(backend: DynamoDBBackend, transact_items: list[dict[str, Any]]) -> list[tuple[str, Any, Any]]:
    """(table, key, the item as it is now or None) for every item a transaction names."""
    touched = []
    for entry in transact_items:
        op_type, op = next(iter(entry.items()))
        key = _item_key(backend, op_type, op)
        if key is None:
            continue
        try:
            current = backend.get_item(op["TableName"], key)
        except Exception:  # noqa: BLE001 - a malformed key: moto refuses it before writing anything for it
            continue
        touched.append((op["TableName"], key, current.to_json()["Attributes"] if current else None))
    return touched


def _transaction_restoring_items(original: Callable[..., Any]) -> Callable[..., Any]:
    def transact_write_items(self: DynamoDBBackend, transact_items: list[dict[str, Any]]) -> Any:
        touched = _touched_items(self, transact_items)
        try:
            return original(self, transact_items)
        except Exception:
            for table_name, key, before in reversed(touched):
                if before is None:
                    self.delete_item(table_name, key)
                else:
                    self.put_item(table_name, before)
            raise

    return transact_write_items


class _Conflicts:
    """Items held by in-flight transactions: item id → the holding transaction's token."""

    def __init__(self) -> None:
        self.held: dict[tuple[str, str], object] = {}
        self.local = threading.local()  # .token: the transaction this thread is applying

    def mine(self) -> object | None:
        return getattr(self.local, "token", None)

    def held_by_another(self, item: tuple[str, str]) -> bool:
        holder = self.held.get(item)
        return holder is not None and holder is not self.mine()


_conflicts = _Conflicts()


class WriteCounts:
    """What DynamoDB would see of contention: writes per item and conflicts, since `reset` (the
    load run reports the hottest items' share; DynamoDB takes about 1,000 writes/s per item)."""

    def __init__(self) -> None:
        self.items: collections.Counter[tuple[str, str]] = collections.Counter()
        self.transaction_conflicts = 0  # TransactWriteItems cancelled with TransactionConflict
        self.write_conflicts = 0  # PutItem/UpdateItem/DeleteItem refused: a transaction held the item

    def reset(self) -> None:
        with _lock:
            self.items.clear()
            self.transaction_conflicts = self.write_conflicts = 0

    def snapshot(self) -> WriteCounts:
        """A copy taken under the writes' lock (the stack may still be writing)."""
        copy = WriteCounts()
        with _lock:
            copy.items.update(self.items)
            copy.transaction_conflicts, copy.write_conflicts = self.transaction_conflicts, self.write_conflicts
        return copy


write_counts = WriteCounts()
_hold_seconds = [0.0]  # how long a transaction holds its items (make_dynamodb_atomic's hold_ms)
_CONFLICT_MESSAGE = "Transaction is ongoing for the item"


class _TransactionConflictException(dynamodb_exceptions.DynamodbException):
    def __init__(self) -> None:
        super().__init__(dynamodb_exceptions.ERROR_TYPE_PREFIX + "TransactionConflictException", _CONFLICT_MESSAGE)


def _holding_items(inner: Callable[..., Any], hold: Callable[[], float]) -> Callable[..., Any]:
    """TransactWriteItems as DynamoDB runs it: its items are held (prepared) for `hold()` seconds
    before it applies; a transaction naming an item another one holds is cancelled."""

    def transact_write_items(self: DynamoDBBackend, transact_items: list[dict[str, Any]]) -> Any:
        items = []
        for entry in transact_items:
            op_type, op = next(iter(entry.items()))
            key = _item_key(self, op_type, op)
            items.append(_item_id(op.get("TableName", ""), key) if key is not None else None)
        token = object()
        with _lock:
            conflicting = [item is not None and _conflicts.held_by_another(item) for item in items]
            if any(conflicting):
                write_counts.transaction_conflicts += 1
                raise dynamodb_exceptions.TransactionCanceledException(
                    [("TransactionConflict", _CONFLICT_MESSAGE, None) if c else (None, None, None) for c in conflicting]
                )
            for item in items:
                if item is not None:
                    _conflicts.held[item] = token
        try:
            if hold() > 0:
                time.sleep(hold())  # other writes go on meanwhile; those to these items conflict
            with _lock:
                _conflicts.local.token = token
                try:
                    applied = inner(self, transact_items)
                    written = (i for i, e in zip(items, transact_items, strict=True) if "ConditionCheck" not in e)
                    write_counts.items.update(i for i in written if i is not None)
                    return applied
                finally:
                    _conflicts.local.token = None
        finally:
            with _lock:
                for item in items:
                    if item is not None and _conflicts.held.get(item) is token:
                        del _conflicts.held[item]

    return transact_write_items


def _plain_write(name: str, original: Callable[..., Any]) -> Callable[..., Any]:
    """PutItem / UpdateItem / DeleteItem, atomic, failing on an item a transaction holds."""

    def write(self: DynamoDBBackend, table_name: str, key_or_item: dict[str, Any], *args: Any, **kwargs: Any) -> Any:
        with _lock:
            op_type = "Put" if name == "put_item" else "Key"
            op = {"TableName": table_name, "Item" if op_type == "Put" else "Key": key_or_item}
            key = _item_key(self, op_type, op)
            item = _item_id(table_name, key) if key is not None else None
            if item is not None and _conflicts.held_by_another(item):
                write_counts.write_conflicts += 1
                raise _TransactionConflictException()
            result = original(self, table_name, key_or_item, *args, **kwargs)
            if item is not None and _conflicts.mine() is None:  # a transaction's own writes count once, there
                write_counts.items[item] += 1
            return result

    return write


def make_dynamodb_atomic(hold_ms: float = 0) -> Callable[[], None]:
    """Wrap moto's DynamoDB operations: writes atomic, reads isolated from transactions; returns a
    function that undoes it. `hold_ms`: how long a transaction holds its items before it applies
    (TransactionConflict for overlaps); a nested call (already wrapped) changes only that, until undone."""
    originals: dict[str, Any] = {}
    previous_hold = _hold_seconds[0]
    _hold_seconds[0] = max(float(hold_ms), 0.0) / 1000

    def hold() -> float:
        return _hold_seconds[0]

    for name in (*WRITES, *READS):
        original = getattr(DynamoDBBackend, name)
        if getattr(original, "_atomic", False):
            continue
        if name == "transact_write_items":
            wrapped = _holding_items(_transaction_restoring_items(original), hold)
        elif name in ("put_item", "update_item", "delete_item"):
            wrapped = _plain_write(name, original)
        else:

            def wrapped(self: DynamoDBBackend, *args: Any, __inner: Any = original, **kwargs: Any) -> Any:
                with _lock:
                    return __inner(self, *args, **kwargs)

        wrapped = functools.wraps(original)(wrapped)
        wrapped._atomic = True  # type: ignore[attr-defined]
        originals[name] = original
        setattr(DynamoDBBackend, name, wrapped)
    moto_copy = dynamodb_models.copy  # type: ignore[attr-defined]
    if not isinstance(moto_copy, _CopyExceptTables):
        dynamodb_models.copy = _CopyExceptTables()  # type: ignore[attr-defined]

    def undo() -> None:
        for name, original in originals.items():
            setattr(DynamoDBBackend, name, original)
        dynamodb_models.copy = moto_copy  # type: ignore[attr-defined]
        _hold_seconds[0] = previous_hold
        if originals:
            _conflicts.held.clear()

    return undo


# -- 1. Lambda invoke --------------------------------------------------------------------------
InvokeLambda = Callable[[Any, Any], tuple[str, bool, str]]  # (function, event) -> (payload, error?, logs)
_MOTO_INVOKE = lambda_models.LambdaFunction._invoke_lambda


def replace_lambda_invoke(invoke: InvokeLambda) -> Callable[[], None]:
    """Run every Lambda invocation through `invoke`; returns a function that undoes it."""

    def _invoke_lambda(fn: Any, event: Any = None) -> tuple[str, bool, str]:
        return invoke(fn, event)

    lambda_models.LambdaFunction._invoke_lambda = _invoke_lambda  # type: ignore[method-assign,assignment]

    def undo() -> None:
        lambda_models.LambdaFunction._invoke_lambda = _MOTO_INVOKE  # type: ignore[method-assign]

    return undo


def deployed_functions(region: str) -> list[Any]:
    """The functions the stack deployed (moto's LambdaFunction objects: code, layers, env, …)."""
    return list(lambda_models.lambda_backends[ACCOUNT][region].list_functions())


def layer_version(fn: Any, layer_arn: str) -> Any:
    """A function's layer version (its description and code bytes)."""
    version = lambda_models.lambda_backends[fn.account_id][fn.region].layers_versions_by_arn(layer_arn)
    assert version is not None, f"layer {layer_arn} is not deployed"
    return version


# -- 2. Step Functions Lambda task errors ------------------------------------------------------
_MOTO_FROM_ERROR = state_task_lambda.StateTaskLambda._from_error


def _lambda_error_as_step_functions_names_it(task: Any, env: Any, ex: Exception) -> Any:
    if not isinstance(ex, state_task_lambda.ClientError):
        return _MOTO_FROM_ERROR(task, env, ex)
    m = state_task_lambda
    error = f"Lambda.{ex.response['Error']['Code']}"
    return m.FailureEvent(
        env=env,
        error_name=m.CustomErrorName(error),
        event_type=m.HistoryEventType.LambdaFunctionFailed,
        event_details=m.EventDetails(
            lambdaFunctionFailedEventDetails=m.LambdaFunctionFailedEventDetails(
                error=error, cause=str(ex.response["Error"]["Message"])
            )
        ),
    )


def name_lambda_task_errors() -> Callable[[], None]:
    state_task_lambda.StateTaskLambda._from_error = _lambda_error_as_step_functions_names_it  # type: ignore[method-assign]

    def undo() -> None:
        state_task_lambda.StateTaskLambda._from_error = _MOTO_FROM_ERROR  # type: ignore[method-assign]

    return undo


# -- 3. Step Functions backends ----------------------------------------------------------------
def register_state_machines(region: str) -> None:
    """Register every state machine of the plain backend with the executing one (same name, so
    the same ARN), so StartExecution runs its definition."""
    plain = stepfunctions_backends[ACCOUNT][region]
    executing = stepfunctions_parser_backends[ACCOUNT][region]
    for machine in plain.state_machines:
        executing.create_state_machine(name=machine.name, definition=machine.definition, roleArn=machine.roleArn)


# -- 4. SQS event source mappings --------------------------------------------------------------
def stop_delivery_inside_send_message(region: str) -> None:
    for queue in sqs_backends[ACCOUNT][region].queues.values():
        queue.lambda_event_source_mappings.clear()


# -- 6. The front door -------------------------------------------------------------------------
@dataclass
class Request:
    """What the local stack's checks see of a request to a moto service."""

    service: str  # moto's name: dynamodb, sqs, stepfunctions, events, secretsmanager, awslambda, scheduler, s3, …
    action: str  # the API operation (for S3, the action moto derives from method and path: GetObject, …)
    access_key: str  # the signing access key id ("AKIAEXAMPLE" when there is none moto recognises)
    account: str
    region: str
    method: str
    path: str
    querystring: dict[str, Any]
    headers: Any
    body: bytes
    resource: str = "*"  # S3: the bucket or object ARN moto derives; "*" for the others

    @functools.cached_property
    def params(self) -> dict[str, Any]:
        """The request's parameters: the JSON body, or the query/form parameters."""
        if self.body[:1] == b"{":
            try:
                parsed = json.loads(self.body)
            except ValueError:
                parsed = None
            if isinstance(parsed, dict):
                return parsed
        return {k: (v[0] if isinstance(v, list) and len(v) == 1 else v) for k, v in self.querystring.items()}


_MOTO_AUTHORIZE = ActionAuthenticatorMixin._authenticate_and_authorize_action


def _request_of(response: Any, resource: str) -> Request:
    body = response.raw_body if response.raw_body is not None else b""
    if isinstance(body, str):
        body = body.encode("utf-8")
    if response.service_name == "s3":
        action = str(response.data.get("Action") or "")
    else:
        action = str(response._get_action() or "")
    return Request(
        service=str(response.service_name), action=action, access_key=str(response.access_key),
        account=str(response.current_account), region=str(response.region), method=str(response.method),
        path=str(response.path), querystring=dict(response.querystring), headers=response.headers, body=body,
        resource=resource,
    )  # fmt: skip


def check_every_request(check: Callable[[Request], None]) -> Callable[[], None]:
    """Run `check` on every request before moto acts on it; an HTTPException it raises (an AWS
    error, aws_errors.AwsError) is the response. Replaces moto's own IAM check (off by default)."""

    def authorize(response: Any, iam_request_cls: type, resource: str = "*") -> None:
        check(_request_of(response, resource))

    ActionAuthenticatorMixin._authenticate_and_authorize_action = authorize  # type: ignore[assignment,method-assign]

    def undo() -> None:
        ActionAuthenticatorMixin._authenticate_and_authorize_action = _MOTO_AUTHORIZE  # type: ignore[method-assign]

    return undo


# -- 7. Step Functions service integrations ----------------------------------------------------
_MOTO_BOTO_CLIENT_FOR = boto_client.boto_client_for
Credentials = dict[str, str]  # aws_access_key_id, aws_secret_access_key, aws_session_token


def _parser_modules_using(function: Any) -> list[Any]:
    return [
        module
        for name, module in list(sys.modules.items())
        if name.startswith("moto.stepfunctions.parser") and getattr(module, "boto_client_for", None) is function
    ]


def run_state_machine_tasks_as(credentials_of_role: Callable[[str], Credentials]) -> Callable[[], None]:
    """The executing backend's service integrations (DynamoDB, SQS, Lambda, …) call the moto server
    with the credentials of the state's role (`state_credentials.role_arn`: the state machine's
    role unless the state names one), instead of moto's fixed "ak"."""
    clients: dict[tuple[str, str, str], Any] = {}
    lock = threading.Lock()

    def boto_client_for(region: str, service: str, state_credentials: Any = None) -> Any:
        role_arn = getattr(state_credentials, "role_arn", None)
        if not role_arn:
            return _MOTO_BOTO_CLIENT_FOR(region=region, service=service, state_credentials=state_credentials)
        credentials = credentials_of_role(role_arn)
        with lock:  # boto3's default session is not safe to build clients from in parallel
            client = clients.get((region, service, role_arn))
            if client is None:
                client = boto3.client(  # type: ignore[call-overload]
                    service,
                    region_name=region,
                    endpoint_url=f"http://localhost:{moto_settings.moto_server_port()}",
                    config=BotoConfig(
                        parameter_validation=False,
                        retries={"max_attempts": 0, "total_max_attempts": 1},
                        connect_timeout=TimeoutSeconds.DEFAULT_TIMEOUT_SECONDS,
                        read_timeout=TimeoutSeconds.DEFAULT_TIMEOUT_SECONDS,
                    ),
                    **credentials,
                )
                clients[(region, service, role_arn)] = client
        return client

    modules = [boto_client, *_parser_modules_using(_MOTO_BOTO_CLIENT_FOR)]
    for module in modules:
        module.boto_client_for = boto_client_for

    def undo() -> None:
        for module in [boto_client, *_parser_modules_using(boto_client_for)]:
            module.boto_client_for = _MOTO_BOTO_CLIENT_FOR

    return undo


# -- 8. Step Functions terminal errors ---------------------------------------------------------
_MOTO_ERROR_EQUALS = ErrorEqualsDecl._eval_body
_UNCATCHABLE_BY_ALL = (StatesErrorNameType.StatesStatesDataLimitExceeded, StatesErrorNameType.StatesRuntime)


def _error_equals_as_step_functions_does(decl: Any, env: Any) -> None:
    error_name = env.stack[-1]
    if (
        ErrorEqualsDecl._STATE_ALL_ERROR in decl.error_names
        and isinstance(error_name, StatesErrorName)
        and error_name.typ in _UNCATCHABLE_BY_ALL
    ):
        env.stack.pop()
        env.stack.append(False)
        return
    _MOTO_ERROR_EQUALS(decl, env)


def leave_terminal_errors_to_the_execution() -> Callable[[], None]:
    """`States.ALL` in a Retry or Catch no longer matches States.DataLimitExceeded or States.Runtime."""
    ErrorEqualsDecl._eval_body = _error_equals_as_step_functions_does  # type: ignore[method-assign]

    def undo() -> None:
        ErrorEqualsDecl._eval_body = _MOTO_ERROR_EQUALS  # type: ignore[method-assign]

    return undo


# -- 9. Reads for the checks -------------------------------------------------------------------
def role_policy_documents(account: str, role_name: str) -> list[Any]:
    """The role's identity-based policies as moto holds them now: inline, then attached managed
    (their default version). Documents are JSON text or dicts, as moto stores them."""
    role = iam_backends[account]["aws"].get_role(role_name)
    documents: list[Any] = list(role.policies.values())
    for policy in role.managed_policies.values():
        for version in policy.versions:
            if version.version_id == policy.default_version_id:
                documents.append(version.document)
    return documents


def state_machine_of_task_token(region: str, token: str) -> str | None:
    """The ARN of the state machine whose running execution waits for this task token."""
    backend = stepfunctions_parser_backends[ACCOUNT][region]
    for machine in list(backend.state_machines):
        for execution in list(machine.executions):
            env = getattr(getattr(execution, "exec_worker", None), "env", None)
            pool = getattr(env, "callback_pool_manager", None)
            if pool is not None and pool.get(token) is not None:
                return str(machine.arn)
    return None


def secret_arn(region: str, secret_id: str) -> str | None:
    """A secret's full ARN (with its random suffix) from its name or ARN; None when it does not exist."""
    secret = secretsmanager_backends[ACCOUNT][region].secrets.get(secret_id)
    return str(secret.arn) if secret is not None else None


def queue_visibility_timeout(region: str, queue_arn: str) -> int | None:
    for queue in sqs_backends[ACCOUNT][region].queues.values():
        if queue.queue_arn == queue_arn:
            return int(queue.visibility_timeout)
    return None


# -- 10. Lambda configuration checks -----------------------------------------------------------
_MOTO_CREATE_FUNCTION = lambda_models.LambdaBackend.create_function
_MOTO_UPDATE_CONFIGURATION = lambda_models.LambdaBackend.update_function_configuration
_MOTO_CREATE_MAPPING = lambda_models.LambdaBackend.create_event_source_mapping
FunctionCheck = Callable[[dict[str, Any]], None]  # (CreateFunction-shaped spec) -> raises the AWS error
MappingCheck = Callable[[str, int, int | None], None]  # (source ARN, function timeout, queue visibility)


def check_lambda_configuration(check_function: FunctionCheck, check_mapping: MappingCheck) -> Callable[[], None]:
    """Run the checks where Lambda refuses a configuration: CreateFunction and
    UpdateFunctionConfiguration (from the API or CloudFormation), CreateEventSourceMapping."""

    def create_function(self: Any, spec: dict[str, Any]) -> Any:
        check_function(spec)
        return _MOTO_CREATE_FUNCTION(self, spec)

    def update_function_configuration(self: Any, function_name: str, qualifier: str, body: dict[str, Any]) -> Any:
        fn = self.get_function(function_name, qualifier)
        check_function(
            {
                "Timeout": body.get("Timeout", fn.timeout),
                "Environment": body.get("Environment", {"Variables": dict(fn.environment_vars)}),
            }
        )
        return _MOTO_UPDATE_CONFIGURATION(self, function_name, qualifier, body)

    def create_event_source_mapping(self: Any, spec: dict[str, Any]) -> Any:
        source = str(spec.get("EventSourceArn") or "")
        if source.startswith("arn:aws:sqs:") and spec.get("FunctionName"):
            fn = self._lambdas.get_function_by_name_or_arn_with_qualifier(spec["FunctionName"])
            check_mapping(source, int(fn.timeout), queue_visibility_timeout(self.region_name, source))
        return _MOTO_CREATE_MAPPING(self, spec)

    backend = lambda_models.LambdaBackend
    backend.create_function = create_function  # type: ignore[method-assign]
    backend.update_function_configuration = update_function_configuration  # type: ignore[method-assign]
    backend.create_event_source_mapping = create_event_source_mapping  # type: ignore[method-assign]

    def undo() -> None:
        backend.create_function = _MOTO_CREATE_FUNCTION  # type: ignore[method-assign]
        backend.update_function_configuration = _MOTO_UPDATE_CONFIGURATION  # type: ignore[method-assign]
        backend.create_event_source_mapping = _MOTO_CREATE_MAPPING  # type: ignore[method-assign]

    return undo
