"""Contents API: list, read (with the article body), approve, reject."""

from typing import Annotated, Any

from aws_lambda_powertools.event_handler.openapi.params import Body, Path, Query
from aws_lambda_powertools.logging import correlation_paths
from aws_lambda_powertools.utilities.typing import LambdaContext

from contenthub import dal
from contenthub.api import build_resolver
from contenthub.logic import contents, publishing
from contenthub.models import MAX_PAGE_SIZE, Content, ContentPage, ContentStatus, ReviewRequest
from contenthub.observability import logger, metrics, tracer
from contenthub.settings import get_settings

settings = get_settings()
app = build_resolver()
ContentId = Annotated[str, Path(pattern=r"^content-[0-9a-f]{12}-\d+$")]


def announce(content: dict[str, Any]) -> None:
    """Approved content that is to be auto-published goes on the content bus (once)."""
    if settings.EVENT_BUS_NAME:
        publishing.announce(
            content,
            settings.require("EVENT_BUS_NAME"),
            settings.require("EVENT_BUS_ARN"),
            settings.require("PUBLISH_SCHEDULER_ROLE_ARN"),
            settings.require("CONTENTS_TABLE"),
        )


@app.get("/contents", summary="Contents, newest first (without bodies)")
@tracer.capture_method
def list_contents(
    account_id: Annotated[int | None, Query(gt=0)] = None,
    status: Annotated[ContentStatus | None, Query()] = None,
    limit: Annotated[int, Query(ge=1, le=MAX_PAGE_SIZE)] = 20,
    cursor: Annotated[str | None, Query(max_length=2000)] = None,
) -> ContentPage:
    return contents.list_contents(dal.contents(), account_id=account_id, status=status, limit=limit, cursor=cursor)


@app.get("/contents/<content_id>", summary="A content with its article body (Markdown)")
@tracer.capture_method
def read(content_id: ContentId) -> Content:
    return contents.get_content(content_id, dal.contents(), dal.articles())


@app.post("/contents/<content_id>/approve", summary="Approve a draft (or rejected) content")
@tracer.capture_method
def approve(content_id: ContentId, request: Annotated[ReviewRequest | None, Body()] = None) -> Content:
    note = request.note if request else None
    return contents.review(content_id, ContentStatus.APPROVED, note, dal.contents(), on_approved=announce)


@app.post("/contents/<content_id>/reject", summary="Reject a content")
@tracer.capture_method
def reject(content_id: ContentId, request: Annotated[ReviewRequest | None, Body()] = None) -> Content:
    note = request.note if request else None
    return contents.review(content_id, ContentStatus.REJECTED, note, dal.contents())


@logger.inject_lambda_context(correlation_id_path=correlation_paths.API_GATEWAY_REST)
@metrics.log_metrics
@tracer.capture_lambda_handler
def main(event: dict[str, Any], context: LambdaContext) -> dict[str, Any]:
    return app.resolve(event, context)
