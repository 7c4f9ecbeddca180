"""cdk-nag AwsSolutions checks on the stack, and every suppression with its reason.
tests/infra/test_nag.py fails on any unsuppressed AwsSolutions error."""

import aws_cdk as cdk
from cdk_nag import AwsSolutionsChecks, NagPackSuppression, NagSuppressions


def apply_nag(stack: cdk.Stack) -> None:
    cdk.Aspects.of(stack).add(AwsSolutionsChecks(verbose=True))
    NagSuppressions.add_stack_suppressions(
        stack,
        [
            NagPackSuppression(
                id="AwsSolutions-IAM4",
                reason="AWSLambdaBasicExecutionRole only allows writing CloudWatch Logs; "
                "AmazonAPIGatewayPushToCloudWatchLogs is the role API Gateway requires for access logs.",
                applies_to=[
                    "Policy::arn:<AWS::Partition>:iam::aws:policy/service-role/AWSLambdaBasicExecutionRole",
                    "Policy::arn:<AWS::Partition>:iam::aws:policy/service-role/AmazonAPIGatewayPushToCloudWatchLogs",
                ],
            ),
            NagPackSuppression(
                id="AwsSolutions-IAM5",
                reason="Resource '*' is required by X-Ray (PutTraceSegments/PutTelemetryRecords) and by "
                "CloudWatch Logs vended delivery for Step Functions; '/index/*' is the tables' own GSIs; "
                "'<fn>.Arn:*' is the versions of the two functions the state machine invokes; the S3 "
                "read actions are CDK's grantRead on the one article bucket; 'schedule/default/publish-*' is "
                "the one-time publish schedules, named per content, and 'schedule/default/batch-*' the operator's "
                "batch schedules, created at run time; 'execution:<state machine>:*' lets the tasks API stop "
                "its own state machine's executions (cancel); s3:Abort* is CDK's grantPut (multipart "
                "uploads) on the article bucket; Bedrock models and inference profiles are chosen by "
                "BEDROCK_MODEL_ID at run time.",
                applies_to=[
                    "Resource::*",
                    {"regex": "/^Resource::<(Storage|Webhooks)[A-Za-z0-9]+\\.Arn>/index/\\*$/g"},
                    {"regex": "/^Resource::<(OrchestrationFunctions|Scheduling)[A-Za-z0-9]+\\.Arn>:\\*$/g"},
                    {"regex": "/^Resource::<StorageArticles[A-Za-z0-9]+\\.Arn>/\\*$/g"},
                    "Resource::arn:<AWS::Partition>:scheduler:<AWS::Region>:<AWS::AccountId>:schedule/default/publish-*",
                    "Resource::arn:<AWS::Partition>:scheduler:<AWS::Region>:<AWS::AccountId>:schedule/default/batch-*",
                    {
                        "regex": "/^Resource::arn:<AWS::Partition>:states:<AWS::Region>:<AWS::AccountId>:"
                        "execution:.*OrchestrationTaskMachine.*:\\*$/g"
                    },
                    "Action::s3:Abort*",
                    "Resource::arn:aws:bedrock:<AWS::Region>::foundation-model/*",
                    "Resource::arn:aws:bedrock:<AWS::Region>:<AWS::AccountId>:inference-profile/*",
                    "Action::s3:GetObject*",
                    "Action::s3:GetBucket*",
                    "Action::s3:List*",
                ],
            ),
            NagPackSuppression(
                id="AwsSolutions-L1",
                reason="Python 3.13 is a current Lambda runtime, and the newest the local stack can run the "
                "functions on (the machines have 3.11-3.13; the functions run locally on the runtime's own "
                "minor version, so a green local run predicts the deployed one). Move to 3.14 with the machines.",
            ),
            NagPackSuppression(
                id="AwsSolutions-SMG4",
                reason="The webhook signing secret is shared with receivers, so it is rotated by the "
                "operator (both keys are signed with during a rotation), not by a rotation Lambda.",
            ),
            NagPackSuppression(
                id="AwsSolutions-ECS2",
                reason="The runner's environment holds only non-secret configuration (settings, table, "
                "queue and bucket names); secrets are read from Secrets Manager at run time.",
            ),
            NagPackSuppression(
                id="AwsSolutions-COG4",
                reason="The API uses IAM (SigV4) authorization: its callers are operators and services "
                "with AWS credentials, not end users of a Cognito user pool.",
            ),
            NagPackSuppression(
                id="AwsSolutions-APIG3",
                reason="IAM-authorized, throttled operator API; a WAF web ACL is an account-level choice "
                "left to the deployer.",
            ),
        ],
    )
