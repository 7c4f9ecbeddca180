"""Announce approved, auto-published content on the EventBridge bus, so a publishing service can
subscribe: `content.approved` now, and `content.publish_due` at scheduled_publish_at through a
one-time EventBridge Scheduler schedule. Event shapes: docs/events.md."""

from __future__ import annotations

import json
from datetime import UTC, datetime
from typing import Any

from botocore.exceptions import ClientError

from contenthub import aws
from contenthub.models import ContentStatus, iso, utc_now

SOURCE = "contenthub"
DETAIL_FIELDS = ("content_id", "account_id", "generation_task_id", "title", "summary", "status", "auto_publish",
                 "scheduled_publish_at", "created_at")  # fmt: skip


def detail(content: dict[str, Any]) -> dict[str, Any]:
    return {k: content.get(k) for k in DETAIL_FIELDS}


def should_announce(content: dict[str, Any]) -> bool:
    return content.get("status") == ContentStatus.APPROVED and bool(content.get("auto_publish"))


def schedule_name(content_id: str) -> str:
    return f"publish-{content_id}"[:64]


def announce(
    content: dict[str, Any],
    bus_name: str,
    bus_arn: str,
    scheduler_role_arn: str,
    contents_table: str,
    now: datetime | None = None,
) -> list[str]:
    """Send what is due for this content; returns the events sent or scheduled. At-least-once:
    a repeat after a crash may send again (consumers de-duplicate on detail.content_id)."""
    if not should_announce(content) or content.get("announced_at"):
        return []
    now = now or utc_now()
    done: list[str] = []
    entries = [{"Source": SOURCE, "DetailType": "content.approved", "Detail": json.dumps(detail(content)),
                "EventBusName": bus_name}]  # fmt: skip
    publish_at = content.get("scheduled_publish_at")
    due = datetime.fromisoformat(publish_at) if publish_at else None
    if due is not None and due <= now:
        entries.append({**entries[0], "DetailType": "content.publish_due"})
    response = aws.client("events").put_events(Entries=entries)
    if response.get("FailedEntryCount"):
        raise RuntimeError(f"EventBridge refused {response['FailedEntryCount']} event(s): {response['Entries']}")
    done += [e["DetailType"] for e in entries]
    if due is not None and due > now:
        try:
            aws.client("scheduler").create_schedule(
                Name=schedule_name(content["content_id"]),
                ScheduleExpression=f"at({due.astimezone(UTC).strftime('%Y-%m-%dT%H:%M:%S')})",
                ScheduleExpressionTimezone="UTC",
                FlexibleTimeWindow={"Mode": "OFF"},
                ActionAfterCompletion="DELETE",
                Target={
                    "Arn": bus_arn,
                    "RoleArn": scheduler_role_arn,
                    "Input": json.dumps(detail(content)),
                    "EventBridgeParameters": {"DetailType": "content.publish_due", "Source": SOURCE},
                },
                Description=f"content.publish_due for {content['content_id']}",
            )
        except ClientError as error:
            if error.response["Error"]["Code"] != "ConflictException":
                raise
        done.append("content.publish_due (scheduled)")
    aws.dynamodb_table(contents_table).update_item(
        Key={"content_id": content["content_id"]},
        UpdateExpression="SET announced_at = :now",
        ExpressionAttributeValues={":now": iso(now)},
    )
    return done
