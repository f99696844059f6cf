"""Billing accounts over HTTP: accounts, their tokens, billed sites, monthly statements."""

from __future__ import annotations

from typing import Annotated, Any, Literal

from fastapi import APIRouter, Path, Query, Response, status

from forecourt.accounts.api.schemas import AccountIn, AccountOut, BilledSiteIn, BilledSiteOut
from forecourt.accounts.domain.accounts import BilledSite, Month
from forecourt.accounts.keys import ACCOUNTS
from forecourt.accounts.services.accounts import Accounts
from forecourt.accounts.services.statements import statement_csv, statement_json
from forecourt.api.deps import Context, Operator, Viewer
from forecourt.api.problems import problem_responses
from forecourt.api.schemas.base import ResourceId
from forecourt.domain.errors import InvalidInput

router = APIRouter(tags=["accounts"], responses=problem_responses(401, 403, 404, 409, 422))

TokenValue = Annotated[str, Path(min_length=1, max_length=255)]
MonthText = Annotated[str, Path(pattern=r"^\d{4}-\d{2}$", description="YYYY-MM (UTC).")]
NO_CONTENT = status.HTTP_204_NO_CONTENT


def _accounts(context: Context) -> Accounts:
    return context.services.feature(ACCOUNTS)


@router.get("/accounts", summary="Every billing account")
async def list_accounts(context: Context, _: Viewer) -> list[AccountOut]:
    return [AccountOut.of(account) for account in await _accounts(context).all()]


@router.post("/accounts", summary="Open a billing account", status_code=status.HTTP_201_CREATED)
async def create_account(body: AccountIn, context: Context, _: Operator) -> AccountOut:
    return AccountOut.of(await _accounts(context).create(body.to_domain()))


@router.get("/accounts/{account_id}", summary="An account and the tokens it holds")
async def get_account(account_id: ResourceId, context: Context, _: Viewer) -> AccountOut:
    account, tokens = await _accounts(context).get(account_id)
    return AccountOut.of(account, tokens)


@router.put(
    "/accounts/{account_id}/tokens/{token}",
    summary="Give the account a registered token (eMAID, RFID, Autocharge MAC)",
    status_code=NO_CONTENT,
)
async def add_token(
    account_id: ResourceId, token: TokenValue, context: Context, _: Operator
) -> Response:
    await _accounts(context).add_token(account_id, token)
    return Response(status_code=NO_CONTENT)


@router.delete(
    "/accounts/{account_id}/tokens/{token}", summary="Take a token off", status_code=NO_CONTENT
)
async def remove_token(
    account_id: ResourceId, token: TokenValue, context: Context, _: Operator
) -> Response:
    await _accounts(context).remove_token(account_id, token)
    return Response(status_code=NO_CONTENT)


@router.get(
    "/accounts/{account_id}/statements/{month}",
    summary="The account's monthly statement (JSON, or CSV with format=csv)",
    response_model=None,
)
async def statement(
    account_id: ResourceId,
    month: MonthText,
    context: Context,
    _: Viewer,
    format: Annotated[Literal["json", "csv"], Query()] = "json",
) -> dict[str, Any] | Response:
    try:
        period = Month.parse(month)
    except ValueError as exc:
        raise InvalidInput(str(exc)) from None
    found = await _accounts(context).statement(account_id, period)
    if format == "json":
        return statement_json(found)
    name = f"statement-{account_id}-{period}.csv"
    return Response(
        statement_csv(found),
        media_type="text/csv; charset=utf-8",
        headers={"Content-Disposition": f'attachment; filename="{name}"'},
    )


@router.get("/account-billing/sites", summary="Sites billed to accounts, with their prices")
async def billed_sites(context: Context, _: Viewer) -> list[BilledSiteOut]:
    return [BilledSiteOut.of(site) for site in await _accounts(context).billed_sites()]


@router.put("/sites/{site_id}/account-billing", summary="Bill a site's sessions to accounts")
async def bill_site(
    site_id: ResourceId, body: BilledSiteIn, context: Context, _: Operator
) -> BilledSiteOut:
    site = BilledSite(site_id, body.price_per_kwh, body.currency)
    return BilledSiteOut.of(await _accounts(context).bill_site(site))


@router.delete(
    "/sites/{site_id}/account-billing", summary="Stop account billing", status_code=NO_CONTENT
)
async def unbill_site(site_id: ResourceId, context: Context, _: Operator) -> Response:
    await _accounts(context).unbill_site(site_id)
    return Response(status_code=NO_CONTENT)
