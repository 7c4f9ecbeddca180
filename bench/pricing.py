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
}
MEMORY_GB = 0.5  # every function has 512 MB
# Assumed billed duration per invocation (ms), from the local stack's function logs' orders of magnitude.
BILLED_MS = {"submit": 60, "dispatch": 60, "poll": 30, "handle_result": 150}

# Work per invocation outside the state machine, from the code (strongly consistent reads of items
# ≤ 4 KB = 1 RRU; a write ≤ 1 KB = 1 WRU; transactional writes cost twice).
PER_TASK_FIXED = {
    # submit: TransactWriteItems(task put, account quota update, 2 counters) + SendMessage
    "submit": {"ddb_read": 0, "ddb_write": 2 * 4, "sqs": 1},
    # dispatch (one per task at worst; batches of up to 10 share one): task, first-wait samples,
    # account; the event source's ReceiveMessage + DeleteMessage
    "dispatch": {"ddb_read": 1 + 0.5 + 1, "ddb_write": 0, "sqs": 2},
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


def per_thousand(row: dict[str, Any]) -> dict[str, Any]:
    """Requests and cost of 1,000 tasks like `row` (one measured execution)."""
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
    gb_seconds = MEMORY_GB / 1000 * (BILLED_MS["submit"] + BILLED_MS["dispatch"] + BILLED_MS["handle_result"]
                                     + polls * BILLED_MS["poll"])  # fmt: skip
    cost = (
        row["transitions"] * PRICES["sfn_transition"]
        + invocations * PRICES["lambda_request"]
        + gb_seconds * PRICES["lambda_gb_second_arm"]
        + reads * PRICES["ddb_read_unit"]
        + writes * PRICES["ddb_write_unit"]
        + sqs * PRICES["sqs_request"]
    )
    return {
        "lambda_invocations": invocations,
        "ddb_read_units": reads * 1000,
        "ddb_write_units": writes * 1000,
        "sqs_requests": sqs * 1000,
        "total": cost * 1000,
        "step_functions": row["transitions"] * PRICES["sfn_transition"] * 1000,
    }


def describe() -> str:
    return (
        "Prices (us-east-1, published list prices, looked up 2026-11-28): Step Functions Standard $0.025 per "
        "1,000 state transitions; Lambda $0.20 per million requests and $0.0000133334 per GB-second (arm64); "
        "DynamoDB on-demand $0.625 per million write and $0.125 per million read request units; SQS $0.40 per "
        "million requests. Not included: the runner's compute (Fargate, the same in every mode), S3, "
        "CloudWatch, free tiers. Lambda durations are assumed (submit/dispatch 60 ms, poll 30 ms, "
        "handle_result 150 ms at 512 MB); the table's Lambda column counts invocations per task."
    )
