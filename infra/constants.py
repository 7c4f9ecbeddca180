"""Names and defaults of the CDK app, in one place."""

from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
BUILD_DIR = ROOT / ".build"
FUNCTIONS_DIR = ROOT / "functions"
SHARED_PACKAGE_DIR = ROOT / "layers" / "contenthub"

STACK_NAME = "ContentHub"
SERVICE = "contenthub"

# Third-party packages of the shared layer, for the Lambda runtime (boto3 comes with the runtime).
# Keep in step with pyproject.toml's [project.dependencies].
LAYER_REQUIREMENTS = [
    "aws-lambda-powertools[tracer]==3.37.0",
    "pydantic==2.14.4",
    "cronsim==2.8",  # schedule previews and validation (Unix cron semantics)
    "tzdata==2026.6",  # IANA timezones for schedules, independent of the runtime image
]
# The local stack substitutes its virtualenv for the layer with this description (wheels for
# another platform); see local/contenthub_local/lambda_adapter.py.
DEPS_LAYER_DESCRIPTION = "Third-party packages: Powertools, pydantic, cronsim, tzdata"
LAMBDA_PYTHON_VERSION = "3.13"  # Makefile LAMBDA_PYTHON and runner/Dockerfile use the same
LAMBDA_PLATFORM = "manylinux2014_aarch64"

# Behaviour settings (seed/README.md names) the stack passes to functions and the runner, with
# their defaults, are contenthub.settings.DEPLOYED; CDK context overrides each
# (`cdk synth -c ASYNC_POLL_INTERVAL=10`).
# Other context keys the app reads.
CONTEXT_INTAKE_VISIBILITY = "intake_visibility_timeout"  # seconds, default 60
CONTEXT_MAX_RECEIVE = "max_receive_count"  # deliveries before a message goes to its DLQ, default 5
CONTEXT_ALARM_EMAIL = "ALARM_EMAIL"  # an address subscribed to the alarm topic (it must confirm), default none
CONTEXT_ALARM_FAILURE_RATE = "ALARM_FAILURE_RATE_PERCENT"  # % of finished tasks failed/timed out in 5 min, default 20
CONTEXT_ALARM_OLDEST_PENDING = "ALARM_OLDEST_PENDING_SECONDS"  # age of the oldest queued message, default 900
CONTEXT_COMPLETION_MODE = "COMPLETION_MODE"  # poll (default) or callback (.waitForTaskToken)
# callback mode: seconds without a runner heartbeat before the task fails; covers the queue wait
# behind the global cap too (nothing heartbeats a job still in the queue), default 600
CONTEXT_CALLBACK_HEARTBEAT = "CALLBACK_HEARTBEAT_SECONDS"
# Set by the local stack's synth (local/contenthub_local/synth.py) and by nothing else: the only
# synth allowed to set WEBHOOK_ALLOW_PRIVATE_TARGETS=true (which turns the webhook SSRF guard off).
CONTEXT_LOCAL_STACK = "LOCAL_STACK"
