"""Content creators: one interface, chosen by CREATOR_KIND. Only the runner runs them.

- `offline`: no network, deterministic, labelled (the local default)
- `cli`:     an external content-creator program (CREATOR_CLI_PATH, CREATOR_MODE sync|async);
             the contract is in docs/creator-contract.md
- `openai`:  any OpenAI-compatible chat completions endpoint
- `bedrock`: Amazon Bedrock's Converse API
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Protocol

from contenthub.errors import ConfigurationError
from contenthub.models import Article, JobRequest
from contenthub.settings import Settings
from contenthub.states import CreatorKind

ProgressFn = Callable[[int, str], None]
CancelledFn = Callable[[], bool]


class Creator(Protocol):
    kind: CreatorKind

    def generate(self, job: JobRequest, progress: ProgressFn, cancelled: CancelledFn) -> Article: ...


@dataclass(frozen=True)
class Brief:
    """What every creator writes from: the job plus the account's (or default) style."""

    topic: str
    keywords: list[str]
    language: str
    tone: str
    length: int

    @classmethod
    def of(cls, job: JobRequest, settings: Settings) -> Brief:
        return cls(
            topic=job.topic,
            keywords=job.keywords,
            language=job.language or settings.CREATOR_LANGUAGE,
            tone=job.tone or settings.CREATOR_TONE,
            length=job.length or settings.CREATOR_LENGTH,
        )

    def prompt(self) -> str:
        language = "the topic's own language" if self.language == "auto" else self.language
        return (
            f"Write an article about: {self.topic}\n"
            f"Keywords to cover: {', '.join(self.keywords) or '(none)'}\n"
            f"Language: {language}. Tone: {self.tone}. Length: about {self.length} words.\n"
            'Answer with one JSON object: {"title": str, "body": Markdown str, "summary": str, "tags": [str]}.'
        )


def build_creator(kind: CreatorKind, settings: Settings | None = None, **options: object) -> Creator:
    settings = settings or Settings()
    if kind == CreatorKind.OFFLINE:
        from contenthub_runner.creators.offline import OfflineCreator

        return OfflineCreator(
            duration=float(options.get("duration", settings.OFFLINE_CREATOR_DURATION)),  # type: ignore[arg-type]
            fail_pattern=str(options.get("fail_pattern", settings.OFFLINE_CREATOR_FAIL_PATTERN)),
        )
    if kind == CreatorKind.CLI:
        from contenthub_runner.creators.cli import CliCreator

        return CliCreator.from_settings(settings)
    if kind == CreatorKind.OPENAI:
        from contenthub_runner.creators.openai import OpenAICreator

        return OpenAICreator.from_settings(settings)
    if kind == CreatorKind.BEDROCK:
        from contenthub_runner.creators.bedrock import BedrockCreator

        return BedrockCreator.from_settings(settings)
    raise ConfigurationError(f"unknown CREATOR_KIND {kind!r}; available: {', '.join(k.value for k in CreatorKind)}")


def article_from_output(raw: str | bytes, source: str, max_bytes: int) -> Article:
    """Check a creator's article output; the error says exactly what is wrong with it."""
    import json

    from pydantic import ValidationError

    from contenthub.errors import CreatorError

    size = len(raw.encode() if isinstance(raw, str) else raw)
    if size > max_bytes:
        raise CreatorError(f"{source} output is {size} bytes, over the {max_bytes}-byte cap (CREATOR_MAX_OUTPUT_BYTES)")
    text = raw.decode("utf-8", errors="replace") if isinstance(raw, bytes) else raw
    if not text.strip():
        raise CreatorError(f"{source} returned an empty article (no output)")
    try:
        data = json.loads(text)
    except json.JSONDecodeError as error:
        raise CreatorError(
            f"{source} printed malformed JSON ({error.msg} at line {error.lineno}): {text[:120]!r}"
        ) from error
    if not isinstance(data, dict):
        raise CreatorError(f"{source} returned JSON that is not an object: {text[:120]!r}")
    if not str(data.get("title") or "").strip() or not str(data.get("body") or "").strip():
        raise CreatorError(f"{source} returned an empty article (title and body are required)")
    try:
        return Article.model_validate(
            {
                "title": str(data["title"]).strip(),
                "body": str(data["body"]),
                "summary": str(data.get("summary") or ""),
                "tags": [str(t) for t in data.get("tags") or []][:20],
                "metadata": data.get("metadata") if isinstance(data.get("metadata"), dict) else {},
            }
        )
    except ValidationError as error:
        raise CreatorError(f"{source} returned an invalid article: {error.errors()[0]['msg']}") from error
