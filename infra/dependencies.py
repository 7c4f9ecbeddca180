"""No DependsOn that a reference already implies (cfn-lint W3005).

CDK makes each Lambda function and the state machine depend on their whole role construct: the
role and its default policy. The role is also referenced (`Role: GetAtt Role.Arn`), so
CloudFormation orders it first anyway; only the policy needs the explicit DependsOn (nothing
references it, and the function must not run before its grants exist). This aspect renders each
such resource's DependsOn without its referenced role.
"""

from __future__ import annotations

import jsii
from aws_cdk import CfnResource, IAspect
from aws_cdk import aws_iam as iam
from aws_cdk import aws_lambda as lambda_
from aws_cdk import aws_stepfunctions as sfn
from constructs import IConstruct


def _resources(construct: IConstruct) -> list[CfnResource]:
    return [c for c in construct.node.find_all() if isinstance(c, CfnResource)]


@jsii.implements(IAspect)
class NoDependsOnWhatIsReferenced:
    def visit(self, node: IConstruct) -> None:
        if not isinstance(node, lambda_.Function | sfn.StateMachine):
            return
        role = node.role
        resource = node.node.default_child
        if not isinstance(role, iam.Role) or not isinstance(resource, CfnResource):
            return
        referenced = role.node.default_child.node.path  # the CfnRole: its ARN is the resource's Role / RoleArn
        targets: dict[str, CfnResource] = {}
        for dependency in [*resource.node.dependencies, *node.node.dependencies]:
            targets.update({target.node.path: target for target in _resources(dependency)})
        if referenced in targets:
            resource.add_override("DependsOn", [t.logical_id for path, t in targets.items() if path != referenced])
