"""Charging transactions: one neutral model whatever protocol started them."""

from __future__ import annotations

from collections.abc import Sequence
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
    # Set by Forecourt, never by a station (see ``reconcile``): the station's own stop, if it
    # ever comes, replaces them.
    NOT_RESUMED = "not_resumed"  # the station rebooted and reported the EVSE free
    SUPERSEDED = "superseded"  # a newer transaction started on the same EVSE


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


#: ``Transaction.details`` key: why Forecourt closed the transaction without the station's stop.
RECONCILED = "reconciled"


def older_on_same_evse(active: Sequence[Transaction], newest: Transaction) -> list[Transaction]:
    """One EVSE charges one car at a time (1.6 connector, 2.0.1 EVSE): of the transactions
    active on ``newest``'s EVSE, every one but the latest started is stale.

    The latest by start time wins, so a late offline start closes itself, not the newer one.
    """
    if newest.evse_id <= 0:
        return []  # 2.0.1 may start before the station knows the EVSE
    same = [tx for tx in active if tx.evse_id == newest.evse_id and tx.active]
    same = [tx for tx in same if tx.id != newest.id or not newest.id] + [newest]
    latest = max(same, key=lambda tx: (tx.started_at, tx.id))
    return [tx for tx in same if tx is not latest]


def not_resumed_after_boot(tx: Transaction, booted_at: datetime, free_since: datetime) -> bool:
    """A transaction running before the station rebooted whose EVSE the station then reports
    free (OCPP 1.6 §4.8/§5.14 and 2.0.1 E04/B11/B12: a resumed transaction keeps its EVSE
    occupied; an ended one is reported by a queued stop, which may never come)."""
    return tx.active and tx.started_at < booted_at and free_since >= tx.started_at


def reconcile(tx: Transaction, reason: StopReason, at: datetime, why: str) -> None:
    """Close a transaction the station will not close itself, saying why.

    No stop meter reading: the ledger keeps the energy of the last reading received.
    """
    tx.state = TransactionState.ENDED
    tx.stopped_at = max(at, tx.started_at)
    tx.stop_reason = reason
    tx.details[RECONCILED] = why


def is_reconciled(tx: Transaction) -> bool:
    """Closed by Forecourt: a stop from the station may still arrive and then wins."""
    return RECONCILED in tx.details


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
