"""The cost model of `make bench`: AWS prices (us-east-1) and the requests each step of a task
makes, read from the code. Counts that depend on the run (state transitions, polls, in-machine
Lambda calls) come from real execution histories; the rest is per invocation, below."""

from __future__ import annotations

from typing import Any

# us-east-1 list prices, as published on aws.amazon.com/<service>/pricing (looked up 2026-11-28).
PRICES = {
    "sfn_transition": 0.025 / 1000,  # Step Functions Standard, per state transition
    "lambda_request": 0.20 / 1_000_000,  # per invocation
    "lambda_gb_second_arm": 0.0000133334,  # per GB-second, arm64, first tier
    "ddb_write_unit": 0.625 / 1_000_000,  # on-demand WRU (after the November 2024 price cut)
    "ddb_read_unit": 0.125 / 1_000_000,  # on-demand RRU
    "sqs_request": 0.40 / 1_000_000,  # standard queue, per 64 KB request chunk
    "apigw_request": 3.50 / 1_000_000,  # API Gateway REST API, first 333 million a month
    "logs_ingest_gb": 0.50,  # CloudWatch Logs ingestion (standard class), per GB
    "s3_put": 0.005 / 1000,  # S3 Standard PUT/COPY/POST/LIST, per request
    "s3_get": 0.0004 / 1000,  # S3 Standard GET, per request
    "fargate_vcpu_hour_arm": 0.03238,  # Fargate Linux/ARM, per vCPU-hour
    "fargate_gb_hour_arm": 0.00356,  # Fargate Linux/ARM, per GB-hour
    # An example model: Anthropic Claude 3.5 Haiku on Bedrock, on-demand, per token.
    "model_input_token": 0.0008 / 1000,
    "model_output_token": 0.004 / 1000,
}
# The runner's task (infra/components/runner.py): 0.5 vCPU, 1 GB, ASYNC_WORKER_COUNT (5) jobs at
# once; a job holds a fifth of the task for its generation time (the runner mostly waits on the model).
RUNNER_VCPU, RUNNER_GB, RUNNER_SLOTS = 0.5, 1.0, 5
# Tokens of a typical article from a model creator, estimated from what the Bedrock and OpenAI
# creators send and ask for (typical_tokens): no model is reachable here, and the offline creator
# uses none. A deployment records the real counts (InputTokens/OutputTokens metrics per model and
# each article's metadata.usage); use those once there are some.
CHARACTERS_PER_TOKEN = 3.5  # English text, the usual rule of thumb for Claude and GPT tokenizers
TOKENS_PER_WORD = 1.3
# Log volume per task when no run measured it (bytes of JSON log lines, all functions and the runner).
ASSUMED_LOG_BYTES_PER_TASK = 6000
# Requests outside the table above: the API call that submits (status reads by clients are extra),
# the runner's result object put, HandleResult's get of it, and the article body put.
API_REQUESTS_PER_TASK = 1
S3_PER_TASK = {"put": 2, "get": 1}
MEMORY_GB = 0.5  # every function has 512 MB
# Billed duration per invocation (ms) of a function no orchestration run measured
# (bench.run.lambda_durations reads the functions' platform.report lines): an assumption, and the
# report says which figures are which.
ASSUMED_BILLED_MS = {"submit": 60, "dispatch": 60, "poll": 30, "handle_result": 150}

