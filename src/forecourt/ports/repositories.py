"""Persistence ports. One unit of work = one database transaction.

Repositories return and accept domain objects only. Writes become durable at ``commit()``;
a unit of work left without commit rolls back.
"""

from __future__ import annotations

import builtins
from collections.abc import Callable, Collection, Sequence
from dataclasses import dataclass
from datetime import datetime
from types import TracebackType
from typing import Protocol, Self, TypeVar

from forecourt.domain.commands import CommandRecord
from forecourt.domain.connectors import ConnectorRating, ConnectorType
from forecourt.domain.events import StationEvent, StationEventKind
from forecourt.domain.metering import MeterSample
from forecourt.domain.stations import (
    ProtocolVersion,
    RegistrationStatus,
    Site,
    Station,
    StatusReport,
)
from forecourt.domain.tokens import TokenRecord
from forecourt.domain.transactions import Transaction, TransactionState
from forecourt.ports.device import DeviceRepository
from forecourt.ports.drift import DriftRepository
from forecourt.ports.keys import Key
from forecourt.ports.local_auth import LocalListRepository, ReservationRepository
from forecourt.ports.maintenance import MaintenanceRepository
from forecourt.ports.outbox import ConsumedEvents, EventOutbox
from forecourt.ports.users import UserRepository

R = TypeVar("R")


@dataclass(frozen=True, slots=True)
class StatusHistoryEntry:
    station_id: str
    report: StatusReport
    received_at: datetime
    id: int = 0


@dataclass(frozen=True, slots=True)
class StoredSample:
    """A meter sample as stored: where it came from and which transaction it belongs to."""

    station_id: str
    evse_id: int
    transaction_id: int | None
    sample: MeterSample


@dataclass(frozen=True, slots=True)
class ApiKey:
    id: int
    name: str
    prefix: str  # first characters of the key, shown to operators, used for lookup
    key_hash: str
    created_at: datetime
    revoked: bool = False
    role: str = "admin"


@dataclass(frozen=True, slots=True)
class TransactionFilter:
    station_id: str | None = None
    state: TransactionState | None = None
    id_token: str | None = None
    since: datetime | None = None
    until: datetime | None = None
    limit: int = 100
    offset: int = 0


class SiteRepository(Protocol):
    async def get(self, site_id: str) -> Site | None: ...
    async def list(self) -> list[Site]: ...
    async def add(self, site: Site) -> None: ...  # raises domain.errors.Conflict on duplicate id
    async def save(self, site: Site) -> None: ...


class StationRepository(Protocol):
    async def get(self, station_id: str) -> Station | None: ...  # with EVSEs and connectors
    async def list(self, site_id: str | None = None) -> list[Station]: ...
    async def ids(self) -> builtins.list[str]: ...  # every station id, nothing else (cheap)
    async def add(self, station: Station) -> None: ...  # Conflict on duplicate id
    async def id_ignoring_case(self, station_id: str) -> str | None: ...
    # ^ the stored id equal to station_id ignoring ASCII case (ids are unique that way)
    async def count_registered(self, registration: RegistrationStatus) -> int: ...
    async def save(self, station: Station) -> None: ...  # station fields only, not EVSEs
    async def touch(self, station_id: str, at: datetime) -> None: ...  # last_seen_at, cheap
    async def set_clock_drift(self, station_id: str, drift_s: float) -> bool: ...
    # ^ one cheap UPDATE; False (and nothing stored) for an unknown station
    async def replace_password_hash(self, station_id: str, expected: str, new: str) -> bool: ...
    # ^ only while the stored hash is still ``expected`` (a concurrent change wins)
    async def rotate_password_hash(self, station_id: str, expected: str, new: str) -> bool: ...
    # ^ ``new`` becomes the password, ``expected`` the previous one (only while it is current)
    async def forget_previous_password(self, station_id: str) -> None: ...
    async def set_connected(
        self,
        station_id: str,
        connected: bool,
        at: datetime,
        protocol: ProtocolVersion | None = None,
    ) -> bool: ...  # one UPDATE; False (and nothing stored) for an unknown station
    async def mark_all_disconnected(self, keep: Collection[str] = ()) -> None: ...  # at start
    async def upsert_connector(
        self,
        station_id: str,
        evse_id: int,
        connector_id: int,
        connector_type: ConnectorType | None = None,
        rating: ConnectorRating | None = None,
        built_in_plug: ConnectorType | None = None,  # set (or cleared) with connector_type
    ) -> None: ...  # creates the EVSE/connector when missing; None leaves a field unchanged
    async def remove_connector(self, station_id: str, evse_id: int, connector_id: int) -> None: ...
    async def set_evse_power(
        self, station_id: str, evse_id: int, max_power_w: float | None
    ) -> None: ...
    async def update_status(self, station_id: str, report: StatusReport) -> None: ...

    # ^ sets the connector's live status (creating the connector if unknown);
    #   evse_id 0 / connector 0 reports are station-wide and touch no connector.


