"""EventBridge Scheduler for the local stack: moto stores schedules but never fires them. This
adapter reads them back through the Scheduler API and fires each due one into its target, as
Scheduler does: `cron(...)` in its timezone, one-time `at(...)` (deleted after firing when
ActionAfterCompletion is DELETE); Lambda targets are invoked with the target's Input (Scheduler's
context attributes filled in), EventBridge bus targets get a PutEvents. Only ENABLED schedules fire.

Time comes from a clock that tests move (`advance`), so a test of "08:00 every day" need not sleep.
"""

from __future__ import annotations

import json
import logging
import re
import threading
import uuid
from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from typing import Any

from contenthub import cron

log = logging.getLogger("contenthub_local.scheduler")
Invoke = Callable[[str, dict[str, Any]], Any]


def scheduler_time(when: datetime) -> str:
    """`<aws.scheduler.scheduled-time>` as Scheduler renders it: UTC, seconds, a Z."""
    return when.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


class SchedulerAdapter:
    """`as_role(service, role_arn)`, when given, is a client that calls with the credentials of the
    schedule's target role (Target.RoleArn), as Scheduler assumes that role to call the target, so
    the local stack's IAM check evaluates the firing as that role. Without it, targets are called
    through `invoke` (a Lambda function) and `events`."""

    def __init__(
        self, scheduler: Any, invoke: Invoke, events: Any = None, interval: float = 1.0,
        as_role: Callable[[str, str], Any] | None = None,
    ):  # fmt: skip
        self.scheduler = scheduler
        self.invoke = invoke
        self.events = events
        self.as_role = as_role
        self.interval = interval
        self.offset = timedelta()
        self.checked: dict[str, datetime] = {}  # schedule name → fire times up to here are done
        self.fired: list[tuple[str, str]] = []  # (schedule name, scheduled time), for operators and tests
        self._stop = threading.Event()
        self._thread: threading.Thread | None = None
        self._lock = threading.RLock()

    # -- the clock ----------------------------------------------------------------------------------
    def now(self) -> datetime:
        return datetime.now(UTC) + self.offset

    def advance(self, seconds: float) -> datetime:
        self.offset += timedelta(seconds=seconds)
        return self.now()

    def advance_and_fire(self, seconds: float) -> tuple[datetime, list[tuple[str, str]]]:
        """Fire what is due now (a schedule created since the last tick is then seen at the current
        time), move the clock, fire what the skipped window holds — all under the lock, so the
        background tick cannot take the firings in between."""
        with self._lock:
            fired = self.tick()
            now = self.advance(seconds)
            return now, fired + self.tick()

    # -- firing -------------------------------------------------------------------------------------
    def _schedules(self) -> list[dict[str, Any]]:
        found = []
        for page in self.scheduler.get_paginator("list_schedules").paginate():
            for summary in page.get("Schedules", []):
                found.append(
                    self.scheduler.get_schedule(Name=summary["Name"], GroupName=summary.get("GroupName", "default"))
                )
        return found + self._scheduled_rules()

    def _scheduled_rules(self) -> list[dict[str, Any]]:
        """EventBridge rules with a ScheduleExpression (the sweeper's `rate(5 minutes)`), as
        schedules whose target is the rule's first Lambda target (moto stores them, never fires)."""
        if self.events is None:
            return []
        rules = []
        for rule in self.events.list_rules().get("Rules", []):
            if not rule.get("ScheduleExpression"):
                continue
            targets = self.events.list_targets_by_rule(Rule=rule["Name"]).get("Targets", [])
            lambdas = [t for t in targets if ":lambda:" in t["Arn"]]
            if lambdas:
                rules.append({
                    "Name": f"rule/{rule['Name']}", "ScheduleExpression": rule["ScheduleExpression"],
                    "State": "ENABLED" if rule.get("State", "ENABLED") == "ENABLED" else "DISABLED",
                    "Target": {"Arn": lambdas[0]["Arn"], "Input": lambdas[0].get("Input") or "{}"},
                })  # fmt: skip
        return rules

    def due(self, schedule: dict[str, Any], now: datetime) -> list[datetime]:
        """Fire times of this schedule in (last check, now]."""
        name = schedule["Name"]
        expression = schedule["ScheduleExpression"]
        timezone = schedule.get("ScheduleExpressionTimezone") or "UTC"
        since = self.checked.setdefault(name, self._first_seen(schedule, now))
        if expression.startswith("at("):
            match = re.fullmatch(r"at\((.+)\)", expression)
            assert match
            at = datetime.fromisoformat(match.group(1)).replace(tzinfo=cron.zone(timezone))
            return [at] if since < at <= now else []
        if expression.startswith("cron("):
            times = []
            for when in cron.fire_times(cron.from_aws(expression), timezone, since):
                if when > now:
                    break
                times.append(when)
            return times
        if rate := re.fullmatch(r"rate\((\d+) (minute|hour|day)s?\)", expression):
            step = timedelta(**{f"{rate.group(2)}s": int(rate.group(1))})
            times, when = [], since + step
            while when <= now:
                times.append(when)
                when += step
            if times:  # the next period starts at the last firing
                self.checked[name] = times[-1]
            return times
        log.warning("schedule %s: %s is not fired locally (only cron(), rate() and at())", name, expression)
        return []

    @staticmethod
    def _first_seen(schedule: dict[str, Any], now: datetime) -> datetime:
        created = schedule.get("CreationDate")
        if isinstance(created, datetime) and schedule["ScheduleExpression"].startswith("at("):
            return min(created.astimezone(UTC), now)  # a one-time schedule due already still fires
        return now

    def tick(self, now: datetime | None = None) -> list[tuple[str, str]]:
        """Fire everything due up to `now` (default: the adapter's clock); returns what fired."""
        with self._lock:
            now = now or self.now()
            fired = []
            for schedule in self._schedules():
                name = schedule["Name"]
                times = self.due(schedule, now) if schedule.get("State", "ENABLED") == "ENABLED" else []
                if not schedule["ScheduleExpression"].startswith("rate("):  # a rate counts from its last firing
                    self.checked[name] = max(self.checked.get(name, now), now)
                for when in times:
                    self.fire(schedule, when)
                    fired.append((name, scheduler_time(when)))
                if (
                    times
                    and schedule["ScheduleExpression"].startswith("at(")
                    and schedule.get("ActionAfterCompletion") == "DELETE"
                ):
                    self.scheduler.delete_schedule(Name=name, GroupName=schedule.get("GroupName", "default"))
            self.fired += fired
            return fired

    def fire(self, schedule: dict[str, Any], when: datetime) -> None:
        target = schedule["Target"]
        text = (target.get("Input") or "{}").replace("<aws.scheduler.scheduled-time>", scheduler_time(when))
        text = text.replace("<aws.scheduler.execution-id>", str(uuid.uuid4()))
        text = text.replace("<aws.scheduler.schedule-arn>", schedule.get("Arn", "")).replace(
            "<aws.scheduler.attempt-number>", "1"
        )
        arn = target["Arn"]
        role = target.get("RoleArn")
        try:
            if ":lambda:" in arn:
                if self.as_role is not None and role:
                    self._invoke_as(self.as_role("lambda", role), arn, text)
                else:
                    self.invoke(arn, json.loads(text))
            elif ":events:" in arn and (self.events is not None or self.as_role is not None):
                parameters = target.get("EventBridgeParameters") or {}
                events = self.as_role("events", role) if self.as_role is not None and role else self.events
                events.put_events(
                    Entries=[
                        {
                            "EventBusName": arn,
                            "Source": parameters.get("Source", "aws.scheduler"),
                            "DetailType": parameters.get("DetailType", "Scheduled Event"),
                            "Detail": text,
                        }
                    ]
                )
            else:
                log.warning("schedule %s: target %s is not supported locally", schedule["Name"], arn)
        except Exception:  # Scheduler retries and then drops; locally: log and go on
            log.exception("schedule %s: firing at %s failed", schedule["Name"], scheduler_time(when))

    @staticmethod
    def _invoke_as(lambda_client: Any, arn: str, text: str) -> None:
        response = lambda_client.invoke(FunctionName=arn, Payload=text.encode())
        if response.get("FunctionError"):
            raise RuntimeError(f"{arn} failed: {response['Payload'].read()[:500]!r}")

    # -- background ---------------------------------------------------------------------------------
    def start(self) -> None:
        def loop() -> None:
            while not self._stop.wait(self.interval):
                try:
                    self.tick()
                except Exception:
                    if self._stop.is_set():
                        break  # the stack is stopping: the endpoint may be gone already
                    log.exception("scheduler tick failed")

        self._thread = threading.Thread(target=loop, name="scheduler", daemon=True)
        self._thread.start()

    def stop(self) -> None:
        self._stop.set()
        if self._thread:
            self._thread.join(timeout=5)
