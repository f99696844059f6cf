"""What routes receive by dependency: the services, live connection state, the caller."""

from __future__ import annotations

from collections.abc import Awaitable, Callable, Iterable
from dataclasses import dataclass
from typing import Annotated, Any

from fastapi import Depends, Request, Security
from fastapi.security import APIKeyHeader, HTTPAuthorizationCredentials, HTTPBearer

from forecourt.api.problems import ProblemError
from forecourt.domain.stations import Station
from forecourt.ports.repositories import ApiKey
from forecourt.services.access import Role, role_allows
from forecourt.services.core import Services


@dataclass(frozen=True, slots=True)
class ApiContext:
    services: Services
    live_status: Callable[[], Iterable[str]] | None = None
    cluster_status: Callable[[], dict[str, Any]] | None = None  # cluster mode only

    def is_connected(self, station: Station) -> bool:
        return self.connection_check()(station)

    def connection_check(self) -> Callable[[Station], bool]:
        """The gateway's view when the API runs beside it, else what storage last recorded.

        Take one check per request: it snapshots the connected ids once, not per station.
        """
        if self.live_status is None:
            return lambda station: station.connected
        live = set(self.live_status())
        return lambda station: station.id in live


_STATE_KEY = "forecourt_api"


def binder(context: ApiContext) -> Callable[[Request], Awaitable[None]]:
    """A router-level dependency that hands ``context`` to this request's other dependencies."""

    async def bind(request: Request) -> None:
        setattr(request.state, _STATE_KEY, context)

    return bind


def current_context(request: Request) -> ApiContext:
    context: ApiContext = getattr(request.state, _STATE_KEY)
    return context


Context = Annotated[ApiContext, Depends(current_context)]


def current_services(context: Context) -> Services:
    return context.services


ServicesDep = Annotated[Services, Depends(current_services)]

#: The core's API routes answered without a key: the log upload URL stations are given.
#: Features declare theirs (what drivers and public pages need) in
#: ``Feature.public_api_routes``; every other route needs a key, and keys are network-wide
#: (a role, never sites). tests/web/test_route_scopes.py holds every route of the app to
#: ``forecourt.features.public_api_routes()``.
PUBLIC_ROUTES: frozenset[str] = frozenset(
    {
        # a station uploading a log it was asked for: the expiring token in the URL is the key
        "PUT /api/uploads/logs/{token}",
        "POST /api/uploads/logs/{token}",
    }
)

_bearer = HTTPBearer(auto_error=False, description="`Authorization: Bearer <API key>`")
_api_key_header = APIKeyHeader(
    name="X-API-Key", auto_error=False, description="The API key, as an alternative header."
)


async def authenticated_caller(
    services: ServicesDep,
    bearer: Annotated[HTTPAuthorizationCredentials | None, Security(_bearer)],
    header_key: Annotated[str | None, Security(_api_key_header)],
) -> ApiKey:
    presented = bearer.credentials if bearer is not None else header_key
    if not presented:
        raise _unauthorized("send an API key: `Authorization: Bearer <key>` or `X-API-Key`")
    key = await services.api_keys.verify(presented)
    if key is None:
        raise _unauthorized("the API key is not valid (unknown or revoked)")
    return key


def _unauthorized(detail: str) -> ProblemError:
    return ProblemError(
        401, "Unauthorized", detail, slug="unauthorized", headers={"WWW-Authenticate": "Bearer"}
    )


def requires(needed: Role) -> Callable[[ApiKey], Awaitable[ApiKey]]:
    async def check(caller: Annotated[ApiKey, Depends(authenticated_caller)]) -> ApiKey:
        role = role_of(caller)
        if role is None or not role_allows(role, needed):
            raise ProblemError(
                403,
                "Forbidden",
                f"this needs the {needed.value} role; key {caller.prefix!r} has {caller.role!r}",
                slug="forbidden",
            )
        return caller

    return check


def role_of(key: ApiKey) -> Role | None:
    """The key's role (token values are shown as ``services.access.shown_token`` says)."""
    try:
        return Role(key.role)
    except ValueError:  # a role this version does not know grants nothing
        return None


def requester(caller: ApiKey) -> str:
    """How command records name who asked."""
    return f"api-key:{caller.name} ({caller.prefix})"


Viewer = Annotated[ApiKey, Depends(requires(Role.VIEWER))]
Attendant = Annotated[ApiKey, Depends(requires(Role.ATTENDANT))]
Technician = Annotated[ApiKey, Depends(requires(Role.TECHNICIAN))]
Operator = Annotated[ApiKey, Depends(requires(Role.OPERATOR))]
Admin = Annotated[ApiKey, Depends(requires(Role.ADMIN))]
