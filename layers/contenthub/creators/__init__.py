"""Content creators: one interface, chosen by CREATOR_KIND. The spine ships `offline`;
`cli`, `bedrock` and `openai` plug in behind the same interface (issue: the runner)."""

from __future__ import annotations

from collections.abc import Callable
from typing import Protocol

from contenthub.errors import ConfigurationError
from contenthub.models import Article, JobRequest

ProgressFn = Callable[[int, str], None]
CancelledFn = Callable[[], bool]


class Creator(Protocol):
    kind: str

    def generate(self, job: JobRequest, progress: ProgressFn, cancelled: CancelledFn) -> Article: ...


def build_creator(kind: str, **options: object) -> Creator:
    if kind == "offline":
        from contenthub.creators.offline import OfflineCreator

        return OfflineCreator(**options)  # type: ignore[arg-type]
    raise ConfigurationError(f"unknown CREATOR_KIND {kind!r}; available: offline")