# Work per invocation outside the state machine, from the code (strongly consistent reads of items
# ≤ 4 KB = 1 RRU; a write ≤ 1 KB = 1 WRU; transactional writes cost twice).
PER_TASK_FIXED = {
    # submit: TransactWriteItems(task put, account quota update, 2 counters) + SendMessage
    "submit": {"ddb_read": 0, "ddb_write": 2 * 4, "sqs": 1},
    # dispatch (one per task at worst; batches of up to 10 share one): task, first-wait samples
    # (10 shard items, eventually consistent), account; the event source's ReceiveMessage + DeleteMessage
    "dispatch": {"ddb_read": 1 + 10 * 0.5 + 1, "ddb_write": 0, "sqs": 2},
    # handle_result (store): task get, TransactWriteItems(content ~3 KB, task, 2 counters), job get,
    # generation-time sample get + put, webhook target (task, account), content for publishing
    "handle_result": {"ddb_read": 1 + 1 + 1 + 2 + 1, "ddb_write": 2 * (3 + 1 + 2) + 1, "sqs": 0},
    # the runner: receive + delete the job; job start, 4 progress updates, succeed; slot acquire +
    # release; article put to S3 (not priced here)
    "runner": {"ddb_read": 0, "ddb_write": 1 + 4 + 1 + 2, "sqs": 2},
}
PER_POLL = {"ddb_read": 1, "ddb_write": 1, "sqs": 0}  # job status get, task progress update
PER_HEARTBEAT_SECONDS = 10  # runner: job heartbeat + slot renewal every RUNNER_HEARTBEAT_SECONDS
CALLBACK_EXTRA = {"ddb_read": 0, "ddb_write": 4, "sqs": 0}  # the runner writes task progress itself


def typical_tokens() -> dict[str, int]:
    """Input: the model creators' system prompt and brief for a typical job (two keywords, the
    default style); output: the JSON answer around an article of the default length."""
    from contenthub.models import JobRequest
    from contenthub.settings import Settings
    from contenthub_runner.creators import Brief
    from contenthub_runner.creators.openai import SYSTEM

    settings = Settings()
    job = JobRequest(job_id="job-typical", task_id="task-000000000000", attempt=1, account_id=49,
                     topic="What changes when AI writes the first draft", keywords=["AI", "editing"])  # fmt: skip
    prompt = SYSTEM + Brief.of(job, settings).prompt()
    summary_and_tags = 80  # words: a two-sentence summary, a title and a few tags
    return {
        "input": round(len(prompt) / CHARACTERS_PER_TOKEN),
        "output": round((settings.CREATOR_LENGTH + summary_and_tags) * TOKENS_PER_WORD),
    }


def per_thousand(
    row: dict[str, Any], log_bytes_per_task: float | None = None, billed_ms: dict[str, float] | None = None
) -> dict[str, Any]:
    """Requests and cost of 1,000 tasks like `row` (one measured execution): the orchestration
    (`total`, comparable between modes) and the whole cost of an article (`whole`): plus the API
    request, S3, CloudWatch Logs, the runner's Fargate time and the model's tokens. `billed_ms`:
    the measured mean billed duration per function (else ASSUMED_BILLED_MS)."""
    billed = {**ASSUMED_BILLED_MS, **(billed_ms or {})}
    tokens = typical_tokens()
    polls = row["polls"]
    generation_seconds = row["minutes"] * 60
    reads = sum(v["ddb_read"] for v in PER_TASK_FIXED.values()) + polls * PER_POLL["ddb_read"]
    writes = sum(v["ddb_write"] for v in PER_TASK_FIXED.values()) + polls * PER_POLL["ddb_write"]
    writes += 1  # MarkRunning (a DynamoDB service integration in the machine)
    writes += 2 * generation_seconds / PER_HEARTBEAT_SECONDS
    sqs = sum(v["sqs"] for v in PER_TASK_FIXED.values()) + 1  # + DispatchJob's SendMessage
    if row["callback"]:
        reads += CALLBACK_EXTRA["ddb_read"]
        writes += CALLBACK_EXTRA["ddb_write"]
    invocations = 2 + row["lambda_in_machine"]  # submit + dispatch + those in the machine (polls, results)
    gb_seconds = MEMORY_GB / 1000 * (billed["submit"] + billed["dispatch"] + billed["handle_result"]
                                     + polls * billed["poll"])  # fmt: skip
    cost = (
        row["transitions"] * PRICES["sfn_transition"]
        + invocations * PRICES["lambda_request"]
        + gb_seconds * PRICES["lambda_gb_second_arm"]
        + reads * PRICES["ddb_read_unit"]
        + writes * PRICES["ddb_write_unit"]
        + sqs * PRICES["sqs_request"]
    )
    log_bytes = ASSUMED_LOG_BYTES_PER_TASK if log_bytes_per_task is None else log_bytes_per_task
    runner_hours = generation_seconds / 3600 / RUNNER_SLOTS
    extras = {
        "api_gateway": API_REQUESTS_PER_TASK * PRICES["apigw_request"],
        "s3": S3_PER_TASK["put"] * PRICES["s3_put"] + S3_PER_TASK["get"] * PRICES["s3_get"],
        "logs": log_bytes / 1e9 * PRICES["logs_ingest_gb"],
        "fargate": runner_hours
        * (RUNNER_VCPU * PRICES["fargate_vcpu_hour_arm"] + RUNNER_GB * PRICES["fargate_gb_hour_arm"]),  # fmt: skip
        "model": tokens["input"] * PRICES["model_input_token"] + tokens["output"] * PRICES["model_output_token"],
    }
    return {
        **{f"{name}_per_1000": value * 1000 for name, value in extras.items()},
        "whole": (cost + sum(extras.values())) * 1000,
        "lambda_invocations": invocations,
        "ddb_read_units": reads * 1000,
        "ddb_write_units": writes * 1000,
        "sqs_requests": sqs * 1000,
        "total": cost * 1000,
        "step_functions": row["transitions"] * PRICES["sfn_transition"] * 1000,
    }


