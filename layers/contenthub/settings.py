"""One typed settings model for every function, the runner and the local stack.

The names of the old system (seed/README.md) keep their meaning and defaults. Resource names
(tables, queues, bucket, state machine) are injected by the CDK stack as environment variables.
Logic never reads os.environ: it receives a Settings instance (or calls get_settings()).
"""

from __future__ import annotations

from functools import lru_cache

from pydantic import Field
from pydantic_settings import BaseSettings, SettingsConfigDict

from contenthub.errors import ConfigurationError


class Settings(BaseSettings):
    model_config = SettingsConfigDict(case_sensitive=True, extra="ignore")

    # --- behaviour, from the old system's report -------------------------------------------
    ASYNC_CONTENT_GENERATION_ENABLED: bool = True
    ASYNC_MAX_CONCURRENT_TASKS: int = Field(5, ge=1)
    ASYNC_TASK_TIMEOUT: int = Field(1800, ge=1, description="seconds before a job counts as timed out")
    ASYNC_POLL_INTERVAL: int = Field(30, ge=1, description="seconds between status polls")
    ASYNC_FIRST_WAIT: int = Field(30, ge=1, description="seconds before the first poll, until there is history")
    ASYNC_FIRST_WAIT_MAX: int = Field(600, ge=1, description="upper bound of the learned first wait")
    ASYNC_AUTO_APPROVE: bool = True
    ASYNC_WORKER_COUNT: int = Field(5, ge=1)
    CREATOR_CLI_PATH: str | None = None
    CREATOR_MODE: str = "async"
    CREATOR_KIND: str = "offline"
    CREATOR_MAX_OUTPUT_BYTES: int = Field(1_000_000, ge=1000, description="larger creator output fails the job")
    CREATOR_KILL_GRACE_SECONDS: float = Field(3.0, ge=0, description="SIGTERM → SIGKILL grace on cancel")
    CREATOR_TIMEOUT_SECONDS: float = Field(600.0, gt=0, description="one creator CLI call / HTTP request")
    # Account defaults until accounts carry their own (issue #4).
    CREATOR_LANGUAGE: str = "auto"
    CREATOR_TONE: str = "informative"
    CREATOR_LENGTH: int = Field(800, ge=50, le=20000, description="target words")
    OPENAI_BASE_URL: str = "https://api.openai.com/v1"
    OPENAI_MODEL: str = "gpt-4o-mini"
    OPENAI_API_KEY: str | None = Field(None, description="local use only; in AWS the key is in Secrets Manager")
    OPENAI_API_KEY_SECRET_ID: str | None = None
    BEDROCK_MODEL_ID: str = "anthropic.claude-3-5-haiku-20241022-v1:0"
    BEDROCK_MAX_TOKENS: int = Field(2048, ge=1)
    BEDROCK_TEMPERATURE: float = Field(0.7, ge=0, le=1)
    OFFLINE_CREATOR_DURATION: float = Field(2.0, ge=0, description="seconds the offline creator takes")
    OFFLINE_CREATOR_FAIL_PATTERN: str = Field("", description="regex; matching topics fail (fault injection)")
    WEBHOOK_ENABLED: bool = False
    WEBHOOK_URL: str | None = None
    WEBHOOK_TIMEOUT: int = Field(10, ge=1, le=60)
    # The old WEBHOOK_SECRET_KEY lives in Secrets Manager, never in the environment: this names it.
    WEBHOOK_SECRET_ID: str | None = None
    # Seconds to wait after each failed attempt (Standard Webhooks' schedule); then the delivery is dead.
    WEBHOOK_RETRY_SCHEDULE: str = "5,300,1800,7200,18000,36000,36000"
    # Local stack only: allow http and loopback/private targets so tests can run a real receiver.
    WEBHOOK_ALLOW_PRIVATE_TARGETS: bool = False
    # REDIS_ENABLED / REDIS_URL: answered by SQS; accepted and ignored so old configs load.
    REDIS_ENABLED: bool = False
    REDIS_URL: str | None = None

    # --- resources, injected by the stack ---------------------------------------------------
    TASKS_TABLE: str | None = None
    CONTENTS_TABLE: str | None = None
    JOBS_TABLE: str | None = None
    COUNTERS_TABLE: str | None = None
    ARTICLES_BUCKET: str | None = None
    INTAKE_QUEUE_URL: str | None = None
    RUNNER_JOBS_QUEUE_URL: str | None = None
    STATE_MACHINE_ARN: str | None = None
    INTAKE_DLQ_URL: str | None = None
    RUNNER_JOBS_DLQ_URL: str | None = None
    WEBHOOK_DLQ_URL: str | None = None
    WEBHOOKS_TABLE: str | None = None
    EVENT_BUS_NAME: str | None = None
    EVENT_BUS_ARN: str | None = None
    PUBLISH_SCHEDULER_ROLE_ARN: str | None = None
    WEBHOOK_QUEUE_URL: str | None = None
    ACCOUNTS_TABLE: str | None = None
    SCHEDULES_TABLE: str | None = None
    IDEMPOTENCY_TABLE: str | None = None
    # The batch-submit function Scheduler invokes, and the role it invokes it with.
    BATCH_FUNCTION_ARN: str | None = None
    BATCH_SCHEDULER_ROLE_ARN: str | None = None
    # How long an Idempotency-Key is remembered.
    IDEMPOTENCY_TTL_SECONDS: int = Field(86400, ge=60)

    # A runner writes a heartbeat this often; three missed periods count as a dead runner.
    RUNNER_HEARTBEAT_SECONDS: int = Field(10, ge=1)
    # On SIGTERM (ECS scale-in) a runner lets running jobs finish this long, then hands the rest back.
    RUNNER_SHUTDOWN_GRACE_SECONDS: float = Field(25.0, ge=0)

    # Items of finished tasks expire after this many days (DynamoDB TTL).
    TASK_RETENTION_DAYS: int = Field(90, ge=1)

    @property
    def webhook_retry_delays(self) -> list[int]:
        return [int(part) for part in self.WEBHOOK_RETRY_SCHEDULE.split(",") if part.strip()]

    def require(self, name: str) -> str:
        """The value of a resource setting, or a clear error naming what is missing."""
        value = getattr(self, name)
        if not value:
            raise ConfigurationError(f"setting {name} is not set; the stack injects it as an environment variable")
        return str(value)


@lru_cache(maxsize=1)
def get_settings() -> Settings:
    return Settings()
