"""The `bedrock` creator: Amazon Bedrock's Converse API (BEDROCK_MODEL_ID, BEDROCK_MAX_TOKENS,
BEDROCK_TEMPERATURE); throttling is retried with exponential backoff."""

from __future__ import annotations

import time
from dataclasses import dataclass

from botocore.exceptions import ClientError

from contenthub import aws
from contenthub.errors import CreatorError
from contenthub.models import Article, JobRequest
from contenthub.settings import Settings
from contenthub.states import CreatorKind

from . import Brief, CancelledFn, ProgressFn, article_from_output
from .openai import SYSTEM, _strip_fence
from .usage import emit_token_usage

RETRYABLE = ("ThrottlingException", "ServiceUnavailableException", "ModelNotReadyException")


@dataclass
class BedrockCreator:
    model_id: str
    settings: Settings
    attempts: int = 5
    base_delay: float = 1.0
    kind: CreatorKind = CreatorKind.BEDROCK

    @classmethod
    def from_settings(cls, settings: Settings) -> BedrockCreator:
        return cls(settings.BEDROCK_MODEL_ID, settings)

    def generate(self, job: JobRequest, progress: ProgressFn, cancelled: CancelledFn) -> Article:
        brief = Brief.of(job, self.settings)
        progress(10, "waiting for the model")
        for attempt in range(1, self.attempts + 1):
            if cancelled():
                raise CreatorError("generation was cancelled")
            try:
                response = aws.client("bedrock-runtime").converse(
                    modelId=self.model_id,
                    system=[{"text": SYSTEM}],
                    messages=[{"role": "user", "content": [{"text": brief.prompt()}]}],
                    inferenceConfig={
                        "maxTokens": self.settings.BEDROCK_MAX_TOKENS,
                        "temperature": self.settings.BEDROCK_TEMPERATURE,
                    },
                )
                break
            except ClientError as error:
                code = error.response["Error"]["Code"]
                if code not in RETRYABLE or attempt == self.attempts:
                    raise CreatorError(f"Bedrock {code}: {error.response['Error'].get('Message', '')}") from error
                progress(10, f"throttled by Bedrock; retry {attempt}")
                time.sleep(self.base_delay * 2 ** (attempt - 1))
        text = "".join(part.get("text", "") for part in response["output"]["message"]["content"])
        if response.get("stopReason") == "max_tokens":
            raise CreatorError(f"the model stopped at BEDROCK_MAX_TOKENS={self.settings.BEDROCK_MAX_TOKENS}; raise it")
        progress(90, "checking the article")
        article = article_from_output(_strip_fence(text), "the model", self.settings.CREATOR_MAX_OUTPUT_BYTES)
        usage = response.get("usage", {})
        emit_token_usage(self.model_id, usage.get("inputTokens"), usage.get("outputTokens"))
        article.metadata.update({"creator": "bedrock", "model": self.model_id, "usage": usage})
        return article
