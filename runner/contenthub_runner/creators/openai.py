"""The `openai` creator: any OpenAI-compatible chat completions endpoint (OPENAI_BASE_URL,
OPENAI_MODEL). The key comes from Secrets Manager (OPENAI_API_KEY_SECRET_ID) in AWS, or from
OPENAI_API_KEY locally. On cancel the HTTP call is abandoned (its thread is left to time out)."""

from __future__ import annotations

import json
import re
import threading
import time
from dataclasses import dataclass
from typing import Any

import urllib3

from contenthub.aws.secrets import secret
from contenthub.errors import ConfigurationError, CreatorError
from contenthub.models import Article, JobRequest
from contenthub.settings import Settings
from contenthub.states import CreatorKind

from . import Brief, CancelledFn, ProgressFn, article_from_output
from .usage import emit_token_usage

SYSTEM = "You are a professional writer. You answer with JSON only."


@dataclass
class OpenAICreator:
    base_url: str
    model: str
    api_key: str
    settings: Settings
    kind: CreatorKind = CreatorKind.OPENAI

    @classmethod
    def from_settings(cls, settings: Settings) -> OpenAICreator:
        key = settings.OPENAI_API_KEY
        if not key and settings.OPENAI_API_KEY_SECRET_ID:
            key = secret(settings.OPENAI_API_KEY_SECRET_ID)
        if not key:
            raise ConfigurationError("CREATOR_KIND=openai needs OPENAI_API_KEY_SECRET_ID (or OPENAI_API_KEY locally)")
        return cls(settings.OPENAI_BASE_URL.rstrip("/"), settings.OPENAI_MODEL, key, settings)

    def generate(self, job: JobRequest, progress: ProgressFn, cancelled: CancelledFn) -> Article:
        brief = Brief.of(job, self.settings)
        body = {
            "model": self.model,
            "messages": [{"role": "system", "content": SYSTEM}, {"role": "user", "content": brief.prompt()}],
            "temperature": 0.7,
        }
        progress(10, "waiting for the model")
        outcome: dict[str, Any] = {}

        def call() -> None:
            try:
                outcome["response"] = urllib3.request(
                    "POST", f"{self.base_url}/chat/completions", body=json.dumps(body).encode(),
                    headers={"Authorization": f"Bearer {self.api_key}", "Content-Type": "application/json"},
                    timeout=urllib3.Timeout(connect=10, read=self.settings.CREATOR_TIMEOUT_SECONDS),
                    retries=urllib3.Retry(total=3, status_forcelist=(429, 500, 502, 503), backoff_factor=1,
                                          allowed_methods=None, respect_retry_after_header=True),
                )  # fmt: skip
            except urllib3.exceptions.HTTPError as error:
                outcome["error"] = error

        worker = threading.Thread(target=call, daemon=True)
        worker.start()
        while worker.is_alive():
            if cancelled():
                raise CreatorError("generation was cancelled")
            worker.join(0.1)
        if "error" in outcome:
            raise CreatorError(f"the OpenAI-compatible endpoint failed: {outcome['error']}")
        response = outcome["response"]
        if response.status >= 400:
            raise CreatorError(
                f"the OpenAI-compatible endpoint answered HTTP {response.status}: {response.data[:200]!r}"
            )
        try:
            answer = json.loads(response.data)
            content = answer["choices"][0]["message"]["content"] or ""
        except (ValueError, KeyError, IndexError, TypeError) as error:
            raise CreatorError(
                f"the OpenAI-compatible endpoint answered an unexpected shape: {response.data[:200]!r}"
            ) from error
        progress(90, "checking the article")
        article = article_from_output(_strip_fence(content), "the model", self.settings.CREATOR_MAX_OUTPUT_BYTES)
        usage = answer.get("usage") if isinstance(answer.get("usage"), dict) else {}
        emit_token_usage(self.model, usage.get("prompt_tokens"), usage.get("completion_tokens"))
        article.metadata.update({"creator": "openai", "model": self.model, "generated_at": int(time.time()),
                                 **({"usage": usage} if usage else {})})  # fmt: skip
        return article


def _strip_fence(text: str) -> str:
    """Models often wrap JSON in a ```json fence."""
    match = re.fullmatch(r"\s*```(?:json)?\s*(.*?)\s*```\s*", text, flags=re.DOTALL)
    return match.group(1) if match else text
