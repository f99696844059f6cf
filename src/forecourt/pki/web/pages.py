"""The PKI pages: one service call each, rendered server-side.

The station's Certificates panel also manages its trust store, revocation and security
profile (operators, as the API requires). With htmx each form swaps the panel, with the
station's answer or the refusal shown in it; without JavaScript the station page reloads.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from typing import Annotated, Any

from fastapi import Depends, Form
from starlette.requests import Request
from starlette.responses import RedirectResponse, Response

from forecourt.domain.certificates import CertificateHash, TrustAnchor
from forecourt.domain.commands import CommandRecord
from forecourt.domain.errors import ForecourtError, InvalidInput, NotFound
from forecourt.domain.stations import Station
from forecourt.pki.keys import PKI
from forecourt.services.access import Role
from forecourt.web.auth import Operator, SignedIn, Viewer
from forecourt.web.context import Web, WebContext
from forecourt.web.errors import is_htmx
from forecourt.web.routes import page_router
from forecourt.web.scope import visible_station, whole_network

router = page_router()

#: The CA serves every site: a network-wide page, refused to site-restricted accounts.
NetworkViewer = Annotated[SignedIn, Depends(whole_network(Role.VIEWER))]
FormText = Annotated[str, Form(max_length=10_000)]
ShortText = Annotated[str, Form(max_length=200)]

#: What a form did: the station's answer to a command, or a sentence for a local change.
Outcome = CommandRecord | str


@router.get("/dashboard/pki")
async def overview(request: Request, _me: NetworkViewer, web: Web) -> Response:
    pki = web.services.feature(PKI)
    context = {
        "authorities": await pki.authority.authorities(),
        "certificates": await pki.authority.certificates(),
        "now": web.services.ctx.clock.now(),
    }
    return web.page(request, "dashboard/pki.html", context)


@router.get("/dashboard/pki/stations/{station_id}/panel")
async def station_panel(request: Request, station_id: str, me: Viewer, web: Web) -> Response:
    station = await visible_station(web, me, station_id)
    return await _panel(request, web, station)


@router.post("/dashboard/pki/stations/{station_id}/trust-store")
async def install_certificate(
    request: Request,
    station_id: str,
    me: Operator,
    web: Web,
    anchor: ShortText = "",
    certificate_pem: FormText = "",
) -> Response:
    station = await visible_station(web, me, station_id)

    async def install() -> Outcome:
        stores = web.services.feature(PKI).trust_stores
        chosen = _anchor(anchor)
        return await stores.install(station.id, chosen, certificate_pem, me.requester)

    return await _act(request, web, station, install)


@router.post("/dashboard/pki/stations/{station_id}/trust-store/deletion")
async def delete_certificate(
    request: Request,
    station_id: str,
    me: Operator,
    web: Web,
    hash_algorithm: ShortText = "SHA256",
    issuer_name_hash: ShortText = "",
    issuer_key_hash: ShortText = "",
    serial_number: ShortText = "",
) -> Response:
    station = await visible_station(web, me, station_id)

    async def delete() -> Outcome:
        names = (hash_algorithm, issuer_name_hash, issuer_key_hash, serial_number)
        if not all(n.strip() for n in names) or hash_algorithm not in _HASH_ALGORITHMS:
            raise InvalidInput("to delete a certificate give its hash algorithm and all hashes")
        certificate = CertificateHash(*(n.strip() for n in names))
        stores = web.services.feature(PKI).trust_stores
        return await stores.delete(station.id, certificate, me.requester)

    return await _act(request, web, station, delete)


@router.post("/dashboard/pki/stations/{station_id}/certificates/{serial}/revocation")
async def revoke_certificate(
    request: Request, station_id: str, serial: str, me: Operator, web: Web, reason: ShortText = ""
) -> Response:
    station = await visible_station(web, me, station_id)

    async def revoke() -> Outcome:
        authority = web.services.feature(PKI).authority
        if serial not in {c.serial for c in await authority.certificates(station.id)}:
            raise NotFound("certificate", serial)  # only this station's certificates
        await authority.revoke(serial, reason.strip())
        return f"Certificate {serial} revoked: the station cannot connect with it any more."

    return await _act(request, web, station, revoke)


@router.post("/dashboard/pki/stations/{station_id}/profile")
async def switch_profile(
    request: Request,
    station_id: str,
    me: Operator,
    web: Web,
    security_profile: ShortText = "",
    allow_downgrade: ShortText = "",
) -> Response:
    station = await visible_station(web, me, station_id)

    async def switch() -> Outcome:
        if security_profile not in ("1", "2", "3"):
            raise InvalidInput("choose security profile 1, 2 or 3")
        stations = web.services.feature(PKI).stations
        downgrade = allow_downgrade == "true"
        requested = int(security_profile)
        done = await stations.switch_profile(
            station.id, requested, allow_downgrade=downgrade, requested_by=me.requester
        )
        return done.command

    return await _act(request, web, station, switch)


_HASH_ALGORITHMS = ("SHA256", "SHA384", "SHA512")


def _anchor(value: str) -> TrustAnchor:
    try:
        return TrustAnchor(value)
    except ValueError:
        raise InvalidInput(f"choose what the certificate is for (not {value!r})") from None


async def _act(
    request: Request, web: WebContext, station: Station, action: Callable[[], Awaitable[Outcome]]
) -> Response:
    """Run a form's action; htmx gets the panel back with the outcome or the refusal (a
    refusal is not swapped by htmx at 4xx), a plain form post the error page or the station."""
    try:
        outcome = await action()
    except ForecourtError as refusal:
        if not is_htmx(request):
            raise
        return await _panel(request, web, station, refusal=str(refusal))
    if not is_htmx(request):
        return RedirectResponse(f"/dashboard/stations/{station.id}", status_code=303)
    return await _panel(request, web, station, outcome=outcome)


async def _panel(
    request: Request,
    web: WebContext,
    station: Station,
    *,
    outcome: Outcome | None = None,
    refusal: str = "",
) -> Response:
    pki = web.services.feature(PKI)
    context: dict[str, Any] = {
        "station": station,
        "profile": await pki.stations.profile_state(station.id),
        "certificates": await pki.authority.certificates(station.id),
        "now": web.services.ctx.clock.now(),
        "anchors": list(TrustAnchor),
        "refusal": refusal,
        "note": outcome if isinstance(outcome, str) else "",
        "record": outcome if isinstance(outcome, CommandRecord) else None,
    }
    return web.page(request, "dashboard/_pki_panel.html", context)
