"""This runner's share of the global cap (ASYNC_MAX_CONCURRENT_TASKS): the slot leases it holds,
one per running job, taken before a job is received and renewed with every heartbeat."""

from __future__ import annotations

import threading
import uuid

from contenthub import dal
from contenthub.models import utc_now
from contenthub.observability import logger


class Leases:
    def __init__(self, slots: dal.SlotLeases, runner_id: str):
        self.slots = slots
        self.runner_id = runner_id
        self.held: dict[str, int] = {}  # holder id → slot
        self.lock = threading.Lock()

    def resize(self, cap: int) -> None:
        """A new global cap (a live control): new leases are taken among the first `cap` slots,
        so after a decrease the jobs above it finish and are not replaced."""
        self.slots.slots = cap

    def take(self) -> str | None:
        """A holder id for a free global slot, or None when every slot is busy."""
        holder = f"{self.runner_id}:{uuid.uuid4().hex[:8]}"
        slot = self.slots.acquire(holder, utc_now())
        if slot is None:
            return None
        with self.lock:
            self.held[holder] = slot
        return holder

    def release(self, holder: str) -> None:
        with self.lock:
            slot = self.held.pop(holder, None)
        if slot is not None:
            self.slots.release(slot, holder)

    def renew(self) -> None:
        with self.lock:
            held = list(self.held.items())
        for holder, slot in held:
            if not self.slots.renew(slot, holder, utc_now()):
                logger.error("lost a slot lease (expired and taken); the cap may be exceeded briefly",
                             extra={"slot": slot})  # fmt: skip
