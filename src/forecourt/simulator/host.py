"""What the OCPP dialects and the charging loop use of their station.

``SimulatedStation`` (station.py) implements it. The dialects and the charging loop depend on
this protocol, not on the station, so ``station`` can import them at the top without an
import cycle (import-linter's layers contract keeps it that way).
"""

from __future__ import annotations

from functools import partial
from typing import Protocol

from forecourt.simulator.config import StationConfig, StationFaults
from forecourt.simulator.dialect import Dialect
from forecourt.simulator.physics import VehicleProfile
from forecourt.simulator.profiles import ProfileStore
from forecourt.simulator.rpc import Answer
from forecourt.simulator.session import ChargingSession, ConnectorStatus, EvseState, StopCause
from forecourt.simulator.settings import SettingsStore
from forecourt.simulator.uplink import Uplink


class StationHost(Protocol):
    config: StationConfig
    faults: StationFaults
    evses: list[EvseState]
    settings: SettingsStore
    profiles: ProfileStore
    uplink: Uplink
    dialect: Dialect

    @property
    def active_sessions(self) -> list[ChargingSession]: ...
    def emit(self, message: str) -> None: ...
    def find_evse(self, evse_id: int) -> EvseState | None: ...
    def evse(self, evse_id: int) -> EvseState: ...
    def free_evse(self, evse_id: int | None = None) -> EvseState | None: ...
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
    ) -> ChargingSession | None: ...
    def find_session(self, transaction_id: object) -> ChargingSession | None: ...
    async def finish_session(self, session: ChargingSession) -> None: ...
    def meter_interval(self) -> float: ...
    async def pause(self, factor: float = 1.0) -> None: ...
    async def set_status(self, evse: EvseState, status: ConnectorStatus) -> None: ...
    def change_availability(self, evse_id: int | None, operative: bool) -> str: ...
    async def reset(self, cause: StopCause, boot_reason: str = "RemoteReset") -> None: ...
    async def reset_when_idle(self, boot_reason: str = "RemoteReset") -> None: ...


#: 2.0.1 ``passwordString`` (A01); the 1.6 security whitepaper asks the same of AuthorizationKey.
PASSWORD_LENGTHS = range(16, 41)


def new_password(station: StationHost, password: str) -> Answer:
    """A01 / 1.6 security whitepaper: accept a valid password, then reconnect with it."""
    if len(password) not in PASSWORD_LENGTHS:
        return Answer({"status": "Rejected"})
    return Answer({"status": "Accepted"}, partial(_reconnect_with, station, password))


async def _reconnect_with(station: StationHost, password: str) -> None:
    station.config.password = password
    station.emit("password changed: reconnecting with the new one")
    await station.uplink.reconnect()
