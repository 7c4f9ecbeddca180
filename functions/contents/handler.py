"""Contents API: list, read (with the article body), approve, reject."""

from typing import Annotated

from aws_lambda_powertools.event_handler.openapi.params import Body, Path, Query

from contenthub import dal, services
from contenthub.api import build_resolver, rest_handler
from contenthub.logic import contents, publishing
from contenthub.models import (
    CONTENT_ID_PATTERN,
    ID_LIMIT,
    MAX_PAGE_SIZE,
    Content,
    ContentPage,
    ReviewRequest,
)
from contenthub.resources import Principal
from contenthub.settings import load_settings
from contenthub.states import ContentStatus

settings = load_settings(Principal.CONTENTS)
app = build_resolver()
ContentId = Annotated[str, Path(pattern=CONTENT_ID_PATTERN)]
Review = Annotated[ReviewRequest | None, Body()]


@app.get("/contents", summary="Contents, newest first (without bodies)")
def list_contents(
    account_id: Annotated[int | None, Query(gt=0, lt=ID_LIMIT)] = None,
    status: Annotated[ContentStatus | None, Query()] = None,
    limit: Annotated[int, Query(ge=1, le=MAX_PAGE_SIZE)] = 20,
    cursor: Annotated[str | None, Query(max_length=2000)] = None,
) -> ContentPage:
    return contents.list_contents(dal.contents(), account_id=account_id, status=status, limit=limit, cursor=cursor)


@app.get("/contents/<content_id>", summary="A content with its article body (Markdown)")
def read(content_id: ContentId) -> Content:
    return contents.get_content(content_id, dal.contents(), services.articles())


@app.post("/contents/<content_id>/approve", summary="Approve a draft (or rejected) content")
def approve(content_id: ContentId, request: Review = None) -> Content:
    note = request.note if request else None
    return contents.review(content_id, ContentStatus.APPROVED, note, dal.contents(), publishing.publisher(settings))


@app.post("/contents/<content_id>/reject", summary="Reject a content")
def reject(content_id: ContentId, request: Review = None) -> Content:
    return contents.review(content_id, ContentStatus.REJECTED, request.note if request else None, dal.contents())


main = rest_handler(app)
