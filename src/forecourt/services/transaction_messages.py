"""What the protocol adapters hand ``services.transactions`` and get back, and what it publishes.

Version-neutral: a 1.6 StartTransaction and a 2.0.1 TransactionEvent(Started) are both a
``TransactionStart`` (DESIGN §2 rule 1).
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime

from forecourt.domain.metering import MeterSample
from forecourt.domain.tokens import AuthorizationResult, IdToken
from forecourt.domain.transactions import StopReason, Transaction


@dataclass(frozen=True, slots=True)
class TransactionStart:
    evse_id: int
    connector_id: int
    timestamp: datetime
    id_token: IdToken | None = None
    meter_start_wh: float | None = None
    station_tx_id: str | None = None  # the station's own id (2.0.1); None when we assign it
    seq_no: int | None = None
    offline: bool = False
    remote_start_id: int | None = None
    charging_state: str = ""  # a domain ChargingState value, '' when the station sent none
    samples: Sequence[MeterSample] = ()
    reservation_id: int | None = None  # the reservation this start uses


@dataclass(frozen=True, slots=True)
class TransactionUpdate:
    station_tx_id: str
    timestamp: datetime
    evse_id: int | None = None
    connector_id: int | None = None
    id_token: IdToken | None = None
    seq_no: int | None = None
    offline: bool = False
    charging_state: str = ""
    samples: Sequence[MeterSample] = ()
    reservation_id: int | None = None  # the reservation this transaction uses (2.0.1)

    def as_start(self) -> TransactionStart:
        """The start an update for an unknown transaction implies (so no energy is lost):
        it began no later than its first sample."""
        return TransactionStart(
            evse_id=self.evse_id or 0,
            connector_id=self.connector_id or 1,
            timestamp=min([self.timestamp, *(s.timestamp for s in self.samples)]),
            id_token=self.id_token,
            station_tx_id=self.station_tx_id,
            seq_no=self.seq_no,
            offline=self.offline,
            charging_state=self.charging_state,
            samples=self.samples,
            reservation_id=self.reservation_id,
        )


@dataclass(frozen=True, slots=True)
class TransactionStop:
    station_tx_id: str
    timestamp: datetime
    meter_stop_wh: float | None = None
    reason: StopReason = StopReason.LOCAL
    id_token: IdToken | None = None
    seq_no: int | None = None
    offline: bool = False
    evse_id: int | None = None
    connector_id: int | None = None
    samples: Sequence[MeterSample] = ()
    station_assigned_id: bool = False  # True when the station chose the id (2.0.1)

    @property
    def rebuildable(self) -> bool:
        """The station chose the id, so an unknown transaction can be rebuilt from what it
        sent ('' would be rebuilt on every stop)."""
        return self.station_assigned_id and bool(self.station_tx_id)

    def as_update(self) -> TransactionUpdate:
        return TransactionUpdate(
            self.station_tx_id, self.timestamp, self.evse_id, self.connector_id, self.id_token,
            self.seq_no, self.offline, "", self.samples,
        )  # fmt: skip

    def orphan_data(self) -> dict[str, object]:
        """The ``orphan_stop`` record: enough to reconcile by hand."""
        return {
            "station_tx_id": self.station_tx_id,
            "timestamp": self.timestamp.isoformat(),
            "meter_stop_wh": self.meter_stop_wh,
            "reason": self.reason.value,
            "id_token": self.id_token.value if self.id_token else None,
            "samples": len(self.samples),
        }


@dataclass(frozen=True, slots=True)
class Outcome:
    transaction: Transaction | None
    authorization: AuthorizationResult | None = None
    replayed: bool = False
    orphan: bool = False
    reconciled: tuple[Transaction, ...] = ()  # closed by the rule "one car per EVSE"


def transaction_summary(tx: Transaction) -> dict[str, object]:
    """JSON-ready view used in events (dashboard live updates, detectors, payments)."""
    return {
        "transaction_id": tx.id,
        "station_tx_id": tx.station_tx_id,
        "evse_id": tx.evse_id,
        "connector_id": tx.connector_id,
        "state": tx.state.value,
        "id_token": tx.id_token,
        "energy_wh": _finite(round(tx.energy_wh, 3)),
        "peak_power_w": _finite(tx.peak_power_w),
        "power_w": _finite(tx.power_w),
        "soc": _finite(tx.last_soc),
        "stop_reason": tx.stop_reason.value if tx.stop_reason else None,
        "started_at": tx.started_at.isoformat(),
        "stopped_at": tx.stopped_at.isoformat() if tx.stopped_at else None,
        # for the reliability detectors: derating, payment reader, meter anomalies
        "power_offered_w": _finite(tx.power_offered_w),
        "payment_method": tx.payment_method.value if tx.payment_method else None,
        "auth_status": tx.auth_status.value,
        "register_resets": tx.register_resets,
        "vehicle": tx.vehicle,
    }


def _finite(value: float | None) -> float | None:
    """JSON has no inf/nan (a stored bus event or an SSE frame would be unreadable): None."""
    return value if value is not None and math.isfinite(value) else None
