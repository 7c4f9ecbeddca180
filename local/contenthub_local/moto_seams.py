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
   restores only the items the transaction names and moto's table copy is skipped.
"""

from __future__ import annotations

import copy
import functools
import threading
from collections.abc import Callable
from typing import Any

from moto.awslambda import models as lambda_models
from moto.dynamodb import models as dynamodb_models
from moto.dynamodb.models import DynamoDBBackend
from moto.dynamodb.models.table import Table
from moto.sqs.models import sqs_backends
from moto.stepfunctions.models import stepfunctions_backends
from moto.stepfunctions.parser.asl.component.state.exec.state_task import state_task_lambda
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


def _touched_items(backend: DynamoDBBackend, transact_items: list[dict[str, Any]]) -> list[tuple[str, Any, Any]]:
    """(table, key, the item as it is now or None) for every item a transaction names."""
    touched = []
    for entry in transact_items:
        op_type, op = next(iter(entry.items()))
        table = backend.tables.get(op.get("TableName"))
        if table is None:
            continue
        try:
            if op_type == "Put":
                key = {name: op["Item"][name] for name in (table.hash_key_attr, table.range_key_attr) if name}
            else:
                key = op["Key"]
            current = backend.get_item(table.name, key)
        except Exception:  # noqa: BLE001 - a malformed key: moto refuses it before writing anything for it
            continue
        touched.append((table.name, key, current.to_json()["Attributes"] if current else None))
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


def make_dynamodb_atomic() -> Callable[[], None]:
    """Wrap moto's DynamoDB operations (5): writes atomic, reads isolated from transactions; returns a
    function that undoes it."""
    originals: dict[str, Any] = {}
    for name in (*WRITES, *READS):
        original = getattr(DynamoDBBackend, name)
        if getattr(original, "_atomic", False):
            continue
        inner = _transaction_restoring_items(original) if name == "transact_write_items" else original

        def atomic(self: DynamoDBBackend, *args: Any, __inner: Any = inner, **kwargs: Any) -> Any:
            with _lock:
                return __inner(self, *args, **kwargs)

        wrapped = functools.wraps(original)(atomic)
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