# What the stack costs a month with no task at all (us-east-1 list prices): the alarm topic's
# customer managed KMS key, the webhook signing secret, the dashboard (free within an account's
# first three), the template's 12 standard-resolution alarms. The runner service idles at zero
# tasks, the VPC has no NAT gateway and the tables are on-demand: nothing else is charged idle.
IDLE_MONTH = {
    "KMS key (alarm topic)": 1.00,
    "Secrets Manager secret (webhook signing)": 0.40,
    "CloudWatch dashboard": 3.00,
    "CloudWatch alarms (12 × $0.10)": 1.20,
}


def idle_month() -> float:
    return sum(IDLE_MONTH.values())


def describe(billed_ms: dict[str, float] | None = None) -> str:
    tokens = typical_tokens()
    measured = {name: ms for name, ms in (billed_ms or {}).items() if name in ASSUMED_BILLED_MS}
    assumed = {name: ms for name, ms in ASSUMED_BILLED_MS.items() if name not in measured}
    parts = []
    if measured:
        parts.append("Lambda durations are measured: a typical warm invocation's billed duration in the "
                     "orchestration runs' platform.report lines (" + ", ".join(f"{name} {ms:.0f} ms" for name, ms in
                     measured.items()) + ", at 512 MB; against moto on this machine, not DynamoDB; cold starts' "
                     "init, billed since August 2025, left out)")  # fmt: skip
    if assumed:
        parts.append("Lambda durations are assumed for " + ", ".join(f"{name} ({ms} ms)" for name, ms in
                     assumed.items()) + ": no run measured them")  # fmt: skip
    durations = "; ".join(parts)
    return (
        "Prices (us-east-1, published list prices, looked up 2026-11-28): Step Functions Standard $0.025 per "
        "1,000 state transitions; Lambda $0.20 per million requests and $0.0000133334 per GB-second (arm64); "
        "DynamoDB on-demand $0.625 per million write and $0.125 per million read request units; SQS $0.40 per "
        "million requests. The orchestration column leaves out what is the same in every mode; the whole "
        "cost adds API Gateway REST $3.50 per million requests, S3 $0.005 per 1,000 PUTs and $0.0004 per "
        "1,000 GETs, CloudWatch Logs ingestion $0.50 per GB (at the log volume below), the runner's Fargate "
        "time (Linux/ARM $0.03238 per vCPU-hour and $0.00356 per GB-hour; 0.5 vCPU and 1 GB shared by 5 "
        "jobs) and a model's tokens (example: Claude 3.5 Haiku on Bedrock, $0.0008 / $0.004 per 1,000 "
        f"input / output tokens, for {tokens['input']} in and {tokens['output']} out per article — estimated "
        "from the model creators' actual prompt at 3.5 characters a token and the default length of "
        "800 words at 1.3 tokens a word: no model is reachable here; a deployment records the real counts "
        "as InputTokens/OutputTokens metrics and in each article's metadata). Not included: free tiers, "
        f"data transfer, storage. {durations}; the table's Lambda column counts invocations per task."
    )
