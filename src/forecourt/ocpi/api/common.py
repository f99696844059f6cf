"""What every OCPI route needs: the slice's services, the caller, the version in the path."""

from __future__ import annotations

from fastapi import APIRouter, Request

from forecourt.ocpi.api.transport import OcpiRoute, token_of, unknown
from forecourt.ocpi.domain.parties import Party, PartyState
from forecourt.ocpi.domain.status import StatusCode, unauthorized
from forecourt.ocpi.domain.versions import Version, parse_version
from forecourt.ocpi.keys import OCPI
from forecourt.ocpi.services.roaming import Roaming
from forecourt.services.core import Services

STATE_KEY = "ocpi_services"


def ocpi_router() -> APIRouter:
    return APIRouter(prefix="/ocpi", route_class=OcpiRoute, include_in_schema=False)


def roaming(request: Request) -> Roaming:
    services: Services = getattr(request.app.state, STATE_KEY)
    return services.feature(OCPI)


async def caller(request: Request, registered: bool = True) -> Party:
    """The party whose token this is; ``registered=False`` also lets token A in (versions and
    credentials only: credentials §7.1)."""
    found = await roaming(request).credentials.authenticate(token_of(request))
    if registered and found.state is not PartyState.REGISTERED:
        raise unauthorized("register first: token A opens only versions and credentials")
    return found


def version_of(text: str) -> Version:
    version = parse_version(text)
    if version is None:
        raise unknown(f"version {text!r}", StatusCode.UNSUPPORTED_VERSION)
    return version
