"""Mirrors local/contenthub_local/moto_seams.py, seam by seam: if a moto upgrade moves an internal
the local stack patches or reads, this fails loudly with the name of what moved, instead of the
local stack failing in a confusing way."""

import inspect

import moto
from moto.awslambda import models as lambda_models
from moto.sqs.models import Queue
from moto.stepfunctions.models import stepfunctions_backends
from moto.stepfunctions.parser.models import stepfunctions_parser_backends

from contenthub_local import moto_seams


def test_moto_version_is_the_pinned_one():
    assert moto.__version__ == "5.2.5", "the local stack adapters were checked against moto 5.2.5"


def test_every_seam_is_mirrored_here():
    public = {name for name, value in vars(moto_seams).items() if inspect.isfunction(value) and name[0] != "_"}
    assert public == {
        "make_dynamodb_atomic", "replace_lambda_invoke", "deployed_functions", "layer_version",
        "name_lambda_task_errors", "register_state_machines", "stop_delivery_inside_send_message",
    }  # fmt: skip


def test_lambda_invoke_hook_exists_with_the_expected_signature():  # seam 1
    params = list(inspect.signature(lambda_models.LambdaFunction._invoke_lambda).parameters)
    assert params == ["self", "event"]
    for attribute in ("code_bytes", "code_sha_256", "layers", "environment_vars", "handler", "timeout"):
        assert f"self.{attribute}" in inspect.getsource(lambda_models.LambdaFunction), attribute
    assert hasattr(lambda_models.LambdaBackend, "layers_versions_by_arn")


def test_sqs_queue_keeps_its_event_source_mappings_where_we_clear_them():  # seam 4
    assert "self.lambda_event_source_mappings" in inspect.getsource(Queue.__init__)


def test_dynamodb_writes_can_be_made_atomic():  # seam 5
    from moto.dynamodb.models import DynamoDBBackend

    for name in (*moto_seams.WRITES, *moto_seams.READS):
        assert callable(getattr(DynamoDBBackend, name)), name


def test_both_step_functions_backends_exist():  # seam 3
    assert stepfunctions_backends is not stepfunctions_parser_backends
    assert hasattr(stepfunctions_parser_backends["123456789012"]["us-east-1"], "create_state_machine")


def test_the_lambda_task_error_mapping_is_where_we_replace_it():  # seam 2
    from moto.stepfunctions.parser.asl.component.state.exec.state_task import state_task_lambda as m

    params = list(inspect.signature(m.StateTaskLambda._from_error).parameters)
    assert params == ["self", "env", "ex"]
    for name in ("ClientError", "FailureEvent", "CustomErrorName", "HistoryEventType", "EventDetails",
                 "LambdaFunctionFailedEventDetails"):  # fmt: skip
        assert hasattr(m, name), name


def test_a_failed_transaction_leaves_every_item_as_it_was_without_copying_tables():
    import boto3
    import pytest
    from moto import mock_aws
    from moto.dynamodb import models as dynamodb_models

    undo = moto_seams.make_dynamodb_atomic()
    try:
        with mock_aws():
            client = boto3.client("dynamodb", region_name="us-east-1")
            client.create_table(TableName="t", BillingMode="PAY_PER_REQUEST",
                                KeySchema=[{"AttributeName": "k", "KeyType": "HASH"}],
                                AttributeDefinitions=[{"AttributeName": "k", "AttributeType": "S"}])  # fmt: skip
            client.put_item(TableName="t", Item={"k": {"S": "counter"}, "n": {"N": "1"}})
            table = dynamodb_models.dynamodb_backends["123456789012"]["us-east-1"].tables["t"]
            ops = [
                {"Put": {"TableName": "t", "Item": {"k": {"S": "new"}}}},
                {"Update": {"TableName": "t", "Key": {"k": {"S": "counter"}}, "UpdateExpression": "ADD n :one",
                            "ExpressionAttributeValues": {":one": {"N": "1"}}}},
                {"Put": {"TableName": "t", "Item": {"k": {"S": "counter2"}},
                         "ConditionExpression": "attribute_exists(k)"}},  # fails: the whole transaction is undone
            ]  # fmt: skip
            with pytest.raises(client.exceptions.TransactionCanceledException):
                client.transact_write_items(TransactItems=ops)
            assert "Item" not in client.get_item(TableName="t", Key={"k": {"S": "new"}})
            assert client.get_item(TableName="t", Key={"k": {"S": "counter"}})["Item"]["n"] == {"N": "1"}
            assert dynamodb_models.dynamodb_backends["123456789012"]["us-east-1"].tables["t"] is table  # not a copy
            client.transact_write_items(TransactItems=ops[:2])  # and a good one applies
            assert client.get_item(TableName="t", Key={"k": {"S": "counter"}})["Item"]["n"] == {"N": "2"}
    finally:
        undo()
