"""IAM on the running local stack, evaluated at call time against each principal's own role:
a policy taken away after deploy (through IAM's API, as an operator would) denies that
principal's next call with the service's AccessDenied error, in AWS's words, and the denial is
logged with the principal, the action and the resource. Every other e2e test passing with
evaluation on is the proof that the template grants enough."""

from __future__ import annotations

from pathlib import Path

import requests

from tests.e2e.conftest import RunningStack, runner_process
from tests.e2e.parity.aws import (
    ACCOUNT,
    actions_of,
    denials,
    function_role,
    policies_changed,
    role_named,
    table_arn,
    wait_for_denial,
    without_resource,
    without_statements,
)  # fmt: skip


def test_a_function_is_denied_once_its_policy_is_removed_and_allowed_once_it_is_back(local_stack: RunningStack):
    task_id = local_stack.submit()["task_id"]
    role = function_role(local_stack, "tasks")
    mark = len(denials(local_stack))
    with policies_changed(local_stack, role, lambda document: None):  # iam:DeleteRolePolicy
        response = requests.get(f"{local_stack.api_url}/tasks/{task_id}", timeout=30)
        assert response.status_code >= 500, response.text
        tasks_table = table_arn(local_stack, "TasksTable")
        denial = wait_for_denial(
            local_stack, after=mark, principal="tasks", action="dynamodb:GetItem", resource=tasks_table
        )
    assert denial["api"] == "dynamodb:GetItem"
    assert denial["caller"].startswith(f"arn:aws:sts::{ACCOUNT}:assumed-role/{role}/")
    assert denial["message"] == (
        f"User: {denial['caller']} is not authorized to perform: dynamodb:GetItem on resource: {tasks_table} "
        "because no identity-based policy allows the dynamodb:GetItem action"
    )
    function_logs = "".join(p.read_text(errors="replace") for p in local_stack.log_dir.glob("*OperatorApiTasks*.log"))
    assert "AccessDeniedException" in function_logs  # what the function itself saw and logged
    assert local_stack.task(task_id)["task_id"] == task_id  # the policy is back: allowed again, at once


def test_each_item_of_a_transaction_is_authorized_on_its_own_table(local_stack: RunningStack):
    counters = table_arn(local_stack, "CountersTable")
    mark = len(denials(local_stack))
    with policies_changed(local_stack, function_role(local_stack, "submit"), without_resource(counters)):
        body = {"account_id": 49, "topic": "AI trends", "keywords": ["AI"]}
        response = requests.post(f"{local_stack.api_url}/tasks", json=body, timeout=30)
        assert response.status_code >= 500, response.text
        denial = wait_for_denial(local_stack, after=mark, principal="submit", api="dynamodb:TransactWriteItems")
    # The account's Update and the task's Put (its own tables) passed; the counters' Update did not.
    assert (denial["action"], denial["resource"]) == ("dynamodb:UpdateItem", counters)


def test_creating_a_schedule_needs_pass_role_on_its_target_role(local_stack: RunningStack):
    invoke_role = local_stack.outputs["BatchSchedulerRoleArn"]
    mark = len(denials(local_stack))
    no_pass_role = without_statements(lambda statement: "iam:PassRole" in actions_of(statement))
    with policies_changed(local_stack, function_role(local_stack, "schedules"), no_pass_role):
        body = {"name": "parity pass role", "type": "async_content_generation", "cron": "0 8 * * *",
                "timezone": "UTC", "params": {"account_ids": [49], "count_per_account": 1}}  # fmt: skip
        response = requests.post(f"{local_stack.api_url}/schedules", json=body, timeout=30)
        assert response.status_code >= 500, response.text
        denial = wait_for_denial(local_stack, after=mark, principal="schedules", action="iam:PassRole")
    assert (denial["resource"], denial["api"]) == (invoke_role, "scheduler:CreateSchedule")


def test_a_state_machine_integration_denied_fails_the_task_through_mark_failed(local_stack: RunningStack):
    machine = local_stack.client("stepfunctions").describe_state_machine(
        stateMachineArn=local_stack.outputs["StateMachineArn"]
    )
    role = machine["roleArn"].rsplit("/", 1)[-1]
    mark = len(denials(local_stack))
    no_update = without_statements(lambda statement: "dynamodb:UpdateItem" in actions_of(statement))
    with policies_changed(local_stack, role, no_update):
        task, _ = local_stack.wait_until_done(local_stack.submit()["task_id"])
        denial = wait_for_denial(local_stack, after=mark, principal="state machine", action="dynamodb:UpdateItem")
    assert denial["resource"] == table_arn(local_stack, "TasksTable")
    assert task["status"] == "failed"  # MarkRunning's Catch ran MarkFailed, whose Lambda invoke is still allowed
    assert "is not authorized to perform: dynamodb:UpdateItem" in task["error"], task["error"]


def test_the_runner_is_denied_once_its_task_role_loses_its_policy(bare_stack: RunningStack, tmp_path: Path):
    """A runner of its own (bare_stack): a runner denied stops, as an ECS task would, for the service to replace."""
    assert bare_stack.runner_credentials, "runners get the task role's credentials"
    role = role_named(bare_stack, "RunnerTaskTaskRole")
    mark = len(denials(bare_stack))
    with policies_changed(bare_stack, role, lambda document: None):
        runner = runner_process(bare_stack, tmp_path / "runner.log")
        try:
            denial = wait_for_denial(bare_stack, after=mark, principal="runner")
        finally:
            runner.terminate()
            runner.wait(timeout=30)
    # Its first calls: the live controls (SSM; denied, it goes on with the deployed values), then
    # its queue and tables (denied, it stops).
    assert denial["action"].startswith(("ssm:", "sqs:", "dynamodb:")), denial
    assert denial["caller"] == f"arn:aws:sts::{ACCOUNT}:assumed-role/{role}/runner"
    assert "AccessDenied" in (tmp_path / "runner.log").read_text()


def test_a_schedule_fires_as_its_target_role(local_stack: RunningStack):
    body = {"name": "parity target role", "type": "async_content_generation", "cron": "*/15 * * * *",
            "timezone": "UTC", "params": {"account_ids": [49], "count_per_account": 1}}  # fmt: skip
    created = requests.post(f"{local_stack.api_url}/schedules", json=body, timeout=30)
    assert created.status_code == 201, created.text
    schedule_id = created.json()["schedule_id"]
    invoke_role = local_stack.outputs["BatchSchedulerRoleArn"].rsplit("/", 1)[-1]
    mark = len(denials(local_stack))
    try:
        with policies_changed(local_stack, invoke_role, lambda document: None):
            advanced = requests.post(
                f"{local_stack.api_url}/_local/scheduler/advance", json={"seconds": 960}, timeout=60
            )
            assert schedule_id in [fired["schedule"] for fired in advanced.json()["fired"]]
            denial = wait_for_denial(local_stack, after=mark, principal="scheduler", action="lambda:InvokeFunction")
        assert denial["resource"] == local_stack.outputs["BatchFunctionArn"]
    finally:
        assert requests.delete(f"{local_stack.api_url}/schedules/{schedule_id}", timeout=30).status_code < 300
