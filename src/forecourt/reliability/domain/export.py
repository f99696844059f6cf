"""Regulatory export rows: NEVI quarterly data (23 CFR 680.112(a)) and per-session records
with the field names of the EV Charging Use Data Specification behind EV-ChART.

Column order is fixed (``*_COLUMNS``) so files stay comparable between quarters. Raw id tokens
never leave Forecourt: ``user_id`` is a one-way hash of the token.
"""

from __future__ import annotations

import csv
import hashlib
import io
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from decimal import ROUND_HALF_EVEN, Decimal
from typing import Any

from forecourt.reliability.domain.nevi import MonthlyUptime, Outage
from forecourt.reliability.domain.sessions import SessionOutcome

#: Forecourt PaymentMethod values → EV Charging Use spec / EV-ChART payment types.
EVCHART_PAYMENT: Mapping[str, str] = {
    "card_at_dispenser": "credit_card_terminal",
    "scan_to_pay": "application",  # a web page on the driver's phone, no account
    "card_terminal": "credit_card_terminal",  # a stand-alone terminal at the site
    "attendant_prepay": "other",  # paid inside at the counter (cash or card)
    "prepaid_card": "membership",  # credit loaded on an identified card beforehand
    "rfid_account": "membership",
    "plug_and_charge": "plug-charge",
    "autocharge": "membership",  # vehicle identified against an account
    "roaming": "roaming",
    "app": "application",
    "free": "other",
    "other": "other",
}


@dataclass(frozen=True, slots=True)
class SessionRecord:
    transaction_id: int
    station_id: str
    evse_id: int
    connector_id: int
    started_at: datetime
    stopped_at: datetime | None
    energy_wh: float
    peak_power_w: float
    stop_reason: str | None
    payment_method: str | None
    id_token: str | None
    auth_accepted: bool = True
    start_soc: float | None = None  # percent
    end_soc: float | None = None
    error_codes: tuple[str, ...] = ()  # station error codes reported during the session
    vehicle: str | None = None  # Transaction.vehicle, when something identified the car

    @property
    def port_id(self) -> str:
        return port_id(self.station_id, self.evse_id)


def port_id(station_id: str, evse_id: int) -> str:
    return f"{station_id}/{evse_id}"


def decimal_text(value: Decimal, places: int = 3) -> str:
    quantum = Decimal(1).scaleb(-places)
    return format(value.quantize(quantum, rounding=ROUND_HALF_EVEN), "f")


def _iso(at: datetime | None) -> str | None:
    """EV-ChART's date-time: ISO 8601 in UTC with a "Z" (``2026-07-03T14:00:00Z``)."""
    return None if at is None else at.astimezone(UTC).isoformat().replace("+00:00", "Z")


def _hms(seconds: float) -> str | None:
    """A duration as ``HH:MM:SS``; None when negative — an end before its start (a station
    clock that jumped back) has no duration, and the export check refuses the row by name."""
    whole = round(seconds)
    if whole < 0:
        return None
    return f"{whole // 3600:02d}:{whole % 3600 // 60:02d}:{whole % 60:02d}"


def error_code(record: SessionRecord, outcome: SessionOutcome) -> str:
    """Error codes of an unsuccessful session (empty for a successful one)."""
    if outcome is SessionOutcome.SUCCESS:
        return ""
    codes = [outcome.value]
    if record.stop_reason:
        codes.append(f"stop:{record.stop_reason}")
    return ",".join([*codes, *record.error_codes])


NEVI_SESSION_COLUMNS = (
    "station_id",
    "port_id",
    "connector_id",
    "session_id",
    "session_start",
    "session_end",
    "successful",
    "error_codes",
    "energy_kwh",
    "peak_kw",
    "payment_method",
)


def nevi_session_row(record: SessionRecord, outcome: SessionOutcome) -> dict[str, Any]:
    return {
        "station_id": record.station_id,
        "port_id": record.port_id,
        "connector_id": record.connector_id,
        "session_id": str(record.transaction_id),
        "session_start": _iso(record.started_at),
        "session_end": _iso(record.stopped_at),
        "successful": outcome is SessionOutcome.SUCCESS,
        "error_codes": error_code(record, outcome),
        "energy_kwh": round(record.energy_wh / 1000, 3),
        "peak_kw": round(record.peak_power_w / 1000, 3),
        "payment_method": record.payment_method or "other",
    }