class StatusHistoryRepository(Protocol):
    async def add(self, entry: StatusHistoryEntry) -> None: ...
    async def list(
        self, station_id: str, *, since: datetime | None = None, limit: int = 100
    ) -> list[StatusHistoryEntry]: ...  # newest first


class TokenRepository(Protocol):
    async def get(self, value: str) -> TokenRecord | None: ...
    async def list(self) -> list[TokenRecord]: ...
    async def add(self, token: TokenRecord) -> None: ...  # Conflict on duplicate value
    async def save(self, token: TokenRecord) -> None: ...
    async def group_members(self, group: str) -> builtins.list[str]: ...


class TransactionRepository(Protocol):
    async def add(self, tx: Transaction) -> Transaction: ...
    # ^ one INSERT: assigns tx.id; when tx.station_tx_id is empty it becomes str(tx.id), in
    #   the same statement (a row is never stored without its wire id). Build it complete first.
    #   Conflict if (station_id, station_tx_id) or (station_id, start_key) already exists.
    async def get(self, tx_id: int) -> Transaction | None: ...
    async def get_for_update(
        self, tx_id: int
    ) -> Transaction | None: ...  # row lock where supported
    async def by_station_tx_id(self, station_id: str, station_tx_id: str) -> Transaction | None: ...
    async def by_station_tx_id_for_update(
        self, station_id: str, station_tx_id: str
    ) -> Transaction | None: ...  # by_station_tx_id + get_for_update in one query
    async def by_start_key(self, station_id: str, start_key: str) -> Transaction | None: ...
    async def active_for_tokens(self, tokens: Sequence[str]) -> list[Transaction]: ...
    async def active_on_evse(self, station_id: str, evse_id: int) -> list[Transaction]: ...
    async def list(self, flt: TransactionFilter) -> list[Transaction]: ...  # newest first
    async def count(self, flt: TransactionFilter) -> int: ...
    async def save(self, tx: Transaction) -> None: ...


class MeterRepository(Protocol):
    async def add(self, samples: Sequence[StoredSample]) -> int: ...
    # ^ returns how many were new: an identical sample (same station, evse, transaction,
    #   timestamp, measurand, phase, context, location) is stored once, so replays add nothing.
    async def for_transaction(self, tx_id: int) -> list[MeterSample]: ...  # time order
    async def latest_for_station(self, station_id: str, limit: int = 50) -> list[StoredSample]: ...


class StationEventRepository(Protocol):
    async def add(self, event: StationEvent) -> int: ...
    async def list(
        self,
        station_id: str | None = None,
        kind: StationEventKind | None = None,
        limit: int = 100,
    ) -> list[StationEvent]: ...  # newest first


class CommandRepository(Protocol):
    async def add(self, record: CommandRecord) -> CommandRecord: ...  # assigns id
    async def save(self, record: CommandRecord) -> None: ...
    async def get(self, command_id: int) -> CommandRecord | None: ...
    async def list(
        self, station_id: str | None = None, limit: int = 100
    ) -> list[CommandRecord]: ...


class ApiKeyRepository(Protocol):
    async def add(
        self, name: str, prefix: str, key_hash: str, role: str, at: datetime
    ) -> ApiKey: ...
    async def by_prefix(self, prefix: str) -> list[ApiKey]: ...
    async def list(self) -> list[ApiKey]: ...
    async def revoke(self, key_id: int) -> bool: ...


class UnitOfWork(Protocol):
    sites: SiteRepository
    stations: StationRepository
    statuses: StatusHistoryRepository
    tokens: TokenRepository
    transactions: TransactionRepository
    meter: MeterRepository
    events: StationEventRepository
    commands: CommandRepository
    api_keys: ApiKeyRepository
    users: UserRepository
    maintenance: MaintenanceRepository
    local_lists: LocalListRepository
    reservations: ReservationRepository
    device: DeviceRepository
    drift: DriftRepository
    outbox: EventOutbox  # events committed with the change (ports/outbox.py)
    consumed: ConsumedEvents  # event ids durable consumers handled (ports/outbox.py)

    def repository(self, key: Key[R]) -> R:
        """A feature's repository (``forecourt.extension.Feature.repositories``)."""
        ...

    async def commit(self) -> None: ...
    async def rollback(self) -> None: ...
    async def __aenter__(self) -> Self: ...
    async def __aexit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None: ...


UnitOfWorkFactory = Callable[[], UnitOfWork]
