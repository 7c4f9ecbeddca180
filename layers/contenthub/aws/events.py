"""EventBridge: events on the content bus."""

from __future__ import annotations

import json
from dataclasses import dataclass
from typing import Any


@dataclass
class EventBus:
    name: str

    def put(self, source: str, events: list[tuple[str, dict[str, Any]]]) -> None:
        """Put (detail type, detail) events; any refused entry is an error (the caller retries)."""
        from contenthub.aws import client

        entries = [
            {"Source": source, "DetailType": detail_type, "Detail": json.dumps(detail), "EventBusName": self.name}
            for detail_type, detail in events
        ]
        response = client("events").put_events(Entries=entries)
        if response.get("FailedEntryCount"):
            raise RuntimeError(f"EventBridge refused {response['FailedEntryCount']} event(s): {response['Entries']}")
