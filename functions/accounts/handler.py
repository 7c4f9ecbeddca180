"""Accounts API: create, list, read, update."""

from typing import Annotated

from aws_lambda_powertools.event_handler import Response
from aws_lambda_powertools.event_handler.openapi.params import Path, Query

from contenthub import dal
from contenthub.api import build_resolver, json_response, rest_handler
from contenthub.logic import accounts
from contenthub.models import ID_LIMIT, MAX_PAGE_SIZE, Account, AccountCreate, AccountList, AccountSettings
from contenthub.resources import Principal
from contenthub.settings import load_settings

settings = load_settings(Principal.ACCOUNTS)
app = build_resolver()
AccountId = Annotated[int, Path(gt=0, lt=ID_LIMIT)]


@app.post("/accounts", summary="Create an account", responses={201: {"description": "created"}})
def create(request: AccountCreate) -> Response[Account]:
    account = accounts.create_account(request, settings, dal.accounts())
    return json_response(201, account, {"Location": f"/accounts/{account.account_id}"})


@app.get("/accounts", summary="Accounts, by id")
def list_accounts(
    limit: Annotated[int, Query(ge=1, le=MAX_PAGE_SIZE)] = 50,
    cursor: Annotated[str | None, Query(max_length=2000)] = None,
) -> AccountList:
    return accounts.list_accounts(dal.accounts(), limit, cursor)


@app.get("/accounts/<account_id>", summary="An account, with today's task count")
def read(account_id: AccountId) -> Account:
    return accounts.get_account(account_id, dal.accounts())


@app.patch("/accounts/<account_id>", summary="Change an account's fields (null resets one to its default)")
def update(account_id: AccountId, changes: AccountSettings) -> Account:
    return accounts.update_account(account_id, changes, settings, dal.accounts())


main = rest_handler(app)
