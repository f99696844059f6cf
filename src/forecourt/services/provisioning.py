"""Who may connect, boot registration, heartbeats and connection state (OCPP B01-B04, 1.6 §4.2)."""

from __future__ import annotations

import random
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import datetime
from enum import StrEnum

from forecourt.domain.connectors import DEFAULT_RATINGS, ConnectorType
from forecourt.domain.errors import Conflict, InvalidInput
from forecourt.domain.events import StationEvent, StationEventKind
from forecourt.domain.stations import (
    BootDecision,
    BootInfo,
    ProtocolVersion,
    RegistrationPolicy,
    RegistrationStatus,
    Station,
    check_station_id,
)
from forecourt.ports.repositories import UnitOfWork
from forecourt.services.context import ServiceContext
from forecourt.services.credentials import (
    hash_password_off_loop,
    verify_password_off_loop,
    with_verifier,
)
from forecourt.services.station_identity import check_new_station_id


class Refusal(StrEnum):
    """Why a handshake was refused, for the edge's answer and the metrics."""

    UNAUTHORIZED = "unauthorized"  # unknown station (strict), bad or missing password
    INVALID_ID = "invalid_id"  # not a valid OCPP identity
    ID_CASE_CLASH = "id_case_clash"  # differs only in letter case from a stored station
    PENDING_FULL = "pending_full"  # max_pending_stations already await approval


@dataclass(frozen=True, slots=True)
class Connecting:
    """A connection's "connected" bookkeeping, not yet written: the station's BootNotification
    writes it in the boot's unit of work, so a reconnect costs one commit instead of two."""

    protocol: ProtocolVersion
    at: datetime  # the handshake
    admitted: Station | None = None  # as admission read it, for the event's subscribers


@dataclass(slots=True)
class Admission:
    """Decision at the websocket handshake. ``reason`` is for logs, never for the station."""

    allowed: bool
    reason: str = ""
    registration: RegistrationStatus | None = None
    vendor: str = ""  # as last booted: the edge looks up per-model quirks with it
    model: str = ""
    refusal: Refusal = Refusal.UNAUTHORIZED  # meaningful only when not allowed
    bad_password: bool = False  # a known station, a wrong or missing password: throttle these
    station: Station | None = field(default=None, repr=False)  # as read, when admitted


