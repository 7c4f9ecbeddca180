"""The local stack's IAM evaluation (contenthub_local/iam.py): policy evaluation as IAM does it for
identity-based policies, and the IAM action and resource ARN each API call the product makes is
authorized as. The end-to-end proof (a removed policy denies the next call) is
tests/e2e/parity/test_iam.py."""

from __future__ import annotations

import json
from typing import Any

import pytest

from contenthub_local.aws_errors import AwsError
from contenthub_local.iam import Authorizer, Decision, Identity, Unmapped, evaluate, iam_calls
from contenthub_local.moto_seams import Request

TABLE = "arn:aws:dynamodb:us-east-1:123456789012:table/Tasks"


def allow(actions: Any, resources: Any, **extra: Any) -> dict[str, Any]:
    return {
        "Version": "2012-10-17",
        "Statement": [{"Effect": "Allow", "Action": actions, "Resource": resources, **extra}],
    }


def test_allow_needs_both_the_action_and_the_resource():
    policy = allow(["dynamodb:GetItem", "dynamodb:Query"], [TABLE, f"{TABLE}/index/*"])
    assert evaluate([policy], "dynamodb:GetItem", TABLE) is Decision.ALLOW
    assert evaluate([policy], "dynamodb:Query", f"{TABLE}/index/by_status") is Decision.ALLOW
    assert evaluate([policy], "dynamodb:PutItem", TABLE) is Decision.IMPLICIT_DENY
    assert evaluate([policy], "dynamodb:GetItem", TABLE.replace("Tasks", "Counters")) is Decision.IMPLICIT_DENY
    assert evaluate([], "dynamodb:GetItem", TABLE) is Decision.IMPLICIT_DENY


def test_wildcards_actions_ignore_case_resources_do_not():
    policy = allow("DynamoDB:*Item", "arn:aws:dynamodb:us-east-1:123456789012:table/Task?")
    assert evaluate([policy], "dynamodb:getitem", TABLE) is Decision.ALLOW
    assert evaluate([policy], "dynamodb:Query", TABLE) is Decision.IMPLICIT_DENY
    assert evaluate([policy], "dynamodb:GetItem", TABLE.lower()) is Decision.IMPLICIT_DENY
    assert evaluate([allow("s3:GetObject*", "arn:aws:s3:::bucket/*")], "s3:GetObject", "arn:aws:s3:::bucket/a/b") is (
        Decision.ALLOW
    )


def test_an_explicit_deny_wins_over_any_allow():
    deny = {"Statement": {"Effect": "Deny", "Action": "dynamodb:DeleteItem", "Resource": "*"}}
    documents = [allow("dynamodb:*", "*"), json.dumps(deny)]  # moto keeps inline documents as JSON text
    assert evaluate(documents, "dynamodb:DeleteItem", TABLE) is Decision.EXPLICIT_DENY
    assert evaluate(documents, "dynamodb:PutItem", TABLE) is Decision.ALLOW


def test_not_action_and_not_resource():
    everything_but_delete = {"Statement": [{"Effect": "Allow", "NotAction": "dynamodb:Delete*", "Resource": "*"}]}
    assert evaluate([everything_but_delete], "dynamodb:PutItem", TABLE) is Decision.ALLOW
    assert evaluate([everything_but_delete], "dynamodb:DeleteItem", TABLE) is Decision.IMPLICIT_DENY
    not_counters = {"Statement": [{"Effect": "Deny", "Action": "*", "NotResource": [TABLE]}]}
    assert evaluate([allow("*", "*"), not_counters], "dynamodb:PutItem", TABLE) is Decision.ALLOW
    assert evaluate([allow("*", "*"), not_counters], "sqs:SendMessage", "arn:aws:sqs:us-east-1:1:q") is (
        Decision.EXPLICIT_DENY
    )


def request(service: str, action: str, params: dict[str, Any] | None = None, **fields: Any) -> Request:
    base: dict[str, Any] = {
        "service": service, "action": action, "access_key": "ASIAEXAMPLEEXAMPLE01", "account": "123456789012",
        "region": "us-east-1", "method": "POST", "path": "/", "querystring": {}, "headers": {},
        "body": json.dumps(params or {}).encode(),
    }  # fmt: skip
    return Request(**{**base, **fields})


def test_each_item_of_a_transaction_is_its_own_action_on_its_own_table():
    items = [
        {"Update": {"TableName": "Accounts", "Key": {}}},
        {"Put": {"TableName": "Tasks", "Item": {}}},
        {"ConditionCheck": {"TableName": "Quota", "Key": {}}},
        {"Delete": {"TableName": "Old", "Key": {}}},
    ]
    arn = "arn:aws:dynamodb:us-east-1:123456789012:table/"
    assert iam_calls(request("dynamodb", "TransactWriteItems", {"TransactItems": items})) == [
        ("dynamodb:UpdateItem", f"{arn}Accounts"),
        ("dynamodb:PutItem", f"{arn}Tasks"),
        ("dynamodb:ConditionCheckItem", f"{arn}Quota"),
        ("dynamodb:DeleteItem", f"{arn}Old"),
    ]
    query = request("dynamodb", "Query", {"TableName": "Tasks", "IndexName": "by_status"})
    assert iam_calls(query) == [("dynamodb:Query", f"{arn}Tasks/index/by_status")]
    batch = request("dynamodb", "BatchGetItem", {"RequestItems": {"Counters": {}, "Tasks": {}}})
    assert iam_calls(batch) == [("dynamodb:BatchGetItem", f"{arn}Counters"), ("dynamodb:BatchGetItem", f"{arn}Tasks")]


