"""The whole cost of an article (issue #15): the orchestration plus API Gateway, S3, Logs at the
measured log volume, the runner's Fargate time and the model's tokens; the report states the
poll-versus-callback aim in words, and the idle month."""

import pytest

from bench import pricing
from bench.run import report

ROW = {"mode": "callback", "minutes": 20, "polls": 0, "transitions": 8, "lambda_in_machine": 1,
       "completion_lag_s": 0.1, "callback": True}  # fmt: skip


def test_the_whole_cost_adds_every_part_and_the_runner_grows_with_the_generation():
    short, long = pricing.per_thousand({**ROW, "minutes": 1}), pricing.per_thousand(ROW, log_bytes_per_task=0)
    assert long["fargate_per_1000"] == pytest.approx(20 * short["fargate_per_1000"]) and long["fargate_per_1000"] > 0
    assert long["logs_per_1000"] == 0 < short["logs_per_1000"]
    parts = ("api_gateway", "s3", "logs", "fargate", "model")
    assert abs(long["whole"] - long["total"] - sum(long[f"{p}_per_1000"] for p in parts)) < 1e-9
    assert long["api_gateway_per_1000"] == 3.5 / 1000  # one request per task at $3.50 per million


def test_the_report_says_whether_poll_mode_meets_its_aim_and_the_idle_month():
    rows = [ROW, {**ROW, "mode": "poll (learned first wait)", "polls": 4, "transitions": 20, "callback": False,
                  "lambda_in_machine": 5}]  # fmt: skip
    text = report({"when": "now", "machine": "test", "orchestration": rows, "load": {
        "tasks": 10, "clients": 1, "succeeded": 10, "failed": 0, "unique_task_ids": 10, "contents": 10,
        "duplicate_contents": 0, "submit_phase_s": 1, "elapsed_s": 2, "tasks_per_min": 300, "peak_memory_mb": 1,
        "log_bytes_per_task": 4321}})  # fmt: skip
    assert "Aim (a 20-minute generation in poll mode costs at most twice callback mode): **" in text
    assert "4321 bytes of log lines per task, measured in the load run" in text
    assert f"Idle, per month: **${pricing.idle_month():.2f}**" in text


def test_measured_lambda_durations_replace_the_assumed_ones_and_the_report_says_which():
    measured = {"submit": 20.0, "dispatch": 10.0, "poll": 5.0, "handle_result": 40.0}
    assumed, faster = pricing.per_thousand(ROW), pricing.per_thousand(ROW, billed_ms=measured)
    gb_seconds = (20 + 10 + 40) / 1000 * pricing.MEMORY_GB  # no polls in ROW
    assert faster["total"] == pytest.approx(assumed["total"] - (
        (sum(pricing.ASSUMED_BILLED_MS[n] for n in ("submit", "dispatch", "handle_result")) / 1000 * pricing.MEMORY_GB
         - gb_seconds) * pricing.PRICES["lambda_gb_second_arm"] * 1000))  # fmt: skip
    assert "Lambda durations are measured" in pricing.describe(measured) and "submit 20 ms" in pricing.describe(
        measured
    )
    assert "Lambda durations are assumed" in pricing.describe(None)


def test_typical_tokens_follow_the_creators_prompt_and_the_default_length():
    tokens = pricing.typical_tokens()
    assert 50 < tokens["input"] < 300  # a system line and a five-line brief
    assert tokens["output"] == round((800 + 80) * pricing.TOKENS_PER_WORD)
