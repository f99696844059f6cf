"""Charging transactions: one neutral model whatever protocol started them."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import datetime
from enum import StrEnum

from forecourt.domain.errors import ForecourtError
from forecourt.domain.metering import (
    MeterSample,
    ReadingContext,
    RegisterReading,
    SignedMeterValue,
    signed_reading,
)
from forecourt.domain.tokens import AuthorizationResult, AuthorizationStatus, TokenKind


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
    CARD_TERMINAL = "card_terminal"  # a stand-alone terminal at the site (OCPP 2.1 C24)
    ATTENDANT_PREPAY = "attendant_prepay"  # paid inside, at the counter (cash or card)
    PREPAID_CARD = "prepaid_card"  # a card loaded with credit beforehand (OCPP 2.1 C17)
    RFID_ACCOUNT = "rfid_account"
    PLUG_AND_CHARGE = "plug_and_charge"
    AUTOCHARGE = "autocharge"
    ROAMING = "roaming"
    APP = "app"
    FREE = "free"
    OTHER = "other"


class Lifecycle(StrEnum):
    """The transaction's state machine (docs/architecture.md, "The transaction state machine").

    ``TransactionState`` is what is stored and shown (active / ended); the lifecycle also tells
    an end Forecourt decided from one the station reported, which a later stop may still correct.
    """

    ACTIVE = "active"  # started (or rebuilt from a later message) and not ended yet
    RECONCILED = "reconciled"  # closed by Forecourt; the station's own stop may come, once
    ENDED = "ended"  # closed by the station's stop: final, another stop is a duplicate


class StopEffect(StrEnum):
    """What a station's stop does to a transaction (``Transaction.end``)."""

    ENDED = "ended"  # active -> ended
    CORRECTED = "corrected"  # reconciled -> ended: already announced as ended once
    DUPLICATE = "duplicate"  # ended: acknowledged, nothing changes


class ChargingState(StrEnum):
    """What the EV and EVSE are doing inside the transaction (2.0.1 chargingState)."""

    CHARGING = "charging"
    EV_CONNECTED = "ev_connected"
    SUSPENDED_EV = "suspended_ev"
    SUSPENDED_EVSE = "suspended_evse"
    IDLE = "idle"

    @classmethod
    def parse(cls, word: str) -> ChargingState | None:
        """The neutral word an adapter mapped, or None when the station sent none ('')."""
        return cls(word) if word else None


class TransitionRefused(ForecourtError):
    """A state change the transaction's lifecycle does not allow."""

    def __init__(self, tx: Transaction, change: str) -> None:
        super().__init__(f"transaction {tx.id} is {tx.lifecycle.value}: cannot {change}")
        self.lifecycle = tx.lifecycle


