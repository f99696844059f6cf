"""mod_commands request objects (§13.3, the same in 2.2.1 and 2.3.0), parsed into the domain's."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

from pydantic import BaseModel, Field, ValidationError

from forecourt.ocpi.domain.commands import (
    CancelReservation,
    CommandType,
    OcpiCommand,
    ReserveNow,
    StartSession,
    StopSession,
    UnlockConnector,
)
from forecourt.ocpi.domain.status import invalid
from forecourt.ocpi.schemas.codec import _first
from forecourt.ocpi.schemas.common import OcpiModel
from forecourt.ocpi.schemas.tokens import Token, roaming_token

Url = Field(min_length=1, max_length=255)
Id36 = Field(min_length=1, max_length=36)


class StartSessionRequest(OcpiModel):
    response_url: str = Url
    token: Token
    location_id: str = Id36
    evse_uid: str | None = Field(default=None, max_length=36)
    connector_id: str | None = Field(default=None, max_length=36)
    authorization_reference: str | None = Field(default=None, max_length=36)


class StopSessionRequest(OcpiModel):
    response_url: str = Url
    session_id: str = Id36


class UnlockConnectorRequest(OcpiModel):
    response_url: str = Url
    location_id: str = Id36
    evse_uid: str = Id36
    connector_id: str = Id36


class ReserveNowRequest(OcpiModel):
    response_url: str = Url
    token: Token
    expiry_date: datetime
    reservation_id: str = Id36
    location_id: str = Id36
    evse_uid: str | None = Field(default=None, max_length=36)
    authorization_reference: str | None = Field(default=None, max_length=36)


class CancelReservationRequest(OcpiModel):
    response_url: str = Url
    reservation_id: str = Id36


_MODELS: dict[CommandType, type[BaseModel]] = {
    CommandType.START_SESSION: StartSessionRequest,
    CommandType.STOP_SESSION: StopSessionRequest,
    CommandType.UNLOCK_CONNECTOR: UnlockConnectorRequest,
    CommandType.RESERVE_NOW: ReserveNowRequest,
    CommandType.CANCEL_RESERVATION: CancelReservationRequest,
}


def supported(command: CommandType) -> bool:
    return command in _MODELS


def parse_command(command: CommandType, data: Any) -> OcpiCommand:
    try:
        parsed = _MODELS[command].model_validate(data)
    except ValidationError as exc:
        raise invalid(f"{command.value}: {_first(exc)}") from exc
    if isinstance(parsed, StartSessionRequest):
        return StartSession(
            parsed.response_url,
            roaming_token(parsed.token),
            parsed.location_id,
            parsed.evse_uid,
            parsed.authorization_reference,
        )
    if isinstance(parsed, StopSessionRequest):
        return StopSession(parsed.response_url, parsed.session_id)
    if isinstance(parsed, ReserveNowRequest):
        expiry = parsed.expiry_date  # types §DateTime: no designator means UTC
        return ReserveNow(
            parsed.response_url,
            roaming_token(parsed.token),
            expiry if expiry.tzinfo else expiry.replace(tzinfo=UTC),
            parsed.reservation_id,
            parsed.location_id,
            parsed.evse_uid,
            parsed.authorization_reference,
        )
    if isinstance(parsed, CancelReservationRequest):
        return CancelReservation(parsed.response_url, parsed.reservation_id)
    assert isinstance(parsed, UnlockConnectorRequest)
    return UnlockConnector(
        parsed.response_url, parsed.location_id, parsed.evse_uid, parsed.connector_id
    )
