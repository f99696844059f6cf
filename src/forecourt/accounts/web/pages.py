"""The accounts pages: one service call each, rendered server-side."""

from __future__ import annotations

from typing import Annotated

from fastapi import Depends, Query
from starlette.requests import Request
from starlette.responses import Response

from forecourt.accounts.domain.accounts import Month
from forecourt.accounts.keys import ACCOUNTS
from forecourt.api.schemas.base import ResourceId
from forecourt.domain.errors import InvalidInput, NotFound
from forecourt.services.access import Role
from forecourt.web.auth import SignedIn, Viewer
from forecourt.web.context import Web
from forecourt.web.routes import page_router
from forecourt.web.scope import whole_network

router = page_router()

#: Network-wide pages: refused to users restricted to some sites.
NetworkViewer = Annotated[SignedIn, Depends(whole_network(Role.VIEWER))]

MonthQuery = Annotated[str | None, Query(description="YYYY-MM; this month by default.")]


@router.get("/dashboard/accounts")
async def accounts(request: Request, _me: NetworkViewer, web: Web) -> Response:
    service = web.services.feature(ACCOUNTS)
    context = {"accounts": await service.all(), "sites": await service.billed_sites()}
    return web.page(request, "dashboard/accounts.html", context)


@router.get("/dashboard/accounts/{account_id}")
async def account(
    request: Request, account_id: ResourceId, _me: NetworkViewer, web: Web, month: MonthQuery = None
) -> Response:
    service = web.services.feature(ACCOUNTS)
    period = _month(web, month)
    found, tokens = await service.get(account_id)
    statement = await service.statement(account_id, period)
    context = {"account": found, "tokens": tokens, "statement": statement}
    return web.page(request, "dashboard/account.html", context)


@router.get("/dashboard/sites/{site_id}/accounts")
async def site_accounts(
    request: Request, site_id: ResourceId, me: Viewer, web: Web, month: MonthQuery = None
) -> Response:
    if not me.access.sees_site(site_id):
        raise NotFound("site", site_id)  # outside the user's sites: existence private
    service = web.services.feature(ACCOUNTS)
    period = _month(web, month)
    billed = {site.site_id: site for site in await service.billed_sites()}
    context = {
        "site_id": site_id,
        "billing": billed.get(site_id),
        "month": period,
        "statements": await service.site_lines(site_id, period),
    }
    return web.page(request, "dashboard/site_accounts.html", context)


def _month(web: Web, text: str | None) -> Month:
    if text is None:
        now = web.services.ctx.clock.now()
        return Month(now.year, now.month)
    try:
        return Month.parse(text)
    except ValueError as exc:
        raise InvalidInput(str(exc)) from None
