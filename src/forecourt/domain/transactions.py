"""Charging transactions: one neutral model whatever protocol started them."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from enum import StrEnum

from forecourt.domain.metering import RegisterReading
from forecourt.domain.tokens import AuthorizationStatus, TokenKind


class TransactionState(StrEnum):
    ACTIVE = "active"
    ENDED = "ended"


class StopReason(StrEnum):
    LOCAL = "local"
    REMOTE = "remote"
    EV_DISCONNECTED = "ev_disconnected"
    DEAUTHORIZED = "deauthorized"
    EMERGENCY_STOP = "emergency_stop"
    ENERGY_LIMIT = "energy_limit"
    GROUND_FAULT = "ground_fault"
    HARD_RESET = "hard_reset"
    SOFT_RESET = "soft_reset"
    IMMEDIATE_RESET = "immediate_reset"
    LOCAL_OUT_OF_CREDIT = "local_out_of_credit"
    MASTER_PASS = "master_pass"
    OVERCURRENT = "overcurrent"
    POWER_LOSS = "power_loss"
    POWER_QUALITY = "power_quality"
    REBOOT = "reboot"
    SOC_LIMIT = "soc_limit"
    STOPPED_BY_EV = "stopped_by_ev"
    TIME_LIMIT = "time_limit"
    TIMEOUT = "timeout"
    UNLOCK_COMMAND = "unlock_command"
    OTHER = "other"


class PaymentMethod(StrEnum):
    """How a session was paid, as regulators ask it to be reported."""

    CARD_AT_DISPENSER = "card_at_dispenser"
    SCAN_TO_PAY = "scan_to_pay"
    RFID_ACCOUNT = "rfid_account"
    PLUG_AND_CHARGE = "plug_and_charge"
    AUTOCHARGE = "autocharge"
    ROAMING = "roaming"
    APP = "app"
    FREE = "free"
    OTHER = "other"


@dataclass(slots=True)
class Transaction:
    """``id`` is Forecourt's own number (0 until stored); 1.6 stations use it on the wire.

    ``station_tx_id`` is the id on the wire: a 2.0.1 station's own transactionId, or str(id).
    """

    station_id: str
    evse_id: int
    connector_id: int
    started_at: datetime
    id: int = 0
    station_tx_id: str = ""
    id_token: str | None = None
    auth_status: AuthorizationStatus = AuthorizationStatus.ACCEPTED
    meter_start_wh: float | None = None
    state: TransactionState = TransactionState.ACTIVE
    stopped_at: datetime | None = None
    meter_stop_wh: float | None = None
    energy_wh: float = 0.0
    register_resets: int = 0
    last_register: RegisterReading | None = None
    stop_reason: StopReason | None = None
    stop_id_token: str | None = None
    last_seq_no: int | None = None
    seen_offline: bool = False
    start_key: str = ""  # identifies a replayed start (1.6 has no station transaction id)
    remote_start_id: int | None = None
    peak_power_w: float = 0.0
    last_soc: float | None = None
    charging_state: str = ""
    payment_method: PaymentMethod | None = None
    updated_at: datetime | None = None
    details: dict[str, str] = field(default_factory=dict)

    @property
    def active(self) -> bool:
        return self.state is TransactionState.ACTIVE

    def readings(self) -> list[RegisterReading]:
        """Readings the ledger knows besides stored samples: the start and stop registers."""
        out = []
        if self.meter_start_wh is not None:
            out.append(RegisterReading(self.started_at, self.meter_start_wh))
        if self.meter_stop_wh is not None and self.stopped_at is not None:
            out.append(RegisterReading(self.stopped_at, self.meter_stop_wh))
        return out


def start_key(
    station_id: str, evse_id: int, connector_id: int, started_at: datetime, token: str | None
) -> str:
    """Identity of a start message, stable across replays and message ids.

    Milliseconds (the precision stations send) keep two quick sessions apart.
    """
    stamp = started_at.isoformat(timespec="milliseconds")
    return f"{station_id}|{evse_id}|{connector_id}|{stamp}|{token or ''}"


_PAYMENT_BY_TOKEN: dict[TokenKind, PaymentMethod] = {
    TokenKind.RFID: PaymentMethod.RFID_ACCOUNT,
    TokenKind.CENTRAL: PaymentMethod.APP,
    TokenKind.EMAID: PaymentMethod.PLUG_AND_CHARGE,
    TokenKind.MAC_ADDRESS: PaymentMethod.AUTOCHARGE,
    TokenKind.KEY_CODE: PaymentMethod.OTHER,
    TokenKind.LOCAL: PaymentMethod.OTHER,
    TokenKind.NO_AUTHORIZATION: PaymentMethod.FREE,
    TokenKind.PAYMENT: PaymentMethod.CARD_AT_DISPENSER,
}


def payment_method_for(kind: TokenKind | None) -> PaymentMethod | None:
    """Default payment method implied by how the driver identified; payments may refine it."""
    return None if kind is None else _PAYMENT_BY_TOKEN[kind]
