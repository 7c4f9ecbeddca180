"""The REST API: IAM (SigV4) auth on every method, request validation, access logs, throttling."""

from aws_cdk import Duration, RemovalPolicy
from aws_cdk import aws_apigateway as apigw
from aws_cdk import aws_lambda as lambda_
from aws_cdk import aws_logs as logs
from constructs import Construct

from contenthub.resources import Principal
from infra.components.alerts import Alerts

# Every route of the API: resource path → {method: the function behind it}. Every method is
# IAM-authorized (the API's default) and validated. docs/openapi.json documents exactly these.
P = Principal
ROUTES: dict[str, dict[str, Principal]] = {
    "/tasks": {"GET": P.TASKS, "POST": P.SUBMIT},
    "/tasks/batch": {"POST": P.SUBMIT},
    "/tasks/stats": {"GET": P.TASKS},
    "/tasks/cleanup": {"POST": P.TASKS},
    "/tasks/{task_id}": {"GET": P.TASKS},
    "/tasks/{task_id}/cancel": {"POST": P.TASKS},
    "/tasks/{task_id}/retry": {"POST": P.TASKS},
    "/metrics": {"GET": P.METRICS},
    "/stats": {"GET": P.METRICS},
    "/health": {"GET": P.METRICS},
    "/accounts": {"GET": P.ACCOUNTS, "POST": P.ACCOUNTS},
    "/accounts/{account_id}": {"GET": P.ACCOUNTS, "PATCH": P.ACCOUNTS},
    "/contents": {"GET": P.CONTENTS},
    "/contents/{content_id}": {"GET": P.CONTENTS},
    "/contents/{content_id}/approve": {"POST": P.CONTENTS},
    "/contents/{content_id}/reject": {"POST": P.CONTENTS},
    "/schedules": {"GET": P.SCHEDULES, "POST": P.SCHEDULES},
    "/schedules/preview": {"GET": P.SCHEDULES},
    "/schedules/{schedule_id}": {"GET": P.SCHEDULES, "DELETE": P.SCHEDULES},
    "/schedules/{schedule_id}/pause": {"POST": P.SCHEDULES},
    "/schedules/{schedule_id}/resume": {"POST": P.SCHEDULES},
    "/schedules/{schedule_id}/run": {"POST": P.SCHEDULES},
    "/webhooks/deliveries": {"GET": P.WEBHOOK_API},
    "/webhooks/deliveries/{delivery_id}/redeliver": {"POST": P.WEBHOOK_API},
    "/webhooks/endpoints": {"GET": P.WEBHOOK_API},
    "/webhooks/endpoints/{endpoint_key}/enable": {"POST": P.WEBHOOK_API},
    "/tasks/{task_id}/history": {"GET": P.TASKS},
    "/controls": {"GET": P.CONTROLS, "PUT": P.CONTROLS},
    "/controls/history": {"GET": P.CONTROLS},
    "/dlq": {"GET": P.DEAD_LETTERS},
    "/dlq/{queue}/messages": {"GET": P.DEAD_LETTERS},
    "/dlq/{queue}/redrive": {"POST": P.DEAD_LETTERS},
    "/dlq/{queue}/fail": {"POST": P.DEAD_LETTERS},
}


class Api(Construct):
    def __init__(
        self,
        scope: Construct,
        construct_id: str,
        *,
        functions: dict[Principal, lambda_.IFunction],
        alerts: Alerts,
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
        integrations: dict[str, apigw.LambdaIntegration] = {}
        for path, methods in ROUTES.items():
            resource = self.rest_api.root.resource_for_path(path)
            params = {f"method.request.path.{p[1:-1]}": True for p in path.split("/") if p.startswith("{")}
            for verb, name in methods.items():
                fn = functions[name]
                integration = integrations.setdefault(fn.node.path, apigw.LambdaIntegration(fn))
                resource.add_method(verb, integration, request_validator=validator, request_parameters=params or None)
        minute = Duration.minutes(1)
        alerts.alarm(
            self, "Api5xx", self.rest_api.metric_server_error(period=Duration.minutes(5), statistic="Sum"), 5,
            "The API answered more than 5 server errors (5xx) in 5 minutes: a function fails or times out.",
        )  # fmt: skip
        alerts.alarm(
            self, "ApiLatency", self.rest_api.metric_latency(period=minute, statistic="p90"), 3000,
            "The API's p90 latency was over 3 s for 5 minutes.", periods=5,
        )  # fmt: skip
