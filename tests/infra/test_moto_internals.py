"""Mirrors local/contenthub_local/moto_seams.py, seam by seam: if a moto upgrade moves an internal
the local stack patches or reads, this fails loudly with the name of what moved, instead of the
local stack failing in a confusing way."""

import inspect
import json
import re

import moto
from moto.awslambda import models as lambda_models
from moto.sqs.models import Queue
from moto.stepfunctions.models import stepfunctions_backends
from moto.stepfunctions.parser.models import stepfunctions_parser_backends

from contenthub_local import moto_seams


def test_moto_version_is_the_pinned_one():
    assert moto.__version__ == "5.2.5", "the local stack adapters were checked against moto 5.2.5"


def test_every_seam_is_mirrored_here():
    public = {
        name
        for name, value in vars(moto_seams).items()
        if inspect.isfunction(value) and value.__module__ == moto_seams.__name__ and name[0] != "_"
    }
    assert public == {
        "make_dynamodb_atomic", "replace_lambda_invoke", "deployed_functions", "layer_version",
        "name_lambda_task_errors", "register_state_machines", "stop_delivery_inside_send_message",
        "check_every_request", "run_state_machine_tasks_as", "leave_terminal_errors_to_the_execution",
        "role_policy_documents", "state_machine_of_task_token", "secret_arn", "queue_visibility_timeout",
        "check_lambda_configuration",
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


def test_every_request_passes_through_the_authorization_hook_we_replace():  # seam 6
    from moto.core.authorization import ActionAuthenticatorMixin
    from moto.core.responses import BaseResponse
    from moto.s3.responses import S3Response

    params = list(inspect.signature(ActionAuthenticatorMixin._authenticate_and_authorize_action).parameters)
    assert params == ["self", "iam_request_cls", "resource"]
    assert "self._authenticate_and_authorize_action(" in inspect.getsource(ActionAuthenticatorMixin)
    assert "self._authenticate_and_authorize_normal_action(resource)" in inspect.getsource(BaseResponse.call_action)
    assert "self._authenticate_and_authorize_s3_action(" in inspect.getsource(S3Response._key_response_get)
    assert "self._authenticate_and_authorize_s3_action(" in inspect.getsource(S3Response._key_response_put)
    setup = inspect.getsource(BaseResponse.setup_class)
    for attribute in ("self.access_key", "self.current_account", "self.region", "self.raw_body", "self.method",
                      "self.path", "self.querystring", "self.headers"):  # fmt: skip
        assert re.search(rf"{re.escape(attribute)}(: [^=]+)? = ", setup), attribute
    assert 'self.data["Action"] = ' in inspect.getsource(S3Response._set_action)


def test_a_refusal_at_the_front_door_is_answered_with_its_description_and_status():  # seam 6
    from moto.core.responses import BaseResponse

    source = inspect.getsource(BaseResponse.call_action)
    assert 'response = http_error.description, {"status": http_error.code}' in source


def test_state_machine_integrations_build_their_clients_where_we_replace_it():  # seam 7
    from moto.stepfunctions.parser.asl.component.state.exec.state_task.credentials import StateCredentials
    from moto.stepfunctions.parser.asl.component.state.exec.state_task.service import (
        state_task_service_dynamodb,
        state_task_service_sqs,
    )  # fmt: skip
    from moto.stepfunctions.parser.asl.component.state.exec.state_task.state_task import StateTask
    from moto.stepfunctions.parser.asl.utils import boto_client

    assert list(inspect.signature(boto_client.boto_client_for).parameters) == ["region", "service", "state_credentials"]
    assert 'aws_access_key_id="ak"' in inspect.getsource(boto_client.boto_client_for)
    assert "role_arn" in StateCredentials.__dataclass_fields__
    assert "role_arn=env.aws_execution_details.role_arn" in inspect.getsource(StateTask._eval_state_credentials)
    for module in (state_task_service_dynamodb, state_task_service_sqs):
        assert "boto_client_for" in vars(module), module.__name__
    undo = moto_seams.run_state_machine_tasks_as(lambda role: {})
    try:
        assert state_task_service_sqs.boto_client_for is not moto_seams._MOTO_BOTO_CLIENT_FOR
    finally:
        undo()
    assert state_task_service_sqs.boto_client_for is moto_seams._MOTO_BOTO_CLIENT_FOR


def test_states_all_is_decided_where_we_narrow_it():  # seam 8
    from moto.stepfunctions.parser.asl.component.common.error_name.error_equals_decl import ErrorEqualsDecl
    from moto.stepfunctions.parser.asl.component.common.error_name.states_error_name_type import (
        StatesErrorNameType,
    )

    assert list(inspect.signature(ErrorEqualsDecl._eval_body).parameters) == ["self", "env"]
    assert "_STATE_ALL_ERROR" in vars(ErrorEqualsDecl)
    assert {"StatesStatesDataLimitExceeded", "StatesRuntime"} <= set(StatesErrorNameType.__members__)


def test_what_the_checks_read_is_where_they_read_it():  # seam 9
    from moto.iam.models import IAMBackend, ManagedPolicy, Role
    from moto.sqs.models import Queue
    from moto.stepfunctions.parser.asl.eval.callback.callback import CallbackPoolManager
    from moto.stepfunctions.parser.backend.execution import Execution

    assert "self.policies" in inspect.getsource(Role.__init__)
    assert "self.managed_policies" in inspect.getsource(Role.__init__)
    assert {"versions", "default_version_id"} <= set(vars(ManagedPolicy("p", "123456789012", "us-east-1")))
    assert hasattr(IAMBackend, "get_role")
    assert hasattr(CallbackPoolManager, "get")
    assert "self.exec_worker" in inspect.getsource(Execution)
    assert "self.visibility_timeout" in inspect.getsource(Queue) or "VisibilityTimeout" in inspect.getsource(Queue)
    import boto3
    from moto import mock_aws

    with mock_aws():
        arn = boto3.client("secretsmanager", region_name="us-east-1").create_secret(Name="s", SecretString="x")["ARN"]
        assert moto_seams.secret_arn("us-east-1", "s") == arn
        assert moto_seams.secret_arn("us-east-1", "missing") is None
        sqs = boto3.client("sqs", region_name="us-east-1")
        url = sqs.create_queue(QueueName="q", Attributes={"VisibilityTimeout": "7"})["QueueUrl"]
        queue_arn = sqs.get_queue_attributes(QueueUrl=url, AttributeNames=["QueueArn"])["Attributes"]["QueueArn"]
        assert moto_seams.queue_visibility_timeout("us-east-1", queue_arn) == 7
        iam = boto3.client("iam")
        iam.create_role(RoleName="r", AssumeRolePolicyDocument="{}")
        inline = {"Version": "2012-10-17", "Statement": [{"Effect": "Allow", "Action": "sqs:*", "Resource": "*"}]}
        managed = {"Version": "2012-10-17", "Statement": [{"Effect": "Deny", "Action": "s3:*", "Resource": "*"}]}
        iam.put_role_policy(RoleName="r", PolicyName="inline", PolicyDocument=json.dumps(inline))
        policy = iam.create_policy(PolicyName="managed", PolicyDocument=json.dumps(managed))["Policy"]
        iam.attach_role_policy(RoleName="r", PolicyArn=policy["Arn"])
        documents = moto_seams.role_policy_documents("123456789012", "r")
        assert [json.loads(d) if isinstance(d, str) else d for d in documents] == [inline, managed]


def test_lambda_configuration_is_checked_where_cloudformation_and_the_api_create_it():  # seam 10
    from moto.awslambda.models import LambdaBackend
    from moto.awslambda.models import LambdaFunction as Function

    assert list(inspect.signature(LambdaBackend.create_function).parameters) == ["self", "spec"]
    assert list(inspect.signature(LambdaBackend.create_event_source_mapping).parameters) == ["self", "spec"]
    assert list(inspect.signature(LambdaBackend.update_function_configuration).parameters) == [
        "self",
        "function_name",
        "qualifier",
        "body",
    ]
    assert "backend.create_function(" in inspect.getsource(Function.create_from_cloudformation_json)
    assert "get_function_by_name_or_arn_with_qualifier" in inspect.getsource(LambdaBackend.create_event_source_mapping)