EVCHART_SESSION_COLUMNS = (
    "session_id",
    "port_id",
    "plug_start_datetime",
    "plug_end_datetime",
    "charge_start_datetime",
    "charge_end_datetime",
    "session_duration",
    "charging_duration",
    "energy_kwh",
    "peak_kw",
    "total_fee_charged",
    "energy_fee",
    "session_fee",
    "time_fee",
    "user_id",
    "successful_completion",
    "ended_by",
    "start_soc",
    "end_soc",
    "error_code",
    "payment_type",
)


def evchart_session_row(record: SessionRecord, outcome: SessionOutcome) -> dict[str, Any]:
    """Plug and charge times are the transaction's (Forecourt does not yet store when energy
    first flowed); fees are left empty until pricing reports them."""
    end = record.stopped_at or record.started_at
    seconds = (end - record.started_at).total_seconds()
    return {
        "session_id": str(record.transaction_id),
        "port_id": record.port_id,
        "plug_start_datetime": _iso(record.started_at),
        "plug_end_datetime": _iso(record.stopped_at),
        "charge_start_datetime": _iso(record.started_at),
        "charge_end_datetime": _iso(record.stopped_at),
        "session_duration": _hms(seconds),
        "charging_duration": _hms(seconds if record.energy_wh > 0 else 0),
        "energy_kwh": round(record.energy_wh / 1000, 3),
        "peak_kw": round(record.peak_power_w / 1000, 3),
        "total_fee_charged": None,
        "energy_fee": None,
        "session_fee": None,
        "time_fee": None,
        "user_id": _user_id(record.id_token),
        "successful_completion": outcome is SessionOutcome.SUCCESS,
        "ended_by": record.stop_reason or "unknown",
        "start_soc": _soc(record.start_soc),
        "end_soc": _soc(record.end_soc),
        "error_code": error_code(record, outcome),
        "payment_type": EVCHART_PAYMENT.get(record.payment_method or "other", "other"),
    }


def _soc(percent: float | None) -> float | None:
    return None if percent is None else round(percent / 100, 4)  # the spec wants 0..1


def _user_id(token: str | None) -> str | None:
    if not token:
        return None
    return hashlib.sha256(token.encode()).hexdigest()[:16]


UPTIME_COLUMNS = (
    "station_id",
    "port_id",
    "month",
    "uptime_pct",
    "t_outage_min",
    "t_excluded_min",
    "month_outage_min",
    "month_excluded_min",
    "observed_min",
)


def uptime_row(uptime: MonthlyUptime) -> dict[str, Any]:
    return {
        "station_id": uptime.port.station_id,
        "port_id": port_id(uptime.port.station_id, uptime.port.evse_id),
        "month": f"{uptime.year:04d}-{uptime.month:02d}",
        "uptime_pct": decimal_text(uptime.uptime_pct, 4),
        "t_outage_min": decimal_text(uptime.t_outage),
        "t_excluded_min": decimal_text(uptime.t_excluded),
        "month_outage_min": decimal_text(uptime.month_outage),
        "month_excluded_min": decimal_text(uptime.month_excluded),
        "observed_min": decimal_text(uptime.observed_minutes),
    }


OUTAGE_COLUMNS = (
    "station_id",
    "port_id",
    "outage_start",
    "outage_end",
    "duration_min",
    "excluded_min",
    "conditions",
    "excluded_causes",
)


def outage_row(outage: Outage) -> dict[str, Any]:
    return {
        "station_id": outage.port.station_id,
        "port_id": port_id(outage.port.station_id, outage.port.evse_id),
        "outage_start": _iso(outage.start),
        "outage_end": _iso(outage.end),
        "duration_min": decimal_text(outage.minutes),
        "excluded_min": decimal_text(outage.excluded_minutes),
        "conditions": ",".join(sorted(outage.conditions)),
        "excluded_causes": ",".join(outage.causes),
    }


def to_csv(rows: Iterable[Mapping[str, Any]], columns: Sequence[str]) -> str:
    buffer = io.StringIO()
    writer = csv.DictWriter(buffer, fieldnames=list(columns), lineterminator="\n")
    writer.writeheader()
    for row in rows:
        writer.writerow({k: _csv_value(row.get(k)) for k in columns})
    return buffer.getvalue()


def csv_bool(value: bool | None) -> str:
    """A boolean in a report file: ``TRUE``/``FALSE`` (EV-ChART's boolean, the EV Charging Use
    specification's too), empty when unknown."""
    if value is None:
        return ""
    return "TRUE" if value else "FALSE"


def _csv_value(value: Any) -> Any:
    if value is None or isinstance(value, bool):
        return csv_bool(value)
    return value