@dataclass(slots=True)
class Transaction:
    """``id`` is Forecourt's own number (0 until stored); 1.6 stations use it on the wire.

    ``station_tx_id`` is the id on the wire: a 2.0.1 station's own transactionId, or str(id).
    State changes go through the methods below, which keep the lifecycle's rules; services
    load, call one of them, save and publish.
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
    charging_state: ChargingState | None = None
    payment_method: PaymentMethod | None = None
    updated_at: datetime | None = None
    power_w: float | None = None  # the latest total import power
    power_offered_w: float | None = None  # the latest total power the EVSE offered
    rating_w: float | None = None  # the connector's nameplate power, looked up once; 0: none
    vehicle: str | None = None
    reconciled_why: str | None = None  # set while Lifecycle.RECONCILED
    start_missing: bool = False  # opened from a later message; the start may still come
    signed_start: SignedMeterValue | None = None  # the meter's signed Transaction.Begin reading
    signed_end: SignedMeterValue | None = None  # ... and its signed Transaction.End reading
    extra: dict[str, str] = field(default_factory=dict)  # stored keys this version ignores

    @property
    def active(self) -> bool:
        return self.state is TransactionState.ACTIVE

    @property
    def lifecycle(self) -> Lifecycle:
        if self.state is TransactionState.ACTIVE:
            return Lifecycle.ACTIVE
        return Lifecycle.ENDED if self.reconciled_why is None else Lifecycle.RECONCILED

    def readings(self) -> list[RegisterReading]:
        """Readings the ledger knows besides stored samples: the start and stop registers."""
        out = []
        if self.meter_start_wh is not None:
            out.append(RegisterReading(self.started_at, self.meter_start_wh))
        if self.meter_stop_wh is not None and self.stopped_at is not None:
            out.append(RegisterReading(self.stopped_at, self.meter_stop_wh))
        return out

    def keep_signed(self, samples: Sequence[MeterSample]) -> None:
        """Keep the meter's signed start and end readings (for the CDR's signed data); periodic
        signed samples are not kept. The first signed start stands; a later end replaces one."""
        begin = signed_reading(samples, ReadingContext.TRANSACTION_BEGIN)
        if begin is not None and self.signed_start is None:
            self.signed_start = begin
        end = signed_reading(samples, ReadingContext.TRANSACTION_END)
        if end is not None:
            self.signed_end = end

    # -- progress: allowed in every lifecycle state (offline-queued messages arrive late) ----
    def note_progress(
        self,
        seq_no: int | None,
        offline: bool,
        charging_state: ChargingState | None,
        now: datetime,
    ) -> None:
        """Keep the highest sequence number, remember offline delivery, the charging state."""
        if seq_no is not None:
            self.last_seq_no = seq_no if self.last_seq_no is None else max(self.last_seq_no, seq_no)
        self.seen_offline = self.seen_offline or offline
        if charging_state is not None:
            self.charging_state = charging_state
        self.updated_at = now

    def place(self, evse_id: int | None, connector_id: int | None) -> bool:
        """A 2.0.1 transaction may start before the station knows the EVSE; fill it in later.

        True when the EVSE became known now; a known EVSE never moves."""
        if self.evse_id == 0 and evse_id:
            self.evse_id = evse_id
            self.connector_id = connector_id or self.connector_id
            return True
        return False

    def merge_replayed_start(
        self, started_at: datetime, id_token: str | None, meter_start_wh: float | None
    ) -> None:
        """A start we already have may fill gaps left by messages that arrived before it
        (``meter_start_wh`` only counts when none is known yet)."""
        self.started_at = min(self.started_at, started_at)
        if self.meter_start_wh is None:
            self.meter_start_wh = meter_start_wh
        if self.id_token is None:
            self.id_token = id_token
        self.start_missing = False

    # -- tokens -----------------------------------------------------------------------------
    def repeated_token(self, token: str) -> AuthorizationResult | None:
        """The token that identified this transaction needs no new authorization: the answer
        is the status it got then. None for any other token."""
        return AuthorizationResult(self.auth_status) if token == self.id_token else None

    def identify(self, token: str, status: AuthorizationStatus, kind: TokenKind | None) -> bool:
        """2.0.1 lets a driver plug in first and identify later; the first token sticks.

        True when ``token`` became the transaction's token."""
        if self.id_token is not None:
            return False
        self.id_token, self.auth_status = token, status
        self.payment_method = payment_method_for(kind)
        return True

    # -- ending -----------------------------------------------------------------------------
    def stop_effect(self) -> StopEffect:
        """What the station's stop would do now (a duplicate is acknowledged, not refused)."""
        return {
            Lifecycle.ACTIVE: StopEffect.ENDED,
            Lifecycle.RECONCILED: StopEffect.CORRECTED,
            Lifecycle.ENDED: StopEffect.DUPLICATE,
        }[self.lifecycle]

    def end(
        self,
        at: datetime,
        reason: StopReason,
        *,
        meter_stop_wh: float | None,
        stop_token: str | None,
        seq_no: int | None,
        offline: bool,
        now: datetime,
    ) -> StopEffect:
        """The station's stop: active or reconciled -> ended; refused once ended.

        ``meter_stop_wh`` None: the last plausible reading closes the ledger."""
        effect = self.stop_effect()
        if effect is StopEffect.DUPLICATE:
            raise TransitionRefused(self, "end again")
        self.reconciled_why = None
        self.state = TransactionState.ENDED
        self.stopped_at = at
        self.meter_stop_wh = meter_stop_wh
        self.stop_reason = reason
        self.stop_id_token = stop_token
        self.note_progress(seq_no, offline, None, now)
        return effect

    def reconcile(self, reason: StopReason, at: datetime, why: str) -> None:
        """Close a transaction the station will not close itself, saying why: active ->
        reconciled; refused otherwise (an end, the station's or ours, is never overwritten).

        No stop meter reading: the ledger keeps the energy of the last reading received.
        """
        if self.lifecycle is not Lifecycle.ACTIVE:
            raise TransitionRefused(self, "reconcile")
        self.state = TransactionState.ENDED
        self.stopped_at = max(at, self.started_at)
        self.stop_reason = reason
        self.reconciled_why = why

    @classmethod
    def begin(
        cls,
        station_id: str,
        evse_id: int,
        connector_id: int,
        started_at: datetime,
        *,
        station_tx_id: str | None,
        token: str | None,
        auth: AuthorizationResult | None,
        token_kind: TokenKind | None,
        meter_start_wh: float | None = None,
        remote_start_id: int | None = None,
        start_missing: bool = False,
        now: datetime,
    ) -> Transaction:
        """A new active transaction. A station-assigned id (2.0.1) identifies replays itself;
        without one (1.6) the start key does, and storage numbers the transaction."""
        return cls(
            station_id=station_id,
            evse_id=evse_id,
            connector_id=connector_id,
            started_at=started_at,
            station_tx_id=station_tx_id or "",
            id_token=token,
            auth_status=AuthorizationStatus.ACCEPTED if auth is None else auth.status,
            start_key=""
            if station_tx_id
            else start_key(station_id, evse_id, connector_id, started_at, token),
            meter_start_wh=meter_start_wh,
            remote_start_id=remote_start_id,
            payment_method=payment_method_for(token_kind),
            start_missing=start_missing,
            updated_at=now,
        )


def older_on_same_evse(active: Sequence[Transaction], newest: Transaction) -> list[Transaction]:
    """One EVSE charges one car at a time (1.6 connector, 2.0.1 EVSE): of the transactions
    active on ``newest``'s EVSE, every one but the latest started is stale.

    The latest by start time wins, so a late offline start closes itself, not the newer one.
    """
    if newest.evse_id <= 0:
        return []  # 2.0.1 may start before the station knows the EVSE
    same = [tx for tx in active if tx.evse_id == newest.evse_id and tx.active]
    same = [tx for tx in same if tx.id != newest.id or not newest.id]
    if newest.active:  # an end, the station's or ours, is never overwritten
        same.append(newest)
    if not same:
        return []
    latest = max(same, key=lambda tx: (tx.started_at, tx.id))
    return [tx for tx in same if tx is not latest]


def not_resumed_after_boot(tx: Transaction, booted_at: datetime, free_since: datetime) -> bool:
    """A transaction running before the station rebooted whose EVSE the station then reports
    free (OCPP 1.6 §4.8/§5.14 and 2.0.1 E04/B11/B12: a resumed transaction keeps its EVSE
    occupied; an ended one is reported by a queued stop, which may never come)."""
    return tx.active and tx.started_at < booted_at and free_since >= tx.started_at


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
