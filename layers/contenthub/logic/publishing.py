"""Announce approved, auto-published content on the EventBridge bus, so a publishing service can
subscribe: `content.approved` now, and `content.publish_due` at scheduled_publish_at through a
one-time EventBridge Scheduler schedule. Event shapes: docs/events.md. Used when a result is
stored approved (handle_result) and when an operator approves (contents API)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any

from contenthub import dal, resources, services
from contenthub.aws.events import EventBus
from contenthub.aws.scheduler import OneTimeEvents
from contenthub.models import StoredContent, utc_now
from contenthub.observability import logger
from contenthub.settings import Settings
from contenthub.states import ContentStatus

SOURCE = "contenthub"
APPROVED = "content.approved"
PUBLISH_DUE = "content.publish_due"
DETAIL_FIELDS = ("content_id", "account_id", "generation_task_id", "title", "summary", "status", "auto_publish",
                 "scheduled_publish_at", "created_at")  # fmt: skip


def detail(content: StoredContent) -> dict[str, Any]:
    return content.model_dump(mode="json", include=set(DETAIL_FIELDS))


def should_announce(content: StoredContent) -> bool:
    return content.status == ContentStatus.APPROVED and content.auto_publish and not content.announced_at


def schedule_name(content_id: str) -> str:
    return f"publish-{content_id}"[:64]


@dataclass
class Publisher:
    bus: EventBus
    schedules: OneTimeEvents
    contents: dal.ContentRepository

    def announce(self, content: StoredContent, now: datetime | None = None) -> list[str]:
        """Send what is due for this content; returns the events sent or scheduled. At-least-once:
        a repeat after a crash may send again (consumers de-duplicate on detail.content_id)."""
        if not should_announce(content):
            return []
        now = now or utc_now()
        due = datetime.fromisoformat(content.scheduled_publish_at) if content.scheduled_publish_at else None
        events = [APPROVED] + ([PUBLISH_DUE] if due is not None and due <= now else [])
        self.bus.put(SOURCE, [(event, detail(content)) for event in events])
        if due is not None and due > now:
            self.schedules.create(schedule_name(content.content_id), due, SOURCE, PUBLISH_DUE, detail(content))
            events.append(f"{PUBLISH_DUE} (scheduled)")
        self.contents.mark_announced(content.content_id, now)
        logger.info("content announced", extra={"content_id": content.content_id, "events": events})
        return events


def publisher(settings: Settings) -> Publisher | None:
    """The stack's publisher, or None where no content bus is deployed."""
    if not settings.has(resources.EVENT_BUS_NAME):
        return None
    return Publisher(services.content_bus(), services.publish_schedules(), dal.contents())
