"""The shared data: tasks, contents, jobs, counters, accounts and idempotency tables, and the
article bucket."""

from aws_cdk import Duration, RemovalPolicy
from aws_cdk import aws_dynamodb as dynamodb
from aws_cdk import aws_s3 as s3
from constructs import Construct

from contenthub import resources as r
from infra.wiring import Wiring


def table(
    scope: Construct, name: str, key: str, ttl: str | None = None,
    key_type: dynamodb.AttributeType = dynamodb.AttributeType.STRING,
) -> dynamodb.Table:  # fmt: skip
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


def by_time(
    table_: dynamodb.Table, index: str, key: str, key_type: dynamodb.AttributeType, include: list[str] | None = None
) -> None:
    """A GSI on `key`, newest-first by `created_at` (every list of the API reads one of these).
    `include`: project only the keys and these attributes (the list then reads the items)."""
    projection = {"projection_type": dynamodb.ProjectionType.INCLUDE, "non_key_attributes": include} if include else {}
    table_.add_global_secondary_index(
        index_name=index,
        partition_key=dynamodb.Attribute(name=key, type=key_type),
        sort_key=dynamodb.Attribute(name="created_at", type=dynamodb.AttributeType.STRING),
        **projection,  # type: ignore[arg-type]
    )


class Storage(Construct):
    def __init__(self, scope: Construct, construct_id: str, *, wiring: Wiring) -> None:
        super().__init__(scope, construct_id)
        text, number = dynamodb.AttributeType.STRING, dynamodb.AttributeType.NUMBER
        # Tasks: by id; by status and time (operator lists: pending, failed, recent); by account and
        # time; all tasks by month (lists without a filter, one month partition after another).
        # The by_status and by_month partitions are shared by every account (one per status, one per
        # month), so they project only their keys and account_id (a filter): a task's progress and
        # other writes then leave them alone, and only creation and status changes write them.
        self.tasks = table(self, "Tasks", "task_id", ttl="expires_at")
        by_time(self.tasks, "by_status", "status", text, include=["account_id"])
        by_time(self.tasks, "by_account", "account_id", number)
        by_time(self.tasks, "by_month", "created_month", text, include=["account_id"])
        # Contents: by id; by account, review status and month (newest first); by the producing task.
        self.contents = table(self, "Contents", "content_id")
        by_time(self.contents, "by_account", "account_id", number)
        by_time(self.contents, "by_status", "status", text)
        by_time(self.contents, "by_month", "created_month", text)
        self.contents.add_global_secondary_index(
            index_name="by_task", partition_key=dynamodb.Attribute(name="generation_task_id", type=text)
        )
        self.jobs = table(self, "Jobs", "job_id", ttl="expires_at")
        self.counters = table(self, "Counters", "name")
        self.accounts = table(self, "Accounts", "account_id", key_type=number)
        # Idempotency-Key records (Powertools idempotency: key `id`, TTL `expiration`).
        self.idempotency = table(self, "Idempotency", "id", ttl="expiration")

        private = {"encryption": s3.BucketEncryption.S3_MANAGED, "block_public_access": s3.BlockPublicAccess.BLOCK_ALL,
                   "enforce_ssl": True}  # fmt: skip
        self.access_logs = s3.Bucket(
            self, "AccessLogs", object_ownership=s3.ObjectOwnership.BUCKET_OWNER_PREFERRED,
            lifecycle_rules=[s3.LifecycleRule(expiration=Duration.days(90))], **private,  # type: ignore[arg-type]
        )  # fmt: skip
        self.articles = s3.Bucket(
            self, "Articles", versioned=True, server_access_logs_bucket=self.access_logs,
            server_access_logs_prefix="articles/", removal_policy=RemovalPolicy.RETAIN, **private,  # type: ignore[arg-type]
        )  # fmt: skip
        tables = {r.TASKS_TABLE: self.tasks, r.CONTENTS_TABLE: self.contents, r.JOBS_TABLE: self.jobs,
                  r.COUNTERS_TABLE: self.counters, r.ACCOUNTS_TABLE: self.accounts,
                  r.IDEMPOTENCY_TABLE: self.idempotency}  # fmt: skip
        for resource, created in tables.items():
            wiring.provide(resource, created, created.table_name)
        wiring.provide(r.ARTICLES_BUCKET, self.articles, self.articles.bucket_name)
