"""Commands (mod_commands §13), CPO side: what an eMSP asks, and how our answers read in OCPI."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from enum import StrEnum

from forecourt.domain.commands import CommandStatus
from forecourt.ocpi.domain.tokens import RoamingToken


class CommandType(StrEnum):
    CANCEL_RESERVATION = "CANCEL_RESERVATION"
    RESERVE_NOW = "RESERVE_NOW"
    START_SESSION = "START_SESSION"
    STOP_SESSION = "STOP_SESSION"
    UNLOCK_CONNECTOR = "UNLOCK_CONNECTOR"


class ResponseType(StrEnum):
    """§13.4.2 CommandResponseType: answered at once, before the station is asked."""

    ACCEPTED = "ACCEPTED"
    NOT_SUPPORTED = "NOT_SUPPORTED"
    REJECTED = "REJECTED"
    UNKNOWN_SESSION = "UNKNOWN_SESSION"


class ResultType(StrEnum):
    """§13.4.3 CommandResultType: the station's answer, POSTed to ``response_url``."""

    ACCEPTED = "ACCEPTED"
    CANCELED_RESERVATION = "CANCELED_RESERVATION"
    EVSE_OCCUPIED = "EVSE_OCCUPIED"
    EVSE_INOPERATIVE = "EVSE_INOPERATIVE"
    FAILED = "FAILED"
    NOT_SUPPORTED = "NOT_SUPPORTED"
    REJECTED = "REJECTED"
    TIMEOUT = "TIMEOUT"
    UNKNOWN_RESERVATION = "UNKNOWN_RESERVATION"


_RESULTS = {
    CommandStatus.ACCEPTED: ResultType.ACCEPTED,
    CommandStatus.UNLOCKED: ResultType.ACCEPTED,
    CommandStatus.REJECTED: ResultType.REJECTED,
    CommandStatus.ONGOING_TRANSACTION: ResultType.EVSE_OCCUPIED,
    CommandStatus.OCCUPIED: ResultType.EVSE_OCCUPIED,
    CommandStatus.FAULTED: ResultType.EVSE_INOPERATIVE,
    CommandStatus.UNAVAILABLE: ResultType.EVSE_INOPERATIVE,
    CommandStatus.NOT_SUPPORTED: ResultType.NOT_SUPPORTED,
    CommandStatus.TIMEOUT: ResultType.TIMEOUT,
    CommandStatus.OFFLINE: ResultType.FAILED,
}


def result_of(status: CommandStatus) -> ResultType:
    """How a station's answer (or our failure to get one) reads as a CommandResult."""
    return _RESULTS.get(status, ResultType.FAILED)


@dataclass(frozen=True, slots=True)
class StartSession:
    response_url: str
    token: RoamingToken
    location_id: str
    evse_uid: str | None = None
    authorization_reference: str | None = None


@dataclass(frozen=True, slots=True)
class StopSession:
    response_url: str
    session_id: str  # our transaction id (the OCPI session id we publish)


@dataclass(frozen=True, slots=True)
class UnlockConnector:
    response_url: str
    location_id: str
    evse_uid: str
    connector_id: str


@dataclass(frozen=True, slots=True)
class ReserveNow:
    response_url: str
    token: RoamingToken
    expiry_date: datetime
    reservation_id: str  # the eMSP's id (ours is the core reservation's)
    location_id: str
    evse_uid: str | None = None
    authorization_reference: str | None = None


@dataclass(frozen=True, slots=True)
class CancelReservation:
    response_url: str
    reservation_id: str


OcpiCommand = StartSession | StopSession | UnlockConnector | ReserveNow | CancelReservation


def reservation_result(answer: str) -> ResultType:
    """A core reservation's recorded answer (``CommandStatus`` value) as a CommandResult."""
    try:
        return result_of(CommandStatus(answer))
    except ValueError:
        return ResultType.FAILED
