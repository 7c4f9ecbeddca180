"""The jobs table: one status row per runner job (progress, heartbeat, result pointer or error,
cancel request)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta

from contenthub.dal.items import Repository, conditional, dynamodb_table
from contenthub.models import Job, iso
from contenthub.states import JobState, StopReason

_RUNNING = {":running": JobState.RUNNING.value}


@dataclass
class JobRepository(Repository[Job]):
    entity = Job
    key = "job_id"

    def start(self, job_id: str, task_id: str, creator: str, now: datetime, runner_id: str = "") -> bool:
        """Claim a job for running. False when it already ran (a duplicate delivery) or was
        cancelled before it started."""
        return conditional(
            dynamodb_table(self.table).update_item,
            Key={"job_id": job_id},
            UpdateExpression=(
                "SET task_id = :t, #st = :running, creator = :c, started_at = if_not_exists(started_at, :now), "
                "heartbeat_at = :now, progress = :zero, stage = :stage, expires_at = :exp, runner_id = :r"
            ),
            # New, or queued again after its runner died; anything else is a duplicate delivery.
            ConditionExpression="(attribute_not_exists(#st) OR #st = :queued) "
            "AND attribute_not_exists(cancel_requested)",
            ExpressionAttributeNames={"#st": "status"},
            ExpressionAttributeValues={
                ":t": task_id, ":r": runner_id, ":c": creator, ":now": iso(now), ":zero": 0, ":stage": "starting",
                ":exp": int((now + timedelta(days=30)).timestamp()), ":queued": JobState.QUEUED.value, **_RUNNING,
            },
        )  # fmt: skip

    def touch(self, job_id: str, now: datetime) -> None:
        """The per-job heartbeat: a running job whose heartbeat is 3 periods old has a dead runner."""
        conditional(
            dynamodb_table(self.table).update_item,
            Key={"job_id": job_id},
            UpdateExpression="SET heartbeat_at = :now",
            ConditionExpression="#st = :running",
            ExpressionAttributeNames={"#st": "status"},
            ExpressionAttributeValues={":now": iso(now), **_RUNNING},
        )

    def _requeue(self, job_id: str, stage: str, condition: str, now: datetime, **values: object) -> bool:
        """Queued again for another runner, with its progress back to 0: the next run starts over,
        and what the stopped run had reached must not be reported while the job waits."""
        extra = "recoveries = if_not_exists(recoveries, :zero) + :one, " if "max" in values else ""
        return conditional(
            dynamodb_table(self.table).update_item,
            Key={"job_id": job_id},
            UpdateExpression=f"SET {extra}#st = :queued, stage = :stage, requeued_at = :now, progress = :zero",
            ConditionExpression=condition,
            ExpressionAttributeNames={"#st": "status"},
            ExpressionAttributeValues={
                ":queued": JobState.QUEUED.value, ":stage": stage, ":now": iso(now), ":zero": 0, **_RUNNING,
                **({":one": 1} if extra else {}), **{f":{k}": v for k, v in values.items()},
            },
        )  # fmt: skip

    def hand_back(self, job_id: str, now: datetime) -> bool:
        """A stopping runner gives a running job back: queued again for another runner."""
        return self._requeue(job_id, "handed back by a stopping runner", "#st = :running", now)

    def requeue_dead(self, job_id: str, stale_before: datetime, max_recoveries: int, now: datetime) -> bool:
        """Mark a job whose runner died as queued again (at most max_recoveries times)."""
        return self._requeue(
            job_id, "runner lost; waiting for another runner",
            "#st = :running AND heartbeat_at < :stale AND (attribute_not_exists(recoveries) OR recoveries < :max)",
            now, stale=iso(stale_before), max=max_recoveries,
        )  # fmt: skip

    def progress(self, job_id: str, progress: int, stage: str, now: datetime) -> None:
        dynamodb_table(self.table).update_item(
            Key={"job_id": job_id},
            UpdateExpression="SET progress = :p, stage = :s, heartbeat_at = :now",
            ExpressionAttributeValues={":p": progress, ":s": stage, ":now": iso(now)},
        )

    def succeed(self, job_id: str, result_key: str, now: datetime) -> None:
        dynamodb_table(self.table).update_item(
            Key={"job_id": job_id},
            UpdateExpression="SET #st = :ok, progress = :hundred, stage = :done, result_key = :k, "
            "finished_at = :now, heartbeat_at = :now",
            ExpressionAttributeNames={"#st": "status"},
            ExpressionAttributeValues={
                ":ok": JobState.SUCCEEDED.value, ":hundred": 100, ":done": "done", ":k": result_key, ":now": iso(now),
            },
        )  # fmt: skip

    def fail(self, job_id: str, error: str, now: datetime) -> None:
        dynamodb_table(self.table).update_item(
            Key={"job_id": job_id},
            UpdateExpression="SET #st = :failed, #err = :e, finished_at = :now, heartbeat_at = :now",
            ExpressionAttributeNames={"#st": "status", "#err": "error"},
            ExpressionAttributeValues={":failed": JobState.FAILED.value, ":e": error, ":now": iso(now)},
        )

    def request_stop(self, job_id: str, reason: StopReason, now: datetime) -> None:
        """Ask the runner to stop this job (it checks about every second)."""
        dynamodb_table(self.table).update_item(
            Key={"job_id": job_id},
            UpdateExpression="SET cancel_requested = :r, cancel_requested_at = :now",
            ExpressionAttributeValues={":r": reason.value, ":now": iso(now)},
        )

    def stop_requested(self, job_id: str) -> StopReason | None:
        item = (
            dynamodb_table(self.table)
            .get_item(Key={"job_id": job_id}, ProjectionExpression="cancel_requested", ConsistentRead=True)
            .get("Item")
        )
        reason = item.get("cancel_requested") if item else None
        if not reason:
            return None
        try:
            return StopReason(reason)
        except ValueError:  # a request written by an older version: a cancel
            return StopReason.CANCELLED
