"""The sweeper (every few minutes): a task whose intake message was lost — a crash between its
transaction and SendMessage, or a message that ended in the intake DLQ — would stay `pending`
forever, holding its account's quota. A task pending longer than SWEEP_PENDING_AFTER_SECONDS with
no execution is queued again (the dispatcher starts it once, whatever arrives twice); after
SWEEP_MAX_REQUEUES such tries it ends `failed` with the reason."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime, timedelta

from contenthub import dal
from contenthub.aws.sqs import Queue
from contenthub.aws.stepfunctions import Orchestrator
from contenthub.models import execution_name, iso, utc_now
from contenthub.observability import MetricName, count, logger
from contenthub.settings import Settings
from contenthub.states import TaskStatus

BATCH = 200  # tasks looked at per run; the next run continues


@dataclass
class SweepReport:
    looked_at: int = 0
    requeued: list[str] = field(default_factory=list)
    failed: list[str] = field(default_factory=list)


def sweep(
    settings: Settings, tasks: dal.TaskRepository, transactions: dal.Transactions, orchestrator: Orchestrator,
    intake: Queue, now: datetime | None = None,
) -> SweepReport:  # fmt: skip
    now = now or utc_now()
    before = iso(now - timedelta(seconds=settings.SWEEP_PENDING_AFTER_SECONDS))
    report = SweepReport()
    stale, _ = tasks.by_status(TaskStatus.PENDING, BATCH, "0", before)
    for task in stale:
        if task.updated_at > before:  # pending again recently (a retry): not lost yet
            continue
        report.looked_at += 1
        if orchestrator.exists(execution_name(task.task_id, task.attempt)):
            continue  # it started; MarkRunning will move it on (or MarkFailed end it)
        if task.requeued < settings.SWEEP_MAX_REQUEUES:
            if tasks.mark_requeued(task.task_id, task.attempt, settings.SWEEP_MAX_REQUEUES, now):
                intake.send({"task_id": task.task_id, "attempt": task.attempt})
                report.requeued.append(task.task_id)
            continue
        reason = (
            f"its intake message was lost: pending for over {settings.SWEEP_PENDING_AFTER_SECONDS} s with no "
            f"execution, queued again {task.requeued} time(s) (SWEEP_MAX_REQUEUES) without starting"
        )
        if transactions.finish(task.task_id, task.attempt, TaskStatus.FAILED, now, error=reason):
            report.failed.append(task.task_id)
    if report.requeued or report.failed:
        logger.warning("sweeper found lost tasks", extra={"requeued": report.requeued, "failed": report.failed})
    count(MetricName.SWEPT_REQUEUED, len(report.requeued))
    count(MetricName.FAILED, len(report.failed))
    return report
