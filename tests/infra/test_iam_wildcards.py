"""Least privilege: every IAM statement with `*` in an action or a resource is listed here with
the reason it needs it. A new wildcard fails this test until it is justified (or removed)."""

from __future__ import annotations

import json
import re
from pathlib import Path
from typing import Any

# (what the wildcard is, as a regex on the action or on the resource rendered as JSON) → why.
ALLOWED_ACTIONS = {
    r"s3:GetObject\*|s3:GetBucket\*|s3:List\*": "CDK's grantRead on the one article bucket (versions, ACL-free reads)",
    r"s3:Abort\*": "CDK's grantPut on the article bucket: abort multipart uploads of large articles",
}
ALLOWED_RESOURCES = {
    r'^"\*"$': "only for actions that have no resource-level permissions (see STAR_RESOURCE_ACTIONS)",
    r"/index/\*\"\]\]\}$": "a table's own GSIs (list queries); the table ARN is fixed",
    r'"Arn"\]\}, ":\*"\]\]\}$': "the versions/aliases of one named function (Step Functions, Scheduler invoke)",
    r'StorageArticles[0-9A-F]+", "Arn"\]\}, "/\*"\]\]\}$': "objects of the one article bucket",
    r":schedule/default/(publish|batch)-\*": "one-time publish schedules and batch schedules, named at run time",
    r":execution:.*OrchestrationTaskMachine": "executions of our own state machine (stop on cancel)",
    r"bedrock.*(foundation-model|inference-profile)/\*": "the Bedrock model is a run-time setting (BEDROCK_MODEL_ID)",
}
# Actions AWS offers only on Resource "*".
STAR_RESOURCE_ACTIONS = {
    "xray:PutTraceSegments", "xray:PutTelemetryRecords", "xray:GetSamplingRules", "xray:GetSamplingTargets",
    "ecr:GetAuthorizationToken",
    # CloudWatch Logs vended log delivery for the state machine's logging (documented as Resource "*").
    "logs:CreateLogDelivery", "logs:GetLogDelivery", "logs:UpdateLogDelivery", "logs:DeleteLogDelivery",
    "logs:ListLogDeliveries", "logs:PutResourcePolicy", "logs:DescribeResourcePolicies", "logs:DescribeLogGroups",
}  # fmt: skip


def statements(template: dict[str, Any]) -> list[tuple[str, dict[str, Any]]]:
    found = []
    for logical_id, resource in template["Resources"].items():
        if resource["Type"] == "AWS::IAM::Policy":
            documents = [resource["Properties"]["PolicyDocument"]]
        elif resource["Type"] == "AWS::IAM::Role":
            documents = [p["PolicyDocument"] for p in resource["Properties"].get("Policies", [])]
        else:
            continue
        found += [(logical_id, statement) for document in documents for statement in document["Statement"]]
    return found


def as_list(value: Any) -> list[Any]:
    return value if isinstance(value, list) else [value]


def test_every_wildcard_is_on_the_allow_list(synthesized):
    _, _, path = synthesized
    template = json.loads(Path(path).read_text())
    unexplained = []
    for logical_id, statement in statements(template):
        if statement.get("Effect") != "Allow":
            continue
        actions = [a for a in as_list(statement.get("Action")) if a]
        for action in actions:
            if "*" in action and not any(re.fullmatch(p, action) for p in ALLOWED_ACTIONS):
                unexplained.append(f"{logical_id}: action {action}")
        for resource in as_list(statement.get("Resource")):
            rendered = json.dumps(resource)
            if "*" not in rendered:
                continue
            if not any(re.search(p, rendered) for p in ALLOWED_RESOURCES):
                unexplained.append(f"{logical_id}: resource {rendered[:160]}")
            elif rendered == '"*"':
                broad = sorted(set(actions) - STAR_RESOURCE_ACTIONS)
                if broad:
                    unexplained.append(f"{logical_id}: Resource '*' for {broad}")
    assert unexplained == [], "\n".join(unexplained)
