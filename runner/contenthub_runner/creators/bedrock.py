"""The `bedrock` creator: Amazon Bedrock's Converse API (BEDROCK_MODEL_ID — a model id or a
cross-region inference profile id —, BEDROCK_MAX_TOKENS, BEDROCK_TEMPERATURE).

Its own client: the read timeout is CREATOR_TIMEOUT_SECONDS (a long article takes longer than the
shared clients' 20 s), and botocore's adaptive retry mode is the one retry mechanism (throttling
backs off and is retried up to 5 attempts in all). The call runs in a thread so a cancel is
honoured within about a tenth of a second (the call itself is abandoned)."""

from __future__ import annotations

import threading
from dataclasses import dataclass, field
from typing import Any

import boto3
from botocore.config import Config
from botocore.exceptions import BotoCoreError, ClientError

from contenthub.errors import CreatorError
from contenthub.models import Article, JobRequest
from contenthub.settings import Settings
from contenthub.states import CreatorKind

from . import Brief, CancelledFn, ProgressFn, article_from_output
from .openai import SYSTEM, _strip_fence
from .usage import emit_token_usage

MAX_ATTEMPTS = 5


def client_config(settings: Settings) -> Config:
    return Config(
        connect_timeout=10,
        read_timeout=settings.CREATOR_TIMEOUT_SECONDS,
        retries={"mode": "adaptive", "max_attempts": MAX_ATTEMPTS},
    )


@dataclass
class BedrockCreator:
    model_id: str
    settings: Settings
    client: Any = field(default=None, repr=False)
    kind: CreatorKind = CreatorKind.BEDROCK

    def __post_init__(self) -> None:
        if self.client is None:
            self.client = boto3.client("bedrock-runtime", config=client_config(self.settings))  # type: ignore[call-overload]

    @classmethod
    def from_settings(cls, settings: Settings) -> BedrockCreator:
        return cls(settings.BEDROCK_MODEL_ID, settings)

    def generate(self, job: JobRequest, progress: ProgressFn, cancelled: CancelledFn) -> Article:
        brief = Brief.of(job, self.settings)
        progress(10, "waiting for the model")
        outcome: dict[str, Any] = {}

        def call() -> None:
            try:
                outcome["response"] = self.client.converse(
                    modelId=self.model_id,
                    system=[{"text": SYSTEM}],
                    messages=[{"role": "user", "content": [{"text": brief.prompt()}]}],
                    inferenceConfig={
                        "maxTokens": self.settings.BEDROCK_MAX_TOKENS,
                        "temperature": self.settings.BEDROCK_TEMPERATURE,
                    },
                )
            except (ClientError, BotoCoreError) as error:
                outcome["error"] = error

        worker = threading.Thread(target=call, daemon=True)
        worker.start()
        while worker.is_alive():
            if cancelled():
                raise CreatorError("generation was cancelled")
            worker.join(0.1)
        if isinstance(error := outcome.get("error"), ClientError):
            code = error.response["Error"]["Code"]
            raise CreatorError(f"Bedrock {code}: {error.response['Error'].get('Message', '')}") from error
        if error is not None:
            raise CreatorError(f"Bedrock call failed: {error}") from error
        response = outcome["response"]
        text = "".join(part.get("text", "") for part in response["output"]["message"]["content"])
        if response.get("stopReason") == "max_tokens":
            raise CreatorError(f"the model stopped at BEDROCK_MAX_TOKENS={self.settings.BEDROCK_MAX_TOKENS}; raise it")
        progress(90, "checking the article")
        article = article_from_output(_strip_fence(text), "the model", self.settings.CREATOR_MAX_OUTPUT_BYTES)
        usage = response.get("usage", {})
        emit_token_usage(self.model_id, usage.get("inputTokens"), usage.get("outputTokens"))
        article.metadata.update({"creator": "bedrock", "model": self.model_id, "usage": usage})
        return article
