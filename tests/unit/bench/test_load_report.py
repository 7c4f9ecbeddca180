"""The load run's report states each aim in words: no submit refused with 50 clients, and no item
shared by all accounts written by more than about a tenth of the submits or results."""

from bench.run import report

LOAD = {
    "tasks": 1000, "clients": 50, "succeeded": 1000, "failed": 0, "unique_task_ids": 1000, "contents": 1000,
    "duplicate_contents": 0, "submit_phase_s": 40, "elapsed_s": 200, "tasks_per_min": 300, "peak_memory_mb": 1,
    "refused_submits": [], "transaction_conflicts": 7, "write_conflicts": 1, "retries": 8, "writes": 900,
    "items_written": 90, "transaction_hold_ms": 5.0,
    "hottest": [{"table": "AccountsTable", "key": "49", "writes": 1000, "per_task": 1.0},
                {"table": "CountersTable", "key": "count#total#3", "writes": 210, "per_task": 0.21}],
}  # fmt: skip


def test_the_load_report_states_contention_and_both_aims():
    text = report({"when": "now", "machine": "test", "load": LOAD})
    assert "submits refused: 0 of 1000 (aim, 50 concurrent clients: none fails — **met**)" in text
    assert "7 transactions cancelled with TransactionConflict, 1 plain writes refused" in text and "8 retries" in text
    assert "| AccountsTable | `49` | 1000 | 1.000 |" in text
    assert "about a tenth of the submits or of the results: **met** — the most written such item, CountersTable " \
           "`count#total#3`, took 0.210 writes per task" in text  # fmt: skip


def test_a_refused_submit_or_a_hot_shared_item_is_reported_as_not_met():
    hottest = [{"table": "CountersTable", "key": "gen:recent:offline", "writes": 1000, "per_task": 1.0}]
    hot = {**LOAD, "refused_submits": ["503 busy"], "hottest": hottest}
    text = report({"when": "now", "machine": "test", "load": hot})
    assert "submits refused: 1 of 1000 (503 busy) (aim, 50 concurrent clients: none fails — **not met**)" in text
    assert "**not met** — the most written such item, CountersTable `gen:recent:offline`, took 1.000" in text
