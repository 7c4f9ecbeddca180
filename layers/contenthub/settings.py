"""One typed settings model for every function, the runner and the local stack.

The names of the old system (seed/README.md) keep their meaning and defaults, and each default
lives here only: the CDK stack reads them from this model (`deployed_defaults`). Resource names
(tables, queues, bucket, state machine, …) come from the environment the stack sets from
contenthub/resources.py; `load_settings(principal)` refuses to start a function whose resources
are missing, naming them. Logic never reads os.environ: it receives a Settings instance.
"""

from __future__ import annotations

import os
import re
from collections.abc import Callable
from functools import lru_cache
from typing import Any, Literal, TypeVar

from pydantic import BaseModel, ConfigDict, Field, PrivateAttr, field_validator

from contenthub.errors import ConfigurationError
from contenthub.resources import RESOURCES, Principal, Resource, used_by
from contenthub.states import CreatorKind, CreatorMode


class Settings(BaseModel):
    """Each field from the keyword of that name, else the environment variable of that name
    (exact case), else its default. (A plain model reading os.environ: pydantic-settings did the
    same and cost about 45 ms of every cold start, docs/decisions.md.)"""

    model_config = ConfigDict(extra="ignore", validate_default=True)

    def __init__(self, **values: Any) -> None:
        environment = {name: os.environ[name] for name in type(self).model_fields if name in os.environ}
        super().__init__(**{**environment, **values})

    # --- behaviour, from the old system's report -------------------------------------------
    ASYNC_CONTENT_GENERATION_ENABLED: bool = True
    ASYNC_MAX_CONCURRENT_TASKS: int = Field(5, ge=1)
    ASYNC_TASK_TIMEOUT: int = Field(1800, ge=1, description="seconds before a job counts as timed out")
    ASYNC_POLL_INTERVAL: int = Field(30, ge=1, description="seconds between status polls")
    ASYNC_FIRST_WAIT: int = Field(30, ge=1, description="seconds before the first poll, until there is history")
    ASYNC_FIRST_WAIT_MAX: int = Field(
        0, ge=0, description="upper bound of the learned first wait (0: only the task timeout bounds it)"
    )
    ASYNC_AUTO_APPROVE: bool = True
    ASYNC_WORKER_COUNT: int = Field(5, ge=1)
    CREATOR_CLI_PATH: str | None = None
    CREATOR_MODE: CreatorMode = CreatorMode.ASYNC
    CREATOR_KIND: CreatorKind = CreatorKind.OFFLINE
    CREATOR_MAX_OUTPUT_BYTES: int = Field(1_000_000, ge=1000, description="larger creator output fails the job")
    CREATOR_KILL_GRACE_SECONDS: float = Field(3.0, ge=0, description="SIGTERM → SIGKILL grace on cancel")
    CREATOR_TIMEOUT_SECONDS: float = Field(600.0, gt=0, description="one creator CLI call / HTTP request")
    # The creator program's environment: PATH, HOME, LANG, LC_*, TZ, TMPDIR and these names
    # (comma-separated); never AWS_* (the runner's credentials), which is refused here.
    CREATOR_ENV_ALLOW: str = Field("", description="more variable names the creator program gets")
    # `equals`: --topic=VALUE (a value can never read as an option). `separate`: the old
    # --topic VALUE form, for programs that need it; deprecated, removed in the next release.
    CREATOR_ARG_STYLE: Literal["equals", "separate"] = "equals"
    # An account's defaults for the brief when it sets none.
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
    # Seconds to wait after each failed attempt (Standard Webhooks' schedule); then the delivery is dead.
    WEBHOOK_RETRY_SCHEDULE: str = "5,300,1800,7200,18000,36000,36000"
    # Local stack only: allow http and loopback/private targets so tests can run a real receiver.
    WEBHOOK_ALLOW_PRIVATE_TARGETS: bool = False
    # REDIS_ENABLED / REDIS_URL: answered by SQS; accepted and ignored so old configs load.
    REDIS_ENABLED: bool = False
    REDIS_URL: str | None = None
    # Firings of one schedule are at least this far apart; a cron expression firing more often is refused.
    SCHEDULE_MIN_INTERVAL_MINUTES: int = Field(15, ge=1)
    # The sweeper queues again a task pending this long with no execution (its intake message was
    # lost), at most SWEEP_MAX_REQUEUES times, then fails it with the reason.
    SWEEP_PENDING_AFTER_SECONDS: int = Field(900, ge=60)
    SWEEP_MAX_REQUEUES: int = Field(2, ge=0)
    # How long an Idempotency-Key is remembered.
    IDEMPOTENCY_TTL_SECONDS: int = Field(86400, ge=60)
    # A runner writes a heartbeat this often; three missed periods count as a dead runner.
    RUNNER_HEARTBEAT_SECONDS: int = Field(10, ge=1)
    # On SIGTERM (ECS scale-in) a runner lets running jobs finish this long, then hands the rest back.
    RUNNER_SHUTDOWN_GRACE_SECONDS: float = Field(25.0, ge=0)
    # Items of finished tasks expire after this many days (DynamoDB TTL).
    TASK_RETENTION_DAYS: int = Field(90, ge=1)

    # The resources' names and URLs, by environment name (contenthub/resources.py).
    _resources: dict[str, str] = PrivateAttr(default_factory=dict)

    def model_post_init(self, __context: object) -> None:
        self._resources = {r.env: os.environ[r.env] for r in RESOURCES if os.environ.get(r.env)}

    @field_validator("CREATOR_ENV_ALLOW")
    @classmethod
    def _no_aws_names(cls, value: str) -> str:
        for name in (part.strip() for part in value.split(",") if part.strip()):
            if not re.fullmatch(r"[A-Za-z_][A-Za-z0-9_]*", name):
                raise ValueError(f"{name!r} is not an environment variable name")
            if name.upper().startswith("AWS_"):
                raise ValueError(f"{name} cannot be passed to the creator program (AWS_* never is)")
        return value

    @property
    def creator_env_allow(self) -> list[str]:
        return [part.strip() for part in self.CREATOR_ENV_ALLOW.split(",") if part.strip()]

    @property
    def webhook_retry_delays(self) -> list[int]:
        return [int(part) for part in self.WEBHOOK_RETRY_SCHEDULE.split(",") if part.strip()]

    def resource(self, resource: Resource) -> str:
        """A resource's name, URL or ARN, or a clear error naming what is missing."""
        value = self._resources.get(resource.env)
        if not value:
            raise ConfigurationError(
                f"setting {resource.env} is not set; the stack sets it for the functions that use it "
                "(contenthub/resources.py)"
            )
        return value

    def optional(self, resource: Resource) -> str | None:
        """A resource that this caller can do without (None when it is not set)."""
        return self._resources.get(resource.env) or None

    def has(self, resource: Resource) -> bool:
        return bool(self._resources.get(resource.env))


