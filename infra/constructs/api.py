"""The REST API: IAM (SigV4) auth on every method, request validation, access logs, throttling."""

from aws_cdk import RemovalPolicy
from aws_cdk import aws_apigateway as apigw
from aws_cdk import aws_lambda as lambda_
from aws_cdk import aws_logs as logs
from constructs import Construct


class Api(Construct):
    def __init__(
        self,
        scope: Construct,
        construct_id: str,
        *,
        tasks_fn: lambda_.IFunction,
        monitor_fn: lambda_.IFunction,
        webhooks_fn: lambda_.IFunction,
    ) -> None:
        super().__init__(scope, construct_id)
        access_logs = logs.LogGroup(
            self, "AccessLogs", retention=logs.RetentionDays.THREE_MONTHS, removal_policy=RemovalPolicy.DESTROY
        )
        self.rest_api = apigw.RestApi(
            self,
            "ContentHubApi",
            description="ContentHub: asynchronous content generation",
            endpoint_types=[apigw.EndpointType.REGIONAL],
            cloud_watch_role=True,
            cloud_watch_role_removal_policy=RemovalPolicy.DESTROY,
            deploy_options=apigw.StageOptions(
                stage_name="v1",
                access_log_destination=apigw.LogGroupLogDestination(access_logs),
                access_log_format=apigw.AccessLogFormat.json_with_standard_fields(
                    caller=True,
                    http_method=True,
                    ip=True,
                    protocol=True,
                    request_time=True,
                    resource_path=True,
                    response_length=True,
                    status=True,
                    user=True,
                ),  # fmt: skip
                logging_level=apigw.MethodLoggingLevel.ERROR,
                tracing_enabled=True,
                throttling_rate_limit=100,
                throttling_burst_limit=200,
            ),
            default_method_options=apigw.MethodOptions(authorization_type=apigw.AuthorizationType.IAM),
        )
        validator = self.rest_api.add_request_validator(
            "Validator", validate_request_body=True, validate_request_parameters=True
        )
        tasks_integration = apigw.LambdaIntegration(tasks_fn)
        monitor_integration = apigw.LambdaIntegration(monitor_fn)
        root = self.rest_api.root

        tasks = root.add_resource("tasks")
        tasks.add_method("POST", tasks_integration, request_validator=validator)
        task = tasks.add_resource("{task_id}")
        task.add_method(
            "GET",
            tasks_integration,
            request_validator=validator,
            request_parameters={"method.request.path.task_id": True},
        )
        root.add_resource("metrics").add_method("GET", monitor_integration)
        root.add_resource("health").add_method("GET", monitor_integration)

        webhooks_integration = apigw.LambdaIntegration(webhooks_fn)
        deliveries = root.add_resource("webhooks").add_resource("deliveries")
        deliveries.add_method("GET", webhooks_integration, request_validator=validator)
        deliveries.add_resource("{delivery_id}").add_resource("redeliver").add_method(
            "POST",
            webhooks_integration,
            request_validator=validator,
            request_parameters={"method.request.path.delivery_id": True},
        )