def test_queues_schedules_functions_buses_and_objects_are_named_by_their_arns():
    url = "https://sqs.us-east-1.amazonaws.com/123456789012/Intake"
    assert iam_calls(request("sqs", "DeleteMessageBatch", {"QueueUrl": url})) == [
        ("sqs:DeleteMessage", "arn:aws:sqs:us-east-1:123456789012:Intake")
    ]
    assert iam_calls(request("sqs", "GetQueueUrl", {"QueueName": "Intake"})) == [
        ("sqs:GetQueueUrl", "arn:aws:sqs:us-east-1:123456789012:Intake")
    ]
    role = "arn:aws:iam::123456789012:role/Invoke"
    create = request(
        "scheduler", "CreateSchedule", {"Target": {"Arn": "x", "RoleArn": role}}, path="/schedules/batch-1"
    )
    assert iam_calls(create) == [
        ("scheduler:CreateSchedule", "arn:aws:scheduler:us-east-1:123456789012:schedule/default/batch-1"),
        ("iam:PassRole", role),
    ]
    fn = "arn:aws:lambda:us-east-1:123456789012:function:Poll"
    invoke = request("awslambda", "Invoke", path=f"/2015-03-31/functions/{fn.replace(':', '%3A')}/invocations")
    assert iam_calls(invoke) == [("lambda:InvokeFunction", fn)]
    by_name = request(
        "awslambda", "Invoke", path="/2015-03-31/functions/Poll/invocations", querystring={"Qualifier": ["7"]}
    )
    assert iam_calls(by_name) == [("lambda:InvokeFunction", f"{fn}:7")]
    events = request("events", "PutEvents", {"Entries": [{"EventBusName": "content"}]})
    assert iam_calls(events) == [("events:PutEvents", "arn:aws:events:us-east-1:123456789012:event-bus/content")]
    get = request("s3", "GetObject", resource="arn:aws:s3:::articles/results/task-1.json")
    assert iam_calls(get) == [("s3:GetObject", "arn:aws:s3:::articles/results/task-1.json")]


def test_parameters_are_named_by_their_arns_and_a_path_read_by_the_path():
    arn = "arn:aws:ssm:us-east-1:123456789012:parameter/"
    by_path = request("ssm", "GetParametersByPath", {"Path": "/contenthub/controls", "Recursive": True})
    assert iam_calls(by_path) == [("ssm:GetParametersByPath", f"{arn}contenthub/controls")]
    put = request("ssm", "PutParameter", {"Name": "/contenthub/controls/runner_slots", "Value": "3"})
    assert iam_calls(put) == [("ssm:PutParameter", f"{arn}contenthub/controls/runner_slots")]
    several = request("ssm", "GetParameters", {"Names": ["/a/x", "/a/y"]})
    assert iam_calls(several) == [("ssm:GetParameters", f"{arn}a/x"), ("ssm:GetParameters", f"{arn}a/y")]


def test_a_call_nobody_mapped_is_refused_naming_itself():
    with pytest.raises(Unmapped, match="dynamodb:RestoreTableFromBackup"):
        iam_calls(request("dynamodb", "RestoreTableFromBackup", {"TableName": "Tasks"}))


class Keys:
    def __init__(self, identity: Identity):
        self.identity = identity

    def of_key(self, access_key: str) -> Identity | None:
        return self.identity if access_key == self.identity.credentials["aws_access_key_id"] else None


def authorizer(policies: list[Any], tmp_path: Any) -> Authorizer:
    identity = Identity(
        label="tasks", role_arn="arn:aws:iam::123456789012:role/TasksRole",
        session_arn="arn:aws:sts::123456789012:assumed-role/TasksRole/ContentHub-Tasks",
        credentials={"aws_access_key_id": "ASIAEXAMPLEEXAMPLE01", "aws_secret_access_key": "s",
                     "aws_session_token": "t"},
    )  # fmt: skip
    return Authorizer(Keys(identity), lambda account, role: policies, tmp_path / "denials.log")  # type: ignore[arg-type]


def test_a_denial_is_the_services_access_denied_in_awss_words_and_is_logged(tmp_path):
    check = authorizer([allow("dynamodb:GetItem", TABLE)], tmp_path).check
    check(request("dynamodb", "GetItem", {"TableName": "Tasks"}))  # allowed: no error
    with pytest.raises(AwsError) as denied:
        check(request("dynamodb", "PutItem", {"TableName": "Tasks"}))
    assert denied.value.error_code == "AccessDeniedException"
    assert denied.value.message == (
        "User: arn:aws:sts::123456789012:assumed-role/TasksRole/ContentHub-Tasks is not authorized to perform: "
        f"dynamodb:PutItem on resource: {TABLE} because no identity-based policy allows the dynamodb:PutItem action"
    )
    with pytest.raises(AwsError) as denied:
        check(request("sqs", "SendMessage", {"QueueUrl": "https://sqs.us-east-1.amazonaws.com/123456789012/q"}))
    assert (denied.value.error_code, denied.value.code) == ("AccessDenied", 403)
    logged = [json.loads(line) for line in (tmp_path / "denials.log").read_text().splitlines()]
    assert [(d["principal"], d["action"], d["resource"]) for d in logged] == [
        ("tasks", "dynamodb:PutItem", TABLE),
        ("tasks", "sqs:SendMessage", "arn:aws:sqs:us-east-1:123456789012:q"),
    ]
    # The administrator (any key that is no product principal's) is not evaluated.
    check(request("dynamodb", "DeleteTable", {"TableName": "Tasks"}, access_key="AKIAEXAMPLE"))


def test_an_unmapped_call_from_a_product_principal_fails_loudly(tmp_path):
    with pytest.raises(AwsError, match="map it in contenthub_local/iam.py"):
        authorizer([allow("*", "*")], tmp_path).check(request("dynamodb", "DeleteTable", {"TableName": "Tasks"}))