# The settings the stack passes to every function and the runner; CDK context overrides each
# (`cdk synth -c ASYNC_POLL_INTERVAL=10`), the default is the model's.
DEPLOYED = (
    "ASYNC_CONTENT_GENERATION_ENABLED", "ASYNC_MAX_CONCURRENT_TASKS", "ASYNC_TASK_TIMEOUT", "ASYNC_POLL_INTERVAL",
    "ASYNC_FIRST_WAIT", "ASYNC_FIRST_WAIT_MAX", "ASYNC_AUTO_APPROVE", "ASYNC_WORKER_COUNT", "CREATOR_KIND",
    "CREATOR_MODE", "CREATOR_CLI_PATH", "OPENAI_BASE_URL", "OPENAI_MODEL", "OPENAI_API_KEY_SECRET_ID",
    "BEDROCK_MODEL_ID", "TASK_RETENTION_DAYS", "RUNNER_HEARTBEAT_SECONDS", "WEBHOOK_ENABLED", "WEBHOOK_URL",
    "WEBHOOK_TIMEOUT", "WEBHOOK_RETRY_SCHEDULE", "WEBHOOK_ALLOW_PRIVATE_TARGETS", "SCHEDULE_MIN_INTERVAL_MINUTES",
    "SWEEP_PENDING_AFTER_SECONDS", "SWEEP_MAX_REQUEUES", "CREATOR_ENV_ALLOW", "CREATOR_ARG_STYLE",
)  # fmt: skip


def deployed_defaults() -> dict[str, str]:
    """DEPLOYED with their defaults, as environment variable strings."""
    values: dict[str, str] = {}
    for name in DEPLOYED:
        default = Settings.model_fields[name].default
        values[name] = "" if default is None else str(default).lower() if isinstance(default, bool) else str(default)
    return values


@lru_cache(maxsize=1)
def get_settings() -> Settings:
    return Settings()


T = TypeVar("T")
_factories: list[Any] = [get_settings]


def per_process(build: Callable[[Settings], T]) -> Callable[[], T]:
    """A factory (a repository, a client) built once per process from the settings, as a warm
    Lambda keeps it between invocations."""
    factory = lru_cache(maxsize=1)(lambda: build(get_settings()))
    _factories.append(factory)
    return factory


def forget_cached() -> None:
    """Forget the settings and everything built from them (tests that change the environment)."""
    for factory in _factories:
        factory.cache_clear()


def load_settings(principal: Principal) -> Settings:
    """The settings of one function (or the runner), checked at cold start: a resource it uses
    that is not set fails the init with its name, not a later call."""
    settings = get_settings()
    missing = [resource.env for resource in used_by(principal) if not settings.has(resource)]
    if missing:
        raise ConfigurationError(
            f"{principal.value} cannot start: {', '.join(missing)} not set (the stack sets them from "
            "contenthub/resources.py)"
        )
    return settings
