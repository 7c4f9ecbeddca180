"""Webhook delivery: the deliveries table, the delivery queue (+DLQ) and the signing secret.
The two functions (deliver, api) are created in Functions and wired in the stack."""

from aws_cdk import Duration, RemovalPolicy
from aws_cdk import aws_dynamodb as dynamodb
from aws_cdk import aws_secretsmanager as secretsmanager
from constructs import Construct

from infra.constructs.messaging import queue_pair
from infra.constructs.storage import table


class Webhooks(Construct):
    def __init__(
        self, scope: Construct, construct_id: str, *, stack_name: str, visibility: int, max_receive: int
    ) -> None:
        super().__init__(scope, construct_id)
        self.deliveries = table(self, "Deliveries", "delivery_id", ttl="expires_at")
        self.deliveries.add_global_secondary_index(
            index_name="by_status",
            partition_key=dynamodb.Attribute(name="status", type=dynamodb.AttributeType.STRING),
            sort_key=dynamodb.Attribute(name="created_at", type=dynamodb.AttributeType.STRING),
        )
        self.queue, self.dlq = queue_pair(self, "Queue", Duration.seconds(visibility), max_receive)
        # Standard Webhooks secret: whsec_ + base64 key material (32 alphanumerics are valid base64).
        # To rotate, store {"keys": ["whsec_new", "whsec_old"]}: deliveries are signed with both.
        # A literal name (CDK's secret_name attribute is a token parsed from the ARN).
        self.secret_name = f"{stack_name}/webhook-signing-secret"
        self.secret = secretsmanager.Secret(
            self,
            "SigningSecret",
            secret_name=self.secret_name,
            description="Standard Webhooks signing secret (WEBHOOK_SECRET_KEY of the old system)",
            generate_secret_string=secretsmanager.SecretStringGenerator(
                secret_string_template='{"prefix": "whsec_"}',
                generate_string_key="key",
                exclude_punctuation=True,
                include_space=False,
                password_length=32,
            ),
            removal_policy=RemovalPolicy.RETAIN,
        )

    def readable_secret(self, scope: Construct) -> secretsmanager.ISecret:
        """The secret referenced by name: grants then name `…:secret:<name>-??????` instead of
        referencing the resource (same access; and moto's CloudFormation, which skips Secret
        resources, can still resolve the policy)."""
        return secretsmanager.Secret.from_secret_name_v2(scope, "SigningSecretByName", self.secret_name)
