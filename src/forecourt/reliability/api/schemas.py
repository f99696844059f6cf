"""Bodies of the reliability report routes (uptime, outages, exclusions, KPIs). Minutes and
percentages are decimal strings (exact, as regulators compute them), never JSON floats."""

from __future__ import annotations

from datetime import datetime

from pydantic import BaseModel, ConfigDict, Field

from forecourt.api.bounds import PortNumber
from forecourt.api.schemas import UtcDatetime
from forecourt.reliability.domain.export import decimal_text, port_id
from forecourt.reliability.domain.kpis import InteropCell, KpiRow
from forecourt.reliability.domain.model import Exclusion, ExclusionCause
from forecourt.reliability.domain.nevi import MonthlyUptime, Outage
from forecourt.reliability.domain.vehicles import CONFIDENCE, VehicleId, VehicleRule


class Input(BaseModel):
    model_config = ConfigDict(extra="forbid")


class UptimeOut(BaseModel):
    station_id: str
    port_id: str
    month: str = Field(description="YYYY-MM, in the site's time zone.")
    uptime_pct: str = Field(description="μ over the twelve months ending with `month`.")
    t_outage_min: str
    t_excluded_min: str
    month_outage_min: str = Field(description="Outage minutes inside this month only.")
    month_excluded_min: str
    observed_min: str = Field(description="Minutes of the window the timeline covers.")

    @classmethod
    def of(cls, u: MonthlyUptime) -> UptimeOut:
        return cls(
            station_id=u.port.station_id,
            port_id=port_id(u.port.station_id, u.port.evse_id),
            month=f"{u.year:04d}-{u.month:02d}",
            uptime_pct=decimal_text(u.uptime_pct, 4),
            t_outage_min=decimal_text(u.t_outage),
            t_excluded_min=decimal_text(u.t_excluded),
            month_outage_min=decimal_text(u.month_outage),
            month_excluded_min=decimal_text(u.month_excluded),
            observed_min=decimal_text(u.observed_minutes),
        )


class OutageOut(BaseModel):
    station_id: str
    evse_id: int
    start: datetime
    end: datetime | None = Field(description="None: still going on.")
    duration_min: str
    excluded_min: str
    conditions: list[str]
    excluded_causes: list[str]

    @classmethod
    def of(cls, o: Outage) -> OutageOut:
        return cls(
            station_id=o.port.station_id,
            evse_id=o.port.evse_id,
            start=o.start,
            end=o.end,
            duration_min=decimal_text(o.minutes),
            excluded_min=decimal_text(o.excluded_minutes),
            conditions=sorted(o.conditions),
            excluded_causes=list(o.causes),
        )


class ExclusionIn(Input):
    station_id: str = Field(min_length=1)
    evse_id: PortNumber | None = Field(None, description="None: every port of the station.")
    start: UtcDatetime
    end: UtcDatetime
    cause: ExclusionCause
    evidence: list[str] = Field(
        default_factory=list, description="Utility ticket numbers, photo URLs, work orders."
    )
    note: str = Field("", max_length=2000)


class ExclusionOut(BaseModel):
    id: int
    station_id: str
    evse_id: int | None
    start: datetime
    end: datetime
    cause: ExclusionCause
    evidence: list[str]
    note: str
    created_by: str
    created_at: datetime | None

    @classmethod
    def of(cls, e: Exclusion) -> ExclusionOut:
        return cls(
            id=e.id,
            station_id=e.station_id,
            evse_id=e.evse_id,
            start=e.start,
            end=e.end,
            cause=e.cause,
            evidence=list(e.evidence),
            note=e.note,
            created_by=e.created_by,
            created_at=e.created_at,
        )


class KpiOut(BaseModel):
    key: str
    attempts: int
    successes: int
    visits: int
    success_rate: float | None
    charging_success_rate: float | None = Field(
        description='The German "Ladeerfolgsquote": energy flowed and the session ended '
        "normally (short sessions count); see docs/reliability.md."
    )
    chargex_charge_start_success_rate: float | None = Field(
        description="ChargeX Charge Start Success: attempts in which power delivery began."
    )
    chargex_session_success_rate: float | None = Field(
        description="ChargeX Session Success: attempts ended by a valid stop trigger."
    )
    chargex_charge_end_success_rate: float | None = Field(
        description="ChargeX Charge End Success: of the attempts that delivered power, those "
        "ended by a valid stop trigger."
    )
    first_attempt_success_rate: float | None
    failed_visit_rate: float | None
    attempts_per_visit: float | None
    zero_energy: int
    short: int
    outcomes: dict[str, int]
    stop_reasons: dict[str, int]

    @classmethod
    def of(cls, row: KpiRow) -> KpiOut:
        return cls(
            key=row.key,
            attempts=row.attempts,
            successes=row.successes,
            visits=row.visits,
            success_rate=row.success_rate,
            charging_success_rate=row.charging_success_rate,
            chargex_charge_start_success_rate=row.chargex_charge_start_success_rate,
            chargex_session_success_rate=row.chargex_session_success_rate,
            chargex_charge_end_success_rate=row.chargex_charge_end_success_rate,
            first_attempt_success_rate=row.first_attempt_success_rate,
            failed_visit_rate=row.failed_visit_rate,
            attempts_per_visit=row.attempts_per_visit,
            zero_energy=row.zero_energy,
            short=row.short,
            outcomes=dict(row.outcomes),
            stop_reasons=dict(row.stop_reasons),
        )


class InteropOut(BaseModel):
    vehicle: str
    station: str
    attempts: int
    successes: int
    success_rate: float | None
    confidence: float = Field(description="Mean confidence of the vehicle identification.")
    identified_by: list[str] = Field(
        description="driver_choice, emaid_provider, oui or reported (docs/reliability.md)."
    )

    @classmethod
    def of(cls, c: InteropCell) -> InteropOut:
        return cls(
            vehicle=c.vehicle,
            station=c.station,
            attempts=c.attempts,
            successes=c.successes,
            success_rate=c.success_rate,
            confidence=c.confidence,
            identified_by=list(c.sources),
        )


class VehicleRuleIn(Input):
    kind: str = Field(description="driver_choice (key: the driver's token), emaid_provider "
                      "(key: e.g. US-TSL) or oui (key: e.g. AA:BB:CC)")  # fmt: skip
    key: str = Field(min_length=1, max_length=255)
    vehicle: str = Field(min_length=1, max_length=200, examples=["Kia EV6 2023"])


class VehicleRuleOut(BaseModel):
    kind: str
    key: str
    vehicle: str
    confidence: float
    created_by: str

    @classmethod
    def of(cls, r: VehicleRule) -> VehicleRuleOut:
        return cls(
            kind=r.kind.value, key=r.key, vehicle=r.vehicle,
            confidence=CONFIDENCE[r.kind], created_by=r.created_by,
        )  # fmt: skip


class VehicleIdOut(BaseModel):
    token: str
    vehicle: str | None
    identified_by: str | None
    confidence: float

    @classmethod
    def of(cls, token: str, v: VehicleId | None) -> VehicleIdOut:
        if v is None:
            return cls(token=token, vehicle=None, identified_by=None, confidence=0.0)
        return cls(token=token, vehicle=v.vehicle, identified_by=v.source.value,
                   confidence=v.confidence)  # fmt: skip
