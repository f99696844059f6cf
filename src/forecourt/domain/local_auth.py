"""Local authorization lists, the authorization cache and reservations: the neutral commands
and the pure rules of this protocol block (OCPP 1.6 Local Auth List Management and
Reservation profiles; 2.0.1 functional blocks C and D, and H)."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from enum import StrEnum

from forecourt.domain.tokens import AuthorizationStatus, TokenKind


@dataclass(frozen=True, slots=True)
class LocalListEntry:
    """One token on a station's local list; ``status`` None removes it (differential only)."""

    id_token: str
    kind: TokenKind = TokenKind.RFID
    status: AuthorizationStatus | None = AuthorizationStatus.ACCEPTED
    expires_at: str | None = None  # ISO 8601 (commands are logged as JSON)
    group: str | None = None


@dataclass(frozen=True, slots=True)
class SendLocalList:
    version: int
    full: bool
    entries: tuple[LocalListEntry, ...] = ()


@dataclass(frozen=True, slots=True)
class GetLocalListVersion:
    pass


@dataclass(frozen=True, slots=True)
class GetLocalListLimits:
    """Read how many entries the station takes per update and in all (``data``:
    ``per_message``, ``entries``; None when the station does not say)."""


@dataclass(frozen=True, slots=True)
class SetAuthCache:
    """Turn the station's authorization cache on or off."""

    enabled: bool


@dataclass(frozen=True, slots=True)
class ReserveNow:
    reservation_id: int
    id_token: str
    expires_at: str  # ISO 8601
    evse_id: int = 0  # 0: any connector of the station (1.6 connectorId 0)
    kind: TokenKind = TokenKind.CENTRAL
    group: str | None = None
    connector_type: str | None = None  # 2.0.1 only


@dataclass(frozen=True, slots=True)
class CancelReservation:
    reservation_id: int


class ReservationState(StrEnum):
    REQUESTED = "requested"  # sent, no answer yet
    ACTIVE = "active"  # the station accepted it
    REFUSED = "refused"  # the station answered Occupied/Faulted/Rejected/Unavailable
    CANCELLED = "cancelled"
    EXPIRED = "expired"
    REMOVED = "removed"  # the station dropped it (2.0.1 ReservationStatusUpdate Removed)
    USED = "used"  # a transaction started with it

    @property
    def holding(self) -> bool:
        """The connector is kept for the reservation's token."""
        return self in (ReservationState.REQUESTED, ReservationState.ACTIVE)


def admits(reserved_token: str, reserved_group: str | None, token: str, group: str | None) -> bool:
    """A reserved connector admits only its token, or a token of the same group."""
    return token == reserved_token or (reserved_group is not None and group == reserved_group)


class ListSync(StrEnum):
    """Where a station's local list stands against what it should hold."""

    IN_SYNC = "in_sync"
    PENDING = "pending"  # changes not yet sent (the station is offline, or sending)
    FAILED = "failed"  # the station refused the update; retried as a full update
    NOT_SUPPORTED = "not_supported"


def list_changes(
    sent: dict[str, LocalListEntry], wanted: dict[str, LocalListEntry]
) -> tuple[LocalListEntry, ...]:
    """The differential update from what the station holds to what it should hold."""
    changed = [entry for value, entry in sorted(wanted.items()) if sent.get(value) != entry]
    removed = [
        LocalListEntry(value, sent[value].kind, status=None)
        for value in sorted(sent)
        if value not in wanted
    ]
    return (*changed, *removed)


def chunks(
    entries: tuple[LocalListEntry, ...], size: int | None
) -> list[tuple[LocalListEntry, ...]]:
    """Entries split for stations that take at most ``size`` per message (at least one chunk)."""
    if not size or len(entries) <= size:
        return [entries]
    return [entries[i : i + size] for i in range(0, len(entries), size)]


@dataclass(slots=True)
class Reservation:
    """A connector (EVSE) kept for one token, or a token of its group, until ``expires_at``."""

    station_id: str
    evse_id: int  # 0: any connector of the station
    id_token: str
    expires_at: datetime
    created_at: datetime
    group: str | None = None
    connector_type: str | None = None
    state: ReservationState = ReservationState.REQUESTED
    answer: str = ""  # the station's answer, e.g. "occupied", or why it ended
    ended_at: datetime | None = None
    transaction_id: int | None = None
    requested_by: str = ""
    id: int = 0


@dataclass(slots=True)
class LocalListState:
    """What a station's local list holds (as last accepted) and how it stands."""

    station_id: str
    version: int = 0
    entries: dict[str, LocalListEntry] = field(default_factory=dict)
    sync: ListSync = ListSync.PENDING
    detail: str = ""
    max_per_message: int | None = None  # the station's ItemsPerMessage / SendLocalListMaxLength
    auth_cache_enabled: bool | None = None  # None: left as the station has it
    updated_at: datetime | None = None
