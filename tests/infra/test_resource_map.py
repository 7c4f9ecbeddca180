"""The resource map (contenthub/resources.py) is what the stack deploys: each function gets the
environment of exactly the resources the map says it uses, and every resource is a stack output."""

from contenthub.resources import RESOURCES, Principal, used_by
from contenthub.settings import DEPLOYED


def _functions(template) -> dict[str, dict[str, object]]:
    found = {}
    for function in template.find_resources("AWS::Lambda::Function").values():
        variables = function["Properties"]["Environment"]["Variables"]
        found[variables["CONTENTHUB_FUNCTION"]] = variables
    return found


def test_each_function_gets_exactly_its_resources_and_the_settings(template):
    functions = _functions(template)
    assert set(functions) == {p.value for p in Principal if p != Principal.RUNNER}
    for name, variables in functions.items():
        resources = {r.env for r in used_by(Principal(name))}
        declared = {r.env for r in RESOURCES}
        assert {k for k in variables if k in declared} == resources, name
        assert set(DEPLOYED) <= set(variables), name


def test_the_runner_gets_its_resources(template):
    [task] = template.find_resources("AWS::ECS::TaskDefinition").values()
    names = {v["Name"] for v in task["Properties"]["ContainerDefinitions"][0]["Environment"]}
    assert {r.env for r in used_by(Principal.RUNNER)} <= names
    assert set(DEPLOYED) <= names


def test_every_resource_is_a_stack_output(template):
    outputs = template.to_json()["Outputs"]
    assert {r.output for r in RESOURCES} <= set(outputs)


def _actions_of(template, role_logical_id: str) -> set[str]:
    actions: set[str] = set()
    for policy in template.find_resources("AWS::IAM::Policy").values():
        if {"Ref": role_logical_id} in policy["Properties"].get("Roles", []):
            for statement in policy["Properties"]["PolicyDocument"]["Statement"]:
                found = statement["Action"]
                actions |= set(found if isinstance(found, list) else [found])
    return actions


def test_whoever_writes_the_live_controls_may_read_them_too(template):
    """The controls function compares each control with its current value before writing it: with
    PutParameter alone its read failed, it compared against the deployed values, and a resume
    after a pause changed nothing (found by the live-controls e2e test under local IAM)."""
    from contenthub.resources import CONTROLS_PARAMETER_PATH

    roles = {}
    for function in template.find_resources("AWS::Lambda::Function").values():
        variables = function["Properties"]["Environment"]["Variables"]
        roles[variables["CONTENTHUB_FUNCTION"]] = function["Properties"]["Role"]["Fn::GetAtt"][0]
    for principal, access in CONTROLS_PARAMETER_PATH.users.items():
        if principal == Principal.RUNNER:
            continue
        actions = _actions_of(template, roles[principal.value])
        assert "ssm:GetParametersByPath" in actions, principal
        assert ("ssm:PutParameter" in actions) == bool(access & access.WRITE), principal
