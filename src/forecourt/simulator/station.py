"""A simulated charging station: the public face of the simulator.

async with SimulatedStation(StationConfig("SIM-001", protocol="2.0.1")) as station:
    await station.wait_ready(timeout=10)
    session = station.start_session(1)
    await session.wait_ended()
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import random
from collections.abc import Callable
from types import TracebackType

from forecourt.simulator.charging import run_session
from forecourt.simulator.config import StationConfig, StationFaults
from forecourt.simulator.dialect import Dialect
from forecourt.simulator.physics import VEHICLES, VehicleProfile
from forecourt.simulator.profiles import ProfileStore
from forecourt.simulator.rpc import FrameTap, Payload
from forecourt.simulator.session import ChargingSession, ConnectorStatus, EvseState, StopCause
from forecourt.simulator.settings import SettingsStore
from forecourt.simulator.uplink import Uplink
from forecourt.simulator.v16 import V16Dialect
from forecourt.simulator.v21 import V21Dialect
from forecourt.simulator.v201 import V201Dialect

_LOG = logging.getLogger(__name__)


class SimulatedStation:
    def __init__(
        self,
        config: StationConfig,
        *,
        on_event: Callable[[str], None] | None = None,
        on_frame: FrameTap | None = None,
        seed: int | str | None = None,
    ) -> None:
        config.validate()
        self.config = config
        self.faults = StationFaults()
        self.profiles = ProfileStore()
        self.evses = [
            EvseState(evse_id, evse, config.starting_register_wh(evse_id))
            for evse_id, evse in enumerate(config.evses, start=1)
        ]
        self.settings = SettingsStore(config, self._availability_state)
        self.uplink = Uplink(config, self.settings, self.faults, emit=self.emit, tap=on_frame)
        self.dialect: Dialect = _make_dialect(self)
        self.uplink.peer = self.dialect
        self.sessions: list[ChargingSession] = []  # every session so far, newest last
        self._rng = random.Random(config.station_id if seed is None else seed)
        self._on_event = on_event
        self._main: asyncio.Task[None] | None = None
        self._resetting = False

    # ------------------------------------------------------------------ lifecycle
    async def start(self) -> None:
        if self._main is None:
            self._main = asyncio.create_task(self.uplink.run())

    async def stop(self, *, end_sessions: bool = True, timeout: float = 5.0) -> None:
        """Shut down; by default running sessions end first (reason Local) and their final
        messages are delivered if the link is up."""
        if end_sessions and self.active_sessions:
            await self._end_sessions(StopCause.LOCAL, timeout)
            if self.uplink.is_online:
                await self.uplink.wait_outbox_empty(timeout)
        await self.uplink.close()
        if self._main:
            self._main.cancel()
            await asyncio.gather(self._main, return_exceptions=True)
            self._main = None

    async def __aenter__(self) -> SimulatedStation:
        await self.start()
        return self

    async def __aexit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        await self.stop()

    async def wait_booted(self, timeout: float | None = None) -> None:
        await asyncio.wait_for(self.uplink.booted.wait(), timeout)

    async def wait_ready(self, timeout: float | None = None) -> None:
        """Booted, offline backlog flushed, connector status announced."""
        await asyncio.wait_for(self.uplink.ready.wait(), timeout)

    @property
    def is_online(self) -> bool:
        return self.uplink.is_online

    def emit(self, message: str) -> None:
        text = f"{self.config.station_id}: {message}"
        _LOG.debug(text)
        if self._on_event:
            self._on_event(text)

    # ------------------------------------------------------------------- sessions
    @property
    def active_sessions(self) -> list[ChargingSession]:
        return [evse.session for evse in self.evses if evse.session is not None]

    def find_evse(self, evse_id: int) -> EvseState | None:
        return self.evses[evse_id - 1] if 1 <= evse_id <= len(self.evses) else None

    def evse(self, evse_id: int) -> EvseState:
        evse = self.find_evse(evse_id)
        if evse is None:
            raise ValueError(f"{self.config.station_id} has no EVSE {evse_id}")
        return evse

    def free_evse(self, evse_id: int | None = None) -> EvseState | None:
        """An EVSE that can take a new session now (None when silent, resetting or busy)."""
        if self.faults.silent or self._resetting:
            return None
        candidates = self.evses if evse_id is None else [self.find_evse(evse_id)]
        return next((evse for evse in candidates if evse and evse.is_free), None)

    def start_session(
        self,
        evse_id: int | None = None,
        *,
        id_token: str | None = None,
        vehicle: VehicleProfile | None = None,
        connector_id: int | None = None,
        remote: bool = False,
        id_token_type: str = "ISO14443",
        remote_start_id: int | None = None,
        contract_certificate: str | None = None,
    ) -> ChargingSession | None:
        """Plug a vehicle in (and tap a card unless ``remote``); returns the running session,
        or None if no EVSE can take it. ``evse_id`` None picks the first free EVSE."""
        evse = self.free_evse(evse_id)
        if evse is None:
            return None
        vehicle = vehicle or self.pick_vehicle(evse)
        session = ChargingSession(
            evse=evse,
            connector_id=connector_id or _pick_connector(evse, vehicle),
            vehicle=vehicle,
            id_token=id_token or self._rng.choice(self.config.id_tags),
            id_token_type=id_token_type,
            contract_certificate=contract_certificate,
            remote=remote,
            remote_start_id=remote_start_id,
        )
        evse.session = session
        self.sessions.append(session)
        self.uplink.spawn(run_session(self, session))
        return session

    async def stop_session(
        self, evse_id: int, cause: StopCause = StopCause.LOCAL, timeout: float | None = None
    ) -> ChargingSession | None:
        session = self.evse(evse_id).session
        if session is not None:
            session.request_stop(cause)
            await session.wait_ended(timeout)
        return session

    def find_session(self, transaction_id: object) -> ChargingSession | None:
        wanted = str(transaction_id)
        return next((s for s in self.active_sessions if str(s.transaction_id) == wanted), None)

    def pick_vehicle(self, evse: EvseState) -> VehicleProfile:
        fitting = [v for v in VEHICLES if set(v.plugs) & set(evse.config.connectors)]
        return self._rng.choice(fitting or list(VEHICLES))

    async def finish_session(self, session: ChargingSession) -> None:
        """The vehicle has left: free the EVSE and apply a scheduled availability change."""
        evse = session.evse
        evse.session = None
        if session.transaction_id is not None:
            self.profiles.end_transaction(str(session.transaction_id))
        if evse.scheduled_operative is not None:
            evse.operative, evse.scheduled_operative = evse.scheduled_operative, None
        await self.set_status(evse, evse.idle_status())

    # ------------------------------------------------------- state for the dialects
    def meter_interval(self) -> float:
        return self.settings.number("MeterValueSampleInterval")

    async def pause(self, factor: float = 1.0) -> None:
        await asyncio.sleep(self.config.think_time_s * factor)

    async def set_status(self, evse: EvseState, status: ConnectorStatus) -> None:
        evse.status = status
        await self.dialect.announce_status(evse)

    def change_availability(self, evse_id: int | None, operative: bool) -> str:
        """ChangeAvailability for one EVSE or (None) the whole station. Busy EVSEs change
        after their session ends ("Scheduled"). Announcing is up to the caller."""
        targets = self.evses if evse_id is None else [self.evse(evse_id)]
        scheduled = False
        for evse in targets:
            if evse.session is not None and evse.operative != operative:
                evse.scheduled_operative = operative
                scheduled = True
                continue
            evse.operative, evse.scheduled_operative = operative, None
            if evse.session is None:
                evse.status = evse.idle_status()
        return "Scheduled" if scheduled else "Accepted"

    def _availability_state(self, evse_id: int | None) -> str:
        evses = self.evses if evse_id is None else [self.evse(evse_id)]
        if not any(evse.operative for evse in evses):
            return "Unavailable"
        return "Occupied" if all(evse.session for evse in evses) else "Available"

    # ---------------------------------------------------------------------- reset
    async def reset(self, cause: StopCause, boot_reason: str = "RemoteReset") -> None:
        """End running sessions with ``cause``, deliver their last messages, drop the link,
        reboot and boot again. Energy registers and the outbox survive (non-volatile)."""
        if self._resetting:
            return
        self._resetting = True
        try:
            self.emit(f"reset ({cause.value})")
            await self._end_sessions(cause, self.config.call_timeout_s)
            if self.uplink.is_online:
                await self.uplink.wait_outbox_empty(self.config.call_timeout_s)
            await self.uplink.reboot(boot_reason)
        finally:
            self._resetting = False

    async def reset_when_idle(self, boot_reason: str = "RemoteReset") -> None:
        await asyncio.gather(*(session.ended.wait() for session in self.active_sessions))
        await self.reset(StopCause.SOFT_RESET, boot_reason)

    async def _end_sessions(self, cause: StopCause, timeout: float) -> None:
        sessions = self.active_sessions
        for session in sessions:
            session.request_stop(cause)
        waits = [session.ended.wait() for session in sessions]
        with contextlib.suppress(TimeoutError):
            await asyncio.wait_for(asyncio.gather(*waits), timeout)

    # ------------------------------------------------- offline and protocol tests
    async def go_offline(self, *, abrupt: bool = False) -> None:
        """Drop the websocket; sessions keep running and transaction messages queue up.
        By default the link drops between two CALLs; ``abrupt`` drops it mid-call, so the
        CSMS may see that CALL twice (same payload, new message id) after reconnect."""
        self.emit("going offline")
        await self.uplink.go_offline(abrupt=abrupt)

    async def go_online(self, timeout: float | None = None) -> None:
        """Reconnect and flush the queue in order; returns once the backlog is delivered."""
        self.uplink.go_online()
        await self.wait_ready(timeout)

    async def call(
        self, action: str, payload: Payload, *, message_id: str | None = None
    ) -> Payload:
        """Send any CALL now (bypassing the transaction outbox) and return the CALLRESULT
        payload; raises OcppCallError, TimeoutError or ConnectionLost."""
        return await self.uplink.call(action, payload, message_id=message_id)

    async def replay_last_start(self) -> Payload:
        """Send the last StartTransaction / TransactionEvent(Started) payload again (a new
        message id): a CSMS must not create a second transaction."""
        return await self.uplink.replay_last_start()

    async def resend_last_call(self) -> Payload:
        """Send the last CALL again with the same message id."""
        return await self.uplink.resend_last_call()

    async def send_raw(self, text: str, timeout: float = 5.0) -> str | None:
        """Send any text as one frame; the CSMS's reply frame as text, or None."""
        return await self.uplink.send_raw(text, timeout)


def _pick_connector(evse: EvseState, vehicle: VehicleProfile) -> int:
    """The first cable that fits the vehicle's inlet; else the first (the driver has an
    adapter)."""
    for connector_id, connector in enumerate(evse.config.connectors, start=1):
        if connector in vehicle.plugs:
            return connector_id
    return 1


def _make_dialect(station: SimulatedStation) -> Dialect:
    if station.config.protocol == "1.6":
        return V16Dialect(station)
    if station.config.protocol == "2.1":
        return V21Dialect(station)
    return V201Dialect(station)
