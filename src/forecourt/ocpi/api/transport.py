"""OCPI transport (transport_and_format): the token, the envelope, headers, pagination.

Every OCPI route answers with the envelope, errors included: a route class turns an
:class:`OcpiError` (and FastAPI's own parameter errors) into ``{status_code, status_message,
timestamp}`` with the right HTTP status, and echoes the request's correlation headers.
"""

from __future__ import annotations

import base64
import binascii
import json
from collections.abc import Callable, Coroutine, Mapping
from dataclasses import dataclass
from datetime import datetime
from typing import Annotated, Any
from urllib.parse import urlencode

from fastapi import Depends, Query, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse
from fastapi.routing import APIRoute
from starlette.responses import Response

from forecourt.ocpi.domain.status import OcpiError, StatusCode, invalid
from forecourt.ocpi.schemas.common import envelope
from forecourt.ocpi.services.stats import OcpiStats

#: Largest page we serve; a bigger ``limit`` is lowered to it (§4.1.2 pagination).
MAX_LIMIT = 100
_ECHOED = ("X-Request-ID", "X-Correlation-ID")


def token_of(request: Request) -> str | None:
    """The credentials token: ``Token <base64>`` (2.2.1/2.3.0 §4.1.3). A value that is not
    valid base64 of printable ASCII is taken as a plain token, as 2.1.1-style peers send."""
    header = request.headers.get("Authorization", "")
    scheme, _, value = header.partition(" ")
    if scheme.lower() != "token" or not value.strip():
        return None
    value = value.strip()
    try:
        decoded = base64.b64decode(value, validate=True).decode("ascii")
    except (binascii.Error, UnicodeDecodeError):
        return value
    return decoded if decoded.isprintable() and decoded.strip() == decoded else value


def reply(request: Request, data: Any, headers: Mapping[str, str] | None = None) -> JSONResponse:
    return JSONResponse(envelope(data), headers={**_echo(request), **(headers or {})})


def failure(request: Request, error: OcpiError) -> JSONResponse:
    body = envelope(None, int(error.code), error.message)
    return JSONResponse(body, status_code=error.http_status, headers=_echo(request))


def _echo(request: Request) -> dict[str, str]:
    headers = {name: request.headers[name] for name in _ECHOED if name in request.headers}
    # The answer goes back the other way: their "from" is our "to" (§4.1.4 routing headers).
    for ours, theirs in (("to", "from"), ("from", "to")):
        for part in ("country-code", "party-id"):
            value = request.headers.get(f"OCPI-{theirs}-{part}")
            if value:
                headers[f"OCPI-{ours}-{part}"] = value
    return headers


class OcpiRoute(APIRoute):
    """Answers every error with the OCPI envelope (never problem+json)."""

    def get_route_handler(self) -> Callable[[Request], Coroutine[Any, Any, Response]]:
        handler = super().get_route_handler()

        async def handle(request: Request) -> Response:
            try:
                response = await handler(request)
            except OcpiError as error:
                response = failure(request, error)
            except RequestValidationError as error:
                first = error.errors()[0] if error.errors() else {"loc": (), "msg": "invalid"}
                where = ".".join(str(p) for p in first["loc"])
                response = failure(request, invalid(f"{where}: {first['msg']}"))
            _count(request, response)
            return response

        return handle


#: ``app.state`` attribute holding the slice's ``OcpiStats`` (requests by module and status).
STATS_KEY = "ocpi_stats"


def _count(request: Request, response: Response) -> None:
    stats: OcpiStats | None = getattr(request.app.state, STATS_KEY, None)
    if stats is None:
        return
    parts = request.url.path.removeprefix("/ocpi/").split("/")
    module = parts[0] if parts[0] in ("versions", "feed") else (parts[1:2] or ["details"])[0]
    try:
        code = int(json.loads(bytes(response.body))["status_code"])
    except (ValueError, KeyError, TypeError):
        code = 0
    stats.answered(module, code)


async def json_body(request: Request) -> Any:
    try:
        return await request.json()
    except ValueError as exc:
        raise invalid("the body is not JSON") from exc


def page_headers(request: Request, paging: PageParams, total: int) -> dict[str, str]:
    """§4.1.3.1: ``X-Total-Count``, ``X-Limit`` and a ``Link`` to the next page if any."""
    offset, limit = paging.offset, paging.limit
    headers = {"X-Total-Count": str(total), "X-Limit": str(limit)}
    if offset + limit < total:
        query = dict(request.query_params)
        query.update(offset=str(offset + limit), limit=str(limit))
        url = str(request.url.replace(query=urlencode(query)))
        headers["Link"] = f'<{url}>; rel="next"'
    return headers


def bounded_limit(limit: int | None) -> int:
    if limit is not None and limit < 1:
        raise invalid("limit must be at least 1")
    return min(limit or MAX_LIMIT, MAX_LIMIT)


@dataclass(frozen=True, slots=True)
class PageParams:
    """§4.1.3.1 query parameters of every paginated GET."""

    offset: int
    limit: int
    date_from: datetime | None
    date_to: datetime | None

    def keeps(self, at: datetime) -> bool:
        """``last_updated`` in [date_from, date_to)."""
        return (self.date_from is None or at >= self.date_from) and (
            self.date_to is None or at < self.date_to
        )


def page_params(
    offset: Annotated[int, Query(ge=0)] = 0,
    limit: int | None = None,
    date_from: datetime | None = None,
    date_to: datetime | None = None,
) -> PageParams:
    return PageParams(offset, bounded_limit(limit), date_from, date_to)


Paging = Annotated[PageParams, Depends(page_params)]


def unknown(what: str, code: StatusCode = StatusCode.CLIENT_ERROR) -> OcpiError:
    return OcpiError(code, f"unknown {what}", 404)
