"""Tables (tasks, contents, jobs, counters) and the article bucket."""

from aws_cdk import Duration, RemovalPolicy
from aws_cdk import aws_dynamodb as dynamodb
from aws_cdk import aws_s3 as s3
from constructs import Construct


def table(
    scope: Construct,
    name: str,
    key: str,
    ttl: str | None = None,
    key_type: dynamodb.AttributeType = dynamodb.AttributeType.STRING,
) -> dynamodb.Table:
    return dynamodb.Table(
        scope,
        name,
        partition_key=dynamodb.Attribute(name=key, type=key_type),
        billing_mode=dynamodb.BillingMode.PAY_PER_REQUEST,
        encryption=dynamodb.TableEncryption.AWS_MANAGED,
        point_in_time_recovery_specification=dynamodb.PointInTimeRecoverySpecification(
            point_in_time_recovery_enabled=True
        ),
        time_to_live_attribute=ttl,
        removal_policy=RemovalPolicy.RETAIN,
    )


def by_time(table_: dynamodb.Table, index: str, key: str, key_type: dynamodb.AttributeType) -> None:
    """A GSI on `key`, newest-first by `created_at` (every list of the API reads one of these)."""
    table_.add_global_secondary_index(
        index_name=index,
        partition_key=dynamodb.Attribute(name=key, type=key_type),
        sort_key=dynamodb.Attribute(name="created_at", type=dynamodb.AttributeType.STRING),
    )


class Storage(Construct):
    def __init__(self, scope: Construct, construct_id: str) -> None:
        super().__init__(scope, construct_id)
        # Tasks: by id; by status and time (operator lists: pending, failed, recent); by account and time.
        self.tasks = table(self, "Tasks", "task_id", ttl="expires_at")
        by_time(self.tasks, "by_status", "status", dynamodb.AttributeType.STRING)
        by_time(self.tasks, "by_account", "account_id", dynamodb.AttributeType.NUMBER)
        # All tasks by month and time: lists without a status or account filter (a month partition
        # after another, newest first) — the "recent" view, never a scan.
        by_time(self.tasks, "by_month", "created_month", dynamodb.AttributeType.STRING)
        # Contents: by id; by account and time; by the task that produced it; by review status; by month.
        self.contents = table(self, "Contents", "content_id")
        by_time(self.contents, "by_account", "account_id", dynamodb.AttributeType.NUMBER)
        by_time(self.contents, "by_status", "status", dynamodb.AttributeType.STRING)
        by_time(self.contents, "by_month", "created_month", dynamodb.AttributeType.STRING)
        self.contents.add_global_secondary_index(
            index_name="by_task",
            partition_key=dynamodb.Attribute(name="generation_task_id", type=dynamodb.AttributeType.STRING),
        )
        # Runner status rows (progress, heartbeat, result pointer), one per job.
        self.jobs = table(self, "Jobs", "job_id", ttl="expires_at")
        # O(1) counters behind /metrics: totals and per-day values.
        self.counters = table(self, "Counters", "name")
        # Accounts (defaults, topic pool, webhook, daily quota and its per-day usage).
        self.accounts = table(self, "Accounts", "account_id", key_type=dynamodb.AttributeType.NUMBER)
        # Batch schedules: our record of each EventBridge Scheduler schedule (name, Unix cron, params).
        self.schedules = table(self, "Schedules", "schedule_id")
        # Idempotency-Key records (Powertools idempotency: key `id`, TTL `expiration`).
        self.idempotency = table(self, "Idempotency", "id", ttl="expiration")

        self.access_logs = s3.Bucket(
            self,
            "AccessLogs",
            encryption=s3.BucketEncryption.S3_MANAGED,
            block_public_access=s3.BlockPublicAccess.BLOCK_ALL,
            enforce_ssl=True,
            object_ownership=s3.ObjectOwnership.BUCKET_OWNER_PREFERRED,
            lifecycle_rules=[s3.LifecycleRule(expiration=Duration.days(90))],
        )
        self.articles = s3.Bucket(
            self,
            "Articles",
            encryption=s3.BucketEncryption.S3_MANAGED,
            block_public_access=s3.BlockPublicAccess.BLOCK_ALL,
            enforce_ssl=True,
            versioned=True,
            server_access_logs_bucket=self.access_logs,
            server_access_logs_prefix="articles/",
            removal_policy=RemovalPolicy.RETAIN,
        )
