"""Webhooks: the deliveries table, the delivery queue (+DLQ), the signing secret, the delivery
function (a queue consumer) and the deliveries API function."""

from aws_cdk import Aws, Duration, Fn, RemovalPolicy
from aws_cdk import aws_dynamodb as dynamodb
from aws_cdk import aws_lambda_event_sources as event_sources
from aws_cdk import aws_secretsmanager as secretsmanager
from constructs import Construct

from contenthub import resources as r
from contenthub.resources import Principal
from infra.components.alerts import Alerts
from infra.components.lambdas import Lambdas
from infra.components.messaging import queue_pair
from infra.components.storage import table
from infra.wiring import Wiring

BATCH_SIZE = 5


def deliver_timeout(webhook_timeout: int) -> int:
    """Seconds: a whole batch of deliveries, each up to WEBHOOK_TIMEOUT plus overhead."""
    return BATCH_SIZE * (webhook_timeout + 5) + 10


class Webhooks(Construct):
    def __init__(
        self, scope: Construct, construct_id: str, *, lambdas: Lambdas, wiring: Wiring, alerts: Alerts,
        stack_name: str, webhook_timeout: int, max_receive: int, oldest_pending_seconds: int,
    ) -> None:  # fmt: skip
        super().__init__(scope, construct_id)
        self.deliveries = table(self, "Deliveries", "delivery_id", ttl="expires_at")
        self.deliveries.add_global_secondary_index(
            index_name="by_status",
            partition_key=dynamodb.Attribute(name="status", type=dynamodb.AttributeType.STRING),
            sort_key=dynamodb.Attribute(name="created_at", type=dynamodb.AttributeType.STRING),
        )
        timeout = deliver_timeout(webhook_timeout)
        # AWS's advice for an SQS event source: visibility ≥ 6 × the function's timeout.
        self.queue, self.dlq = queue_pair(
            self, "Webhooks", Duration.seconds(6 * timeout), max_receive, alerts, oldest_pending_seconds
        )
        # Standard Webhooks secret: whsec_ + base64 key material (32 alphanumerics are valid base64).
        # To rotate, store {"keys": ["whsec_new", "whsec_old"]}: deliveries are signed with both.
        # Named after the stack and the stack's own id, so a deploy after `cdk destroy` (which keeps
        # the old secret) creates a new one instead of failing on the name.
        stack_uuid = Fn.select(2, Fn.split("/", Aws.STACK_ID))
        self.secret_name = Fn.join(
            "", [f"{stack_name}/webhook-signing-secret-", Fn.select(0, Fn.split("-", stack_uuid))]
        )
        secretsmanager.Secret(
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
        # Referenced by name: grants then name `…:secret:<name>-??????` (same access; and moto's
        # CloudFormation, which skips Secret resources, can still resolve the policy).
        by_name = secretsmanager.Secret.from_secret_name_v2(self, "SigningSecretByName", self.secret_name)

        self.deliver = lambdas.function(
            self, Principal.WEBHOOK_DELIVER, "Delivers signed webhooks with retries", Duration.seconds(timeout)
        )
        self.deliver.add_event_source(
            event_sources.SqsEventSource(self.queue, batch_size=BATCH_SIZE, report_batch_item_failures=True)
        )
        self.api = lambdas.function(
            self, Principal.WEBHOOK_API, "Webhook deliveries API: list, redeliver", Duration.seconds(10)
        )
        wiring.use(Principal.WEBHOOK_DELIVER, self.deliver)
        wiring.use(Principal.WEBHOOK_API, self.api)
        wiring.provide(r.WEBHOOKS_TABLE, self.deliveries, self.deliveries.table_name)
        wiring.provide(r.WEBHOOK_QUEUE_URL, self.queue, self.queue.queue_url)
        wiring.provide(r.WEBHOOK_DLQ_URL, self.dlq, self.dlq.queue_url)
        wiring.provide(r.WEBHOOK_SECRET_ID, by_name, self.secret_name)
