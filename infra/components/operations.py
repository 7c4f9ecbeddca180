"""Operations: the live controls (one SSM parameter per control, created with the deployed value,
a change log table, the controls API function) and the dead-letter API function (count, peek,
redrive, fail the task)."""

from __future__ import annotations

from aws_cdk import Duration, RemovalPolicy, Stack
from aws_cdk import aws_dynamodb as dynamodb
from aws_cdk import aws_iam as iam
from aws_cdk import aws_ssm as ssm
from constructs import Construct

from contenthub import resources as r
from contenthub.models.controls import CONTROL_SETTINGS
from contenthub.resources import Principal
from infra.components.lambdas import Lambdas
from infra.wiring import Wiring


class ParameterTree(Construct):
    """String parameters `<path>/<SETTING>`; read = the path (GetParametersByPath) and each
    parameter, write = PutParameter on each parameter. No wildcard."""

    def __init__(self, scope: Construct, construct_id: str, *, path: str, values: dict[str, str]) -> None:
        super().__init__(scope, construct_id)
        self.path = path
        stack = Stack.of(self)
        self.path_arn = stack.format_arn(service="ssm", resource="parameter", resource_name=path.lstrip("/"))
        self.parameters = [
            ssm.StringParameter(
                self,
                name.title().replace("_", ""),
                parameter_name=f"{path}/{name}",
                string_value=value,
                description=f"live control {name} (deployed value {value}); change with PUT /controls",
            )  # fmt: skip
            for name, value in values.items()
        ]

    def grant_read(self, who: iam.IGrantable) -> None:
        who.grant_principal.add_to_principal_policy(
            iam.PolicyStatement(actions=["ssm:GetParametersByPath"], resources=[self.path_arn])
        )
        who.grant_principal.add_to_principal_policy(
            iam.PolicyStatement(
                actions=["ssm:GetParameter", "ssm:GetParameters"], resources=[p.parameter_arn for p in self.parameters]
            )
        )

    def grant_write(self, who: iam.IGrantable) -> None:
        who.grant_principal.add_to_principal_policy(
            iam.PolicyStatement(actions=["ssm:PutParameter"], resources=[p.parameter_arn for p in self.parameters])
        )


class Operations(Construct):
    def __init__(
        self, scope: Construct, construct_id: str, *, lambdas: Lambdas, wiring: Wiring, settings: dict[str, str],
        stack_name: str,
    ) -> None:  # fmt: skip
        super().__init__(scope, construct_id)
        self.parameters = ParameterTree(
            self, "ControlParameters", path=f"/{stack_name}/controls",
            values={name: settings[name] for name in CONTROL_SETTINGS.values()},
        )  # fmt: skip
        self.history = dynamodb.Table(
            self,
            "ControlsHistory",
            partition_key=dynamodb.Attribute(name="log", type=dynamodb.AttributeType.STRING),
            sort_key=dynamodb.Attribute(name="at", type=dynamodb.AttributeType.STRING),
            billing_mode=dynamodb.BillingMode.PAY_PER_REQUEST,
            encryption=dynamodb.TableEncryption.AWS_MANAGED,
            point_in_time_recovery_specification=dynamodb.PointInTimeRecoverySpecification(
                point_in_time_recovery_enabled=True
            ),
            removal_policy=RemovalPolicy.RETAIN,
        )
        self.controls = lambdas.function(
            self, Principal.CONTROLS, "Live controls API: kill switch, cap, slots, history", Duration.seconds(10)
        )
        self.dead_letters = lambdas.function(
            self, Principal.DEAD_LETTERS, "Dead letters API: count, peek, redrive, fail the task", Duration.seconds(30)
        )
        wiring.use(Principal.CONTROLS, self.controls)
        wiring.use(Principal.DEAD_LETTERS, self.dead_letters)
        wiring.provide(r.CONTROLS_PARAMETER_PATH, self.parameters, self.parameters.path)
        wiring.provide(r.CONTROLS_HISTORY_TABLE, self.history, self.history.table_name)
