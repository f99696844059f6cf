"""Commands, receiver interface (mod_commands §13.2.2): ``POST /{version}/commands/{command}``."""

from __future__ import annotations

from fastapi import Request
from fastapi.responses import JSONResponse

from forecourt.ocpi.api.common import caller, ocpi_router, roaming, version_of
from forecourt.ocpi.api.transport import json_body, reply
from forecourt.ocpi.domain.commands import CommandType, ResponseType
from forecourt.ocpi.domain.status import invalid
from forecourt.ocpi.schemas.commands import parse_command, supported
from forecourt.ocpi.services.commands import RESULT_TIMEOUT_S

router = ocpi_router()


@router.post("/{version}/commands/{command}")
async def receive_command(version: str, command: str, request: Request) -> JSONResponse:
    version_of(version)
    party = await caller(request)
    try:
        kind = CommandType(command)
    except ValueError as exc:
        raise invalid(f"unknown command {command!r}") from exc
    body = await json_body(request)
    if not supported(kind):
        return reply(request, _response(ResponseType.NOT_SUPPORTED, f"{kind.value} is not offered"))
    answer = await roaming(request).commands.receive(party, parse_command(kind, body))
    return reply(request, _response(answer))


def _response(result: ResponseType, message: str = "") -> dict[str, object]:
    """§13.3.1 CommandResponse."""
    body: dict[str, object] = {"result": result.value, "timeout": RESULT_TIMEOUT_S}
    if message:
        body["message"] = [{"language": "en", "text": message}]
    return body
