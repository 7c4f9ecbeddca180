"""Accounts API: create, list, read, update."""

from typing import Annotated, Any

from aws_lambda_powertools.event_handler import Response
from aws_lambda_powertools.event_handler.openapi.params import Path, Query
from aws_lambda_powertools.logging import correlation_paths
from aws_lambda_powertools.utilities.typing import LambdaContext

from contenthub import dal
from contenthub.api import build_resolver, json_response
from contenthub.logic import accounts
from contenthub.models import MAX_PAGE_SIZE, Account, AccountCreate, AccountList, AccountSettings
from contenthub.observability import logger, metrics, tracer
from contenthub.settings import get_settings

settings = get_settings()
app = build_resolver()
AccountId = Annotated[int, Path(gt=0)]


@app.post("/accounts", summary="Create an account", responses={201: {"description": "created"}})
@tracer.capture_method
def create(request: AccountCreate) -> Response[Account]:
    account = accounts.create_account(request, settings, dal.accounts())
    return json_response(201, account, {"Location": f"/accounts/{account.account_id}"})


@app.get("/accounts", summary="Accounts, by id")
@tracer.capture_method
def list_accounts(
    limit: Annotated[int, Query(ge=1, le=MAX_PAGE_SIZE)] = 50,
    cursor: Annotated[str | None, Query(max_length=2000)] = None,
) -> AccountList:
    return accounts.list_accounts(dal.accounts(), limit, cursor)


@app.get("/accounts/<account_id>", summary="An account, with today's task count")
@tracer.capture_method
def read(account_id: AccountId) -> Account:
    return accounts.get_account(account_id, dal.accounts())


@app.patch("/accounts/<account_id>", summary="Change an account's fields (null resets one to its default)")
@tracer.capture_method
def update(account_id: AccountId, changes: AccountSettings) -> Account:
    return accounts.update_account(account_id, changes, settings, dal.accounts())


@logger.inject_lambda_context(correlation_id_path=correlation_paths.API_GATEWAY_REST)
@metrics.log_metrics
@tracer.capture_lambda_handler
def main(event: dict[str, Any], context: LambdaContext) -> dict[str, Any]:
    return app.resolve(event, context)
