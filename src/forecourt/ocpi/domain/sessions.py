"""Roaming sessions and CDRs (mod_sessions §9, mod_cdrs §10), version-neutral.

A session is roaming when its token belongs to a registered partner (a START_SESSION it sent,
or a token it pushed or vouched for in real time): only that partner gets the session and its
CDR. Amounts are never computed here: they are the bill (``ports.session_costs.BilledCost``).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from enum import StrEnum

from forecourt.ocpi.domain.tokens import TokenType


class AuthMethod(StrEnum):
    """mod_cdrs AuthMethod: how the session was authorized."""

    AUTH_REQUEST = "AUTH_REQUEST"  # real-time authorization at the eMSP
    COMMAND = "COMMAND"  # START_SESSION
    WHITELIST = "WHITELIST"  # the pushed copy decided


class SessionStatus(StrEnum):
    ACTIVE = "ACTIVE"
    COMPLETED = "COMPLETED"
    INVALID = "INVALID"
    PENDING = "PENDING"
    RESERVATION = "RESERVATION"


@dataclass(frozen=True, slots=True)
class CdrToken:
    """mod_cdrs CdrToken: whose token it was."""

    country_code: str
    party_id: str
    uid: str
    type: TokenType
    contract_id: str

    def to_dict(self) -> dict[str, str]:
        return {
            "country_code": self.country_code,
            "party_id": self.party_id,
            "uid": self.uid,
            "type": self.type.value,
            "contract_id": self.contract_id,
        }

    @classmethod
    def from_dict(cls, data: dict[str, str]) -> CdrToken:
        return cls(
            data["country_code"],
            data["party_id"],
            data["uid"],
            TokenType(data["type"]),
            data["contract_id"],
        )


@dataclass(frozen=True, slots=True)
class Expected:
    """A START_SESSION we accepted: the next session of this token on that EVSE is the
    partner's, started by command (with its ``authorization_reference``)."""

    party_id: int
    token: CdrToken
    station_id: str
    evse_number: int | None
    authorization_reference: str | None
    until: datetime


@dataclass(frozen=True, slots=True)
class RoamingSession:
    """Our record that a transaction belongs to a partner (``ocpi_sessions``)."""

    transaction_id: int
    party_id: int
    token: CdrToken
    auth_method: AuthMethod
    authorization_reference: str | None
    location_id: str
    evse_uid: str
    connector_id: str
    created_at: datetime

    @property
    def session_id(self) -> str:
        """The OCPI Session.id: our transaction number (STOP_SESSION names it)."""
        return str(self.transaction_id)

    @property
    def cdr_id(self) -> str:
        return f"CDR-{self.transaction_id}"


@dataclass(frozen=True, slots=True)
class StoredCdr:
    """An immutable CDR: its wire form per version, made once when the session ended."""

    id: str
    transaction_id: int
    party_id: int
    currency: str
    total: str  # taxes included, major units (for listings)
    kwh: float
    created_at: datetime
    bodies: dict[str, dict[str, object]]  # version -> the CDR object as sent


#: PATCHed fields of a running session (mod_sessions §9.2.2: only what changed).
PATCHED = ("kwh", "total_cost", "status", "charging_periods", "end_date_time", "last_updated")