class Provisioning:
    def __init__(self, ctx: ServiceContext, rng: random.Random | None = None) -> None:
        self._ctx = ctx
        self._rng = rng or random.Random()
        self._started = ctx.clock.now()  # built at start-up: when a restart's storm begins

    async def admit(
        self, station_id: str, password: str | None, *, certified: bool = False
    ) -> Admission:
        """Security profile 1/2: HTTP Basic with username = station id (checked by the gateway).
        The password is checked after the unit of work ends: no connection is held meanwhile.
        ``certified``: profile 3, a client certificate already proved the identity (A00.FR.
        503: no Basic auth then)."""
        async with self._ctx.uow() as uow:
            station = await uow.stations.get(station_id)
        if station is None:
            return await self._admit_unknown(station_id, password)
        refused = None if certified else await self._password_refusal(station, password)
        if refused is not None:
            return refused
        return Admission(
            True, "", station.registration, station.vendor, station.model, station=station
        )

    async def _password_refusal(self, station: Station, password: str | None) -> Admission | None:
        if station.password_hash is not None:
            subject = f"station:{station.id}"
            if password is None:
                return Admission(False, "bad credentials", bad_password=True)
            if await verify_password_off_loop(password, station.password_hash, subject=subject):
                await self._store_verifier(station.id, station.password_hash, subject, password)
                if station.previous_password_hash is not None:
                    await self._end_rotation(station.id)
            elif not await self._previous_matches(station, password):
                return Admission(False, "bad credentials", bad_password=True)
        elif self._ctx.policy.require_station_password:
            return Admission(False, "station has no password and the policy requires one")
        return None

    async def _previous_matches(self, station: Station, password: str) -> bool:
        """Mid-rotation the station may still use its previous password (it had not yet
        switched, or its answer to the change was lost); it stays valid until the new one
        has been used."""
        previous = station.previous_password_hash
        return previous is not None and await verify_password_off_loop(password, previous)

    async def _end_rotation(self, station_id: str) -> None:
        """The station connected with its rotated password: the previous one is refused now."""
        async with self._ctx.uow() as uow:
            await uow.stations.forget_previous_password(station_id)
            self._ctx.stage_event(uow, "station.password_rotated", station_id)
            await uow.commit()

    async def _store_verifier(
        self, station_id: str, stored: str, subject: str, password: str
    ) -> None:
        """Once per password (and secret key): the next logins, after a restart too, are
        checked by the stored verifier instead of scrypt."""
        upgraded = with_verifier(stored, subject, password)
        if upgraded is None:
            return
        async with self._ctx.uow() as uow:
            await uow.stations.replace_password_hash(station_id, stored, upgraded)
            await uow.commit()

    async def _admit_unknown(self, station_id: str, password: str | None) -> Admission:
        policy = self._ctx.policy.registration
        try:
            check_station_id(station_id)  # cheap and before any database work
        except InvalidInput as problem:
            return Admission(False, str(problem), refusal=Refusal.INVALID_ID)
        if policy is RegistrationPolicy.STRICT:
            return Admission(False, "unknown station")
        status = (
            RegistrationStatus.ACCEPTED
            if policy is RegistrationPolicy.AUTO
            else RegistrationStatus.PENDING
        )
        # hashed before the unit of work: on SQLite it holds the process's one writer turn
        password_hash = await hash_password_off_loop(password) if password else None
        if password_hash is not None and password is not None:
            subject = f"station:{station_id}"
            password_hash = with_verifier(password_hash, subject, password) or password_hash
        station = Station(id=station_id, registration=status, password_hash=password_hash)
        async with self._ctx.uow() as uow:
            refused = await self._refuse_new(uow, station_id, policy)
            if refused is not None:
                return refused
            try:
                await uow.stations.add(station)
                self._ctx.stage_event(
                    uow, "station.registered", station_id, registration=status.value
                )
                await uow.commit()
            except Conflict:
                # Two connections of a new station raced; the first one registered it (and
                # published it: the rollback discards this one's event)
                await uow.rollback()
        return Admission(True, f"self-registered as {status.value}", status)

    async def _refuse_new(
        self, uow: UnitOfWork, station_id: str, policy: RegistrationPolicy
    ) -> Admission | None:
        try:
            await check_new_station_id(uow, station_id)
        except Conflict as clash:
            return Admission(False, str(clash), refusal=Refusal.ID_CASE_CLASH)
        if policy is RegistrationPolicy.PENDING and await self._pending_full(uow):
            limit = self._ctx.policy.max_pending_stations
            reason = f"{limit} stations already await approval (FORECOURT_MAX_PENDING_STATIONS)"
            return Admission(False, reason, refusal=Refusal.PENDING_FULL)
        return None

    async def _pending_full(self, uow: UnitOfWork) -> bool:
        waiting = await uow.stations.count_registered(RegistrationStatus.PENDING)
        return waiting >= self._ctx.policy.max_pending_stations

    async def boot(
        self, station_id: str, info: BootInfo, connecting: Connecting | None = None
    ) -> BootDecision:
        """Record a BootNotification; with ``connecting``, the connection's "connected"
        bookkeeping too, in the same unit of work (its events staged first)."""
        now = self._ctx.clock.now()
        async with self._ctx.uow() as uow:
            station = await uow.stations.get(station_id)
            if connecting is not None:
                await self._mark_connected(uow, station_id, connecting, station is not None)
            if station is None:  # admitted, then deleted by an operator meanwhile
                await uow.commit()
                return BootDecision(RegistrationStatus.REJECTED, self._retry_interval(), now)
            station.vendor, station.model = info.vendor, info.model
            station.serial_number = info.serial_number or station.serial_number
            station.firmware_version = info.firmware_version or station.firmware_version
            station.booted_at = station.last_seen_at = now
            if connecting is not None:  # the one UPDATE below writes the connection state
                station.connected, station.protocol = True, connecting.protocol
            await uow.stations.save(station)
            await uow.events.add(
                StationEvent(station_id, StationEventKind.BOOT, now, _boot_data(info))
            )
            decision = BootDecision(station.registration, self._interval_for(station), now)
            self._ctx.stage_event(
                uow, "station.booted", station_id, station, registration=decision.status.value
            )
            await uow.commit()
        return decision

    def _interval_for(self, station: Station) -> int:
        if station.registration is RegistrationStatus.ACCEPTED:
            return self._jittered(self._ctx.policy.heartbeat_interval_s)
        return self._retry_interval()

    def _retry_interval(self) -> int:
        return self._jittered(self._ctx.policy.pending_retry_interval_s)

    def _jittered(self, interval: int) -> int:
        """Right after start-up, a whole fleet reconnects and boots within seconds: with one
        interval, their heartbeats (or next boots) would keep arriving in that same burst.
        Only ever shorter: the reliability detectors judge a silence by the full interval."""
        policy = self._ctx.policy
        since_start = (self._ctx.clock.now() - self._started).total_seconds()
        if not policy.boot_interval_jitter or since_start >= policy.boot_interval_jitter_window_s:
            return interval
        cut = policy.boot_interval_jitter * self._rng.random()
        return max(1, round(interval * (1.0 - cut)))

    async def heartbeat(self, station_id: str) -> datetime:
        now = self._ctx.clock.now()
        async with self._ctx.uow() as uow:
            await uow.stations.touch(station_id, now)
            self._ctx.stage_event(uow, "link.heartbeat", station_id)  # liveness (not stored)
            await uow.commit()
        return now

    async def connected(
        self, station_id: str, protocol: ProtocolVersion, admitted: Station | None = None
    ) -> None:
        """One UPDATE, no read: every reconnect pays this (a churning fleet pays it often).
        ``admitted``: the station as admission read it, passed on to the event's subscribers."""
        await self.connected_as(station_id, self.connecting(protocol, admitted))

    def connecting(self, protocol: ProtocolVersion, admitted: Station | None = None) -> Connecting:
        """A connection's "connected" bookkeeping as of now, to write later (deferred)."""
        return Connecting(protocol, self._ctx.clock.now(), admitted)

    async def connected_as(self, station_id: str, connecting: Connecting) -> None:
        """The deferred "connected" bookkeeping written alone (no boot came to carry it)."""
        async with self._ctx.uow() as uow:
            found = await uow.stations.set_connected(
                station_id, True, connecting.at, connecting.protocol
            )
            await self._mark_connected(uow, station_id, connecting, found)
            await uow.commit()

    async def _mark_connected(
        self, uow: UnitOfWork, station_id: str, connecting: Connecting, found: bool
    ) -> None:
        """The CONNECTED history entry (a stored station only) and the event."""
        protocol = connecting.protocol.value
        if found:
            data = {"protocol": protocol}
            kind = StationEventKind.CONNECTED
            await uow.events.add(StationEvent(station_id, kind, connecting.at, data))
        self._ctx.stage_event(
            uow, "station.connected", station_id, connecting.admitted, protocol=protocol
        )

    async def disconnected(self, station_id: str, reason: str = "") -> None:
        now = self._ctx.clock.now()
        async with self._ctx.uow() as uow:
            await uow.stations.set_connected(station_id, False, now)
            await uow.events.add(
                StationEvent(station_id, StationEventKind.DISCONNECTED, now, {"reason": reason})
            )
            self._ctx.stage_event(uow, "station.disconnected", station_id, reason=reason)
            await uow.commit()

    async def connectors_reported(
        self, station_id: str, reported: Sequence[ReportedConnector]
    ) -> int:
        """Plug types a station reports of itself (2.1 NotifyReport ``Connector.ConnectorType``)
        fill in connectors whose type is unknown (or new ones); a type the operator recorded
        is kept (a retrofit may have changed the cable, not the firmware). Returns how many
        connectors changed."""
        changed = 0
        async with self._ctx.uow() as uow:
            station = await uow.stations.get(station_id)
            if station is None:
                return 0
            for item in reported:
                if item.type is ConnectorType.UNKNOWN or _known_type(station, item):
                    continue
                await uow.stations.upsert_connector(
                    station_id, item.evse_id, item.connector_id, item.type,
                    DEFAULT_RATINGS[item.type], item.built_in_plug,
                )  # fmt: skip
                changed += 1
            await uow.commit()
        return changed


@dataclass(frozen=True, slots=True)
class ReportedConnector:
    evse_id: int
    connector_id: int
    type: ConnectorType
    built_in_plug: ConnectorType | None = None  # a dispenser-integrated adapter's plug


def _known_type(station: Station, item: ReportedConnector) -> bool:
    evse = station.evse(item.evse_id)
    connector = None if evse is None else evse.connector(item.connector_id)
    return connector is not None and connector.type is not ConnectorType.UNKNOWN


def _boot_data(info: BootInfo) -> dict[str, object]:
    return {
        "vendor": info.vendor,
        "model": info.model,
        "serial_number": info.serial_number,
        "firmware_version": info.firmware_version,
        "reason": info.reason,
    }
