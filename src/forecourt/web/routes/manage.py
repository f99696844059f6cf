"""Network management: sites (operators add them), tokens (operators), API keys (admins).

Plain forms that work without JavaScript: post, then redirect back (``?done=...``)."""

from __future__ import annotations

from typing import Annotated

from fastapi import Form
from starlette.requests import Request
from starlette.responses import RedirectResponse, Response

from forecourt.api.bounds import RecordId
from forecourt.domain.stations import Site
from forecourt.domain.tokens import TokenKind, TokenRecord
from forecourt.services.access import Role
from forecourt.web.auth import ADMIN_ONLY, Viewer
from forecourt.web.context import Web
from forecourt.web.routes import page_router
from forecourt.web.scope import (
    NETWORK_OPERATOR_ONLY,
    visible_sites,
    visible_stations,
)

router = page_router()

Text = Annotated[str, Form(max_length=255)]

_DONE = {
    "site": "Site added.",
    "token": "Token added.",
    "blocked": "Token blocked.",
    "unblocked": "Token unblocked.",
    "revoked": "API key revoked.",
}


def _back(path: str, done: str) -> RedirectResponse:
    return RedirectResponse(f"{path}?done={done}", status_code=303)


@router.get("/dashboard/sites")
async def sites(request: Request, me: Viewer, web: Web, done: str = "") -> Response:
    stations = await visible_stations(web, me)
    counts = {site_id: 0 for site_id in {s.site_id for s in stations} if site_id}
    for station in stations:
        if station.site_id:
            counts[station.site_id] += 1
    context = {"sites": await visible_sites(web, me), "counts": counts, "done": _DONE.get(done)}
    return web.page(request, "dashboard/sites.html", context)


@router.post("/dashboard/sites", dependencies=[NETWORK_OPERATOR_ONLY])
async def add_site(
    web: Web,
    site_id: Text,
    name: Text,
    address: Text = "",
    timezone: Text = "UTC",
) -> Response:
    site = Site(site_id.strip(), name.strip(), address.strip(), timezone.strip() or "UTC")
    await web.services.network.add_site(site)
    return _back("/dashboard/sites", "site")


@router.get("/dashboard/tokens", dependencies=[NETWORK_OPERATOR_ONLY])
async def tokens(request: Request, web: Web, done: str = "") -> Response:
    context = {
        "tokens": await web.services.network.tokens(),
        "kinds": list(TokenKind),
        "done": _DONE.get(done),
    }
    return web.page(request, "dashboard/tokens.html", context)


@router.post("/dashboard/tokens", dependencies=[NETWORK_OPERATOR_ONLY])
async def add_token(
    web: Web,
    value: Text,
    kind: Annotated[TokenKind, Form()] = TokenKind.RFID,
    label: Text = "",
    group: Text = "",
) -> Response:
    token = TokenRecord(value.strip(), kind, label=label.strip(), group=group.strip() or None)
    await web.services.network.add_token(token)
    return _back("/dashboard/tokens", "token")


@router.post("/dashboard/tokens/block", dependencies=[NETWORK_OPERATOR_ONLY])
async def block_token(web: Web, value: Text, blocked: Annotated[bool, Form()] = True) -> Response:
    await web.services.network.update_token(value, blocked=blocked)
    return _back("/dashboard/tokens", "blocked" if blocked else "unblocked")


@router.get("/dashboard/api-keys", dependencies=[ADMIN_ONLY])
async def api_keys(request: Request, web: Web, done: str = "") -> Response:
    return await _api_keys_page(request, web, done=_DONE.get(done))


@router.post("/dashboard/api-keys", dependencies=[ADMIN_ONLY])
async def create_api_key(
    request: Request,
    web: Web,
    name: Text,
    role: Annotated[Role, Form()] = Role.VIEWER,
) -> Response:
    key, record = await web.services.api_keys.create(name.strip(), role)
    # Shown once, in this response only: it is stored hashed.
    return await _api_keys_page(request, web, new_key=key, new_record=record.name)


@router.post("/dashboard/api-keys/{key_id}/revoke", dependencies=[ADMIN_ONLY])
async def revoke_api_key(key_id: RecordId, web: Web) -> Response:
    await web.services.api_keys.revoke(key_id)
    return _back("/dashboard/api-keys", "revoked")


async def _api_keys_page(
    request: Request,
    web: Web,
    *,
    done: str | None = None,
    new_key: str | None = None,
    new_record: str | None = None,
) -> Response:
    context = {
        "keys": await web.services.api_keys.list(),
        "roles": list(Role),
        "done": done,
        "new_key": new_key,
        "new_record": new_record,
    }
    return web.page(request, "dashboard/api_keys.html", context)
