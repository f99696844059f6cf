"""ISO 15118 Plug & Charge on 1.6: the OCA DataTransfer wrapper (vendorId
``org.openchargealliance.iso15118pnc``, messageId = the 2.0.1 action, data = its payload as
JSON text). The inner payload is checked against the 2.0.1 schema, then served by the
same handlers as 2.0.1 (``ocpp.iso15118``); the answer's data is the 2.0.1 response.
"""

from __future__ import annotations

import json
from collections.abc import Awaitable, Callable, Mapping
from typing import Any

from forecourt.domain.tokens import IdToken, TokenKind
from forecourt.ocpp import iso15118
from forecourt.ocpp.adapter import Link
from forecourt.ocpp.errors import ErrorKind, OcppError
from forecourt.ocpp.v16.wire_types.diagnostics import DataTransferRequest, DataTransferResponse
from forecourt.ocpp.validation import validator_for
from forecourt.ocpp.versions import OcppVersion

Wrapped = Callable[[Link, Mapping[str, Any]], Awaitable[dict[str, Any]]]


async def _authorize(link: Link, p: Mapping[str, Any]) -> dict[str, Any]:
    # The wrapper exists for contracts: the token is the car's eMAID whatever type it says.
    return await iso15118.authorize(link, IdToken(p["idToken"]["idToken"], TokenKind.EMAID), p)


#: The 2.0.1 actions a 1.6 station may wrap (station -> CSMS).
WRAPPED: Mapping[str, Wrapped] = {
    "Authorize": _authorize,
    "Get15118EVCertificate": iso15118.get_15118_ev_certificate,
    "GetCertificateStatus": iso15118.get_certificate_status,
}


def is_wrapped(p: DataTransferRequest) -> bool:
    return p["vendorId"] == iso15118.PNC_VENDOR


async def data_transfer(link: Link, p: DataTransferRequest) -> DataTransferResponse:
    """Unwrap, validate as 2.0.1, serve, wrap the answer; an unknown messageId is
    UnknownMessageId, a payload that is not the 2.0.1 message a CALLERROR naming the field."""
    message_id = p.get("messageId", "")
    handler = WRAPPED.get(message_id)
    if handler is None:
        return {"status": "UnknownMessageId"}
    payload = _inner_payload(p.get("data"))
    validator_for(OcppVersion.V201).validate_request(message_id, payload)
    answer = await handler(link, payload)
    return {"status": "Accepted", "data": json.dumps(answer, separators=(",", ":"))}


def _inner_payload(data: str | None) -> dict[str, Any]:
    try:
        payload = json.loads(data or "")
    except ValueError:
        raise OcppError(ErrorKind.FORMAT, "data is not the JSON text of a 2.0.1 payload") from None
    if not isinstance(payload, dict):
        raise OcppError(ErrorKind.FORMAT, "data must be the JSON text of a 2.0.1 object")
    return payload
