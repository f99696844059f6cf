"""Version-neutral runtime state: EVSEs, their status, and charging sessions.

The protocol dialects map these neutral enums onto each OCPP version's vocabulary with
explicit, total tables (see ``v16.py`` / ``v201.py``).
"""

from __future__ import annotations

import asyncio
import enum
from dataclasses import dataclass, field
from datetime import UTC, datetime

from forecourt.simulator.config import EvseConfig
from forecourt.simulator.physics import ChargeState, VehicleProfile


class ConnectorStatus(enum.Enum):
    AVAILABLE = "Available"
    PREPARING = "Preparing"  # plugged in, no energy yet
    CHARGING = "Charging"
    SUSPENDED_EV = "SuspendedEV"  # plugged in, the vehicle draws nothing
    FINISHING = "Finishing"  # transaction over, cable still plugged in
    UNAVAILABLE = "Unavailable"
    FAULTED = "Faulted"


class StopCause(enum.Enum):
    TARGET_SOC_REACHED = "target SoC reached, driver unplugged"
    LOCAL = "driver stopped at the station"
    REMOTE = "CSMS requested stop"
    SOFT_RESET = "soft reset"
    HARD_RESET = "hard reset"
    UNLOCK = "CSMS unlocked the connector"
    DEAUTHORIZED = "CSMS rejected the token after the start"
    NOT_AUTHORIZED = "token rejected before charging"
    CARD_NOT_READ = "card reader dead, driver gave up"
    LATCH_FAILURE = "connector latch failed"
    EV_DISCONNECTED = "vehicle unplugged"


def utc_now() -> datetime:
    return datetime.now(UTC)


def ocpp_timestamp(moment: datetime) -> str:
    """UTC, millisecond precision, ``Z`` suffix: what both OCPP versions recommend."""
    return (
        moment.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%S.") + f"{moment.microsecond // 1000:03d}Z"
    )


@dataclass(eq=False)
class EvseState:
    evse_id: int
    config: EvseConfig
    register_wh: float  # lifetime Energy.Active.Import.Register, never reset
    status: ConnectorStatus = ConnectorStatus.AVAILABLE
    operative: bool = True
    scheduled_operative: bool | None = None  # ChangeAvailability waiting for the session end
    session: ChargingSession | None = None

    def idle_status(self) -> ConnectorStatus:
        return ConnectorStatus.AVAILABLE if self.operative else ConnectorStatus.UNAVAILABLE

    @property
    def is_free(self) -> bool:
        return self.session is None and self.operative


@dataclass(eq=False)
class ChargingSession:
    evse: EvseState
    connector_id: int
    vehicle: VehicleProfile
    id_token: str | None
    id_token_type: str = "ISO14443"
    #: Plug & Charge: the car's contract chain (PEM), presented with its eMAID (id_token)
    contract_certificate: str | None = None
    remote: bool = False  # started by the CSMS (RemoteStart / RequestStartTransaction)
    remote_start_id: int | None = None  # 2.0.1 only
    transaction_id: str | int | None = None  # 1.6: assigned by the CSMS; 2.0.1: a uuid
    seq_no: int = 0  # 2.0.1: next TransactionEvent seqNo
    transaction_open: bool = False
    stop_cause: StopCause | None = None
    meter_start_wh: float = 0.0
    started_at: datetime = field(default_factory=utc_now)
    charge: ChargeState = field(default_factory=lambda: ChargeState(soc=0.0))
    stop_requested: asyncio.Event = field(default_factory=asyncio.Event)
    charging: asyncio.Event = field(default_factory=asyncio.Event)
    ended: asyncio.Event = field(default_factory=asyncio.Event)

    def __post_init__(self) -> None:
        self.charge.soc = self.vehicle.start_soc
        self.meter_start_wh = self.evse.register_wh

    @property
    def evse_id(self) -> int:
        return self.evse.evse_id

    @property
    def meter_now_wh(self) -> float:
        return self.evse.register_wh

    @property
    def energy_wh(self) -> float:
        return self.evse.register_wh - self.meter_start_wh

    @property
    def soc(self) -> float:
        return self.charge.soc

    def next_seq_no(self) -> int:
        seq_no, self.seq_no = self.seq_no, self.seq_no + 1
        return seq_no

    def request_stop(self, cause: StopCause) -> None:
        """First cause wins: a reset during a remote stop is still a remote stop."""
        if self.stop_cause is None:
            self.stop_cause = cause
        self.stop_requested.set()

    async def wait_charging(self, timeout: float | None = None) -> None:
        await asyncio.wait_for(self.charging.wait(), timeout)

    async def wait_ended(self, timeout: float | None = None) -> None:
        await asyncio.wait_for(self.ended.wait(), timeout)
