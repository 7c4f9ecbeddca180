"""The offline creator: no network, deterministic for the same input, clearly labelled.

It exists so the whole system runs anywhere (the local stack's default). The article is built
from the topic and keywords by templates; its metadata says `"creator": "offline"` and
`"offline": true`, so nobody mistakes it for generated prose.
"""

from __future__ import annotations

import hashlib
import re
import time
from dataclasses import dataclass

from contenthub.errors import CreatorError
from contenthub.models import Article, JobRequest
from contenthub.states import CreatorKind

from . import CancelledFn, ProgressFn

_STAGES = [(10, "outlining"), (40, "drafting"), (75, "editing"), (95, "finishing")]


@dataclass
class OfflineCreator:
    kind: CreatorKind = CreatorKind.OFFLINE
    # Seconds the whole generation takes (spread over the stages), to look like real work.
    duration: float = 0.0
    # Fault injection for tests and demos: a topic matching this regex fails. Off when empty.
    fail_pattern: str = ""

    def generate(self, job: JobRequest, progress: ProgressFn, cancelled: CancelledFn) -> Article:
        for percent, stage in _STAGES:
            if cancelled():
                raise CreatorError("generation was cancelled")
            progress(percent, stage)
            time.sleep(self.duration / len(_STAGES))
        if self.fail_pattern and re.search(self.fail_pattern, job.topic):
            raise CreatorError(
                f"offline creator: topic {job.topic!r} matches OFFLINE_CREATOR_FAIL_PATTERN (simulated failure)"
            )
        return compose(job)


def compose(job: JobRequest) -> Article:
    topic = job.topic
    keywords = job.keywords or [topic]
    digest = hashlib.sha256(f"{topic}|{','.join(keywords)}".encode()).hexdigest()[:8]
    sections = [
        f"# {topic}",
        "",
        f"*Offline draft {digest}: written without a language model, from the topic and keywords.*",
        "",
    ]
    sections += [
        "## Overview",
        "",
        f"{topic} matters to readers who follow {', '.join(keywords)}. "
        f"This article looks at what {topic} means today, why it is changing, and what to watch next.",
        "",
    ]
    for keyword in keywords:
        sections += [
            f"## {keyword}",
            "",
            f"{keyword} is one of the forces shaping {topic}. "
            f"Teams that understand {keyword} can plan better, measure what works, and explain their choices.",
            "",
        ]
    sections += [
        "## Takeaways",
        "",
        *[f"- Watch how {keyword} develops within {topic}." for keyword in keywords],
        "",
    ]
    body = "\n".join(sections)
    return Article(
        title=f"{topic}: what to know about {', '.join(keywords[:3])}",
        body=body,
        summary=f"An overview of {topic}, covering {', '.join(keywords)}.",
        tags=list(dict.fromkeys(keywords))[:10],
        metadata={"creator": "offline", "offline": True, "digest": digest, "words": len(body.split())},
    )
