"""Shared Lambda defaults: one runtime, ARM, JSON logs with a retention, X-Ray tracing, the two
layers (third-party dependencies and our shared package). Components create their functions here."""

from aws_cdk import Duration, RemovalPolicy
from aws_cdk import aws_lambda as lambda_
from aws_cdk import aws_logs as logs
from constructs import Construct

from contenthub.observability import NAMESPACE
from contenthub.resources import PRINCIPAL_VARIABLE, Principal
from infra.constants import DEPS_LAYER_DESCRIPTION, SERVICE
from infra.layers import build_deps_layer, build_function_package, build_shared_layer

RUNTIME = lambda_.Runtime.PYTHON_3_13  # the local stack runs the functions on this Python too


class Lambdas(Construct):
    def __init__(self, scope: Construct, construct_id: str) -> None:
        super().__init__(scope, construct_id)
        layer = {"compatible_runtimes": [RUNTIME], "compatible_architectures": [lambda_.Architecture.ARM_64]}
        self.deps_layer = lambda_.LayerVersion(
            self, "DepsLayer", code=lambda_.Code.from_asset(str(build_deps_layer())),
            description=DEPS_LAYER_DESCRIPTION, **layer,  # type: ignore[arg-type]
        )  # fmt: skip
        self.shared_layer = lambda_.LayerVersion(
            self, "SharedLayer", code=lambda_.Code.from_asset(str(build_shared_layer())),
            description="ContentHub shared domain code (models, settings, logic, data access)",
            **layer,  # type: ignore[arg-type]
        )  # fmt: skip

    def function(
        self, scope: Construct, principal: Principal, description: str, timeout: Duration, *,
        memory_size: int = 512,
    ) -> lambda_.Function:  # fmt: skip
        """functions/<principal>/handler.py's `main`, with the shared defaults."""
        construct_id = "".join(part.title() for part in principal.value.split("_"))
        log_group = logs.LogGroup(
            scope, f"{construct_id}Logs", retention=logs.RetentionDays.ONE_MONTH, removal_policy=RemovalPolicy.DESTROY
        )
        return lambda_.Function(
            scope,
            construct_id,
            runtime=RUNTIME,
            architecture=lambda_.Architecture.ARM_64,
            handler="handler.main",
            code=lambda_.Code.from_asset(str(build_function_package(principal.value))),
            layers=[self.deps_layer, self.shared_layer],
            description=description,
            timeout=timeout,
            memory_size=memory_size,
            tracing=lambda_.Tracing.ACTIVE,
            logging_format=lambda_.LoggingFormat.JSON,
            log_group=log_group,
            environment={
                PRINCIPAL_VARIABLE: principal.value,
                "POWERTOOLS_SERVICE_NAME": SERVICE,
                "POWERTOOLS_METRICS_NAMESPACE": NAMESPACE,
                "LOG_LEVEL": "INFO",
            },
        )
