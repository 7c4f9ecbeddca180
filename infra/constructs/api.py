"""The REST API: IAM (SigV4) auth on every method, request validation, access logs, throttling."""

from aws_cdk import RemovalPolicy
from aws_cdk import aws_apigateway as apigw
from aws_cdk import aws_lambda as lambda_
from aws_cdk import aws_logs as logs
from constructs import Construct

# Every route of the API: resource path → {method: the function behind it}. Every method is
# IAM-authorized (the API's default) and validated. docs/openapi.json documents exactly these.
ROUTES: dict[str, dict[str, str]] = {
    "/tasks": {"GET": "tasks", "POST": "tasks"},
    "/tasks/batch": {"POST": "tasks"},
    "/tasks/stats": {"GET": "tasks"},
    "/tasks/cleanup": {"POST": "tasks"},
    "/tasks/{task_id}": {"GET": "tasks"},
    "/tasks/{task_id}/cancel": {"POST": "tasks"},
    "/tasks/{task_id}/retry": {"POST": "tasks"},
    "/metrics": {"GET": "monitor"},
    "/stats": {"GET": "monitor"},
    "/health": {"GET": "monitor"},
    "/accounts": {"GET": "accounts", "POST": "accounts"},
    "/accounts/{account_id}": {"GET": "accounts", "PATCH": "accounts"},
    "/contents": {"GET": "contents"},
    "/contents/{content_id}": {"GET": "contents"},
    "/contents/{content_id}/approve": {"POST": "contents"},
    "/contents/{content_id}/reject": {"POST": "contents"},
    "/schedules": {"GET": "schedules", "POST": "schedules"},
    "/schedules/preview": {"GET": "schedules"},
    "/schedules/{schedule_id}": {"GET": "schedules", "DELETE": "schedules"},
    "/schedules/{schedule_id}/pause": {"POST": "schedules"},
    "/schedules/{schedule_id}/resume": {"POST": "schedules"},
    "/schedules/{schedule_id}/run": {"POST": "schedules"},
    "/webhooks/deliveries": {"GET": "webhooks"},
    "/webhooks/deliveries/{delivery_id}/redeliver": {"POST": "webhooks"},
}


class Api(Construct):
    def __init__(
        self,
        scope: Construct,
        construct_id: str,
        *,
        tasks_fn: lambda_.IFunction,
        monitor_fn: lambda_.IFunction,
        webhooks_fn: lambda_.IFunction,
        accounts_fn: lambda_.IFunction,
        contents_fn: lambda_.IFunction,
        schedules_fn: lambda_.IFunction,
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
        functions = {"tasks": tasks_fn, "monitor": monitor_fn, "accounts": accounts_fn, "contents": contents_fn,
                     "schedules": schedules_fn, "webhooks": webhooks_fn}  # fmt: skip
        integrations: dict[str, apigw.LambdaIntegration] = {}
        for path, methods in ROUTES.items():
            resource = self.rest_api.root.resource_for_path(path)
            params = {f"method.request.path.{p[1:-1]}": True for p in path.split("/") if p.startswith("{")}
            for verb, name in methods.items():
                fn = functions[name]
                integration = integrations.setdefault(fn.node.path, apigw.LambdaIntegration(fn))
                resource.add_method(verb, integration, request_validator=validator, request_parameters=params or None)
