"""Request and response models of the load-management API."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from pydantic import BaseModel, Field, model_validator

from forecourt.api.schemas.base import Input, UtcDatetime
from forecourt.domain.charging_profiles import RateUnit
from forecourt.smart_charging.domain.allocation import Policy, Reason
from forecourt.smart_charging.domain.site import DailyWindow, LimitSignal, SiteLimit
from forecourt.smart_charging.ports import SiteEvent, StoredAllocation
from forecourt.smart_charging.services.site_view import EvseDetail, SiteLoad

Limit = Field(ge=0, lt=1e9, description="Watts (unit W, total) or amps per phase (unit A).")


class WindowIn(Input):
    start_minute: int = Field(ge=0, le=1439, description="Minutes after midnight UTC.")
    end_minute: int = Field(gt=0, le=1440)
    limit: float = Limit

    @model_validator(mode="after")
    def _ordered(self) -> WindowIn:
        if self.end_minute <= self.start_minute:
            raise ValueError("end_minute must be after start_minute")
        return self


class SiteLimitIn(Input):
    limit: float = Limit
    unit: RateUnit = RateUnit.WATTS
    phases: int = Field(3, ge=1, le=3)
    voltage: float = Field(230.0, ge=50, le=1000)
    windows: list[WindowIn] = Field(default_factory=list, max_length=48)
    policy: Policy = Policy.FAIR_SHARE
    phase_limit_a: float | None = Field(
        None, ge=0, lt=1e6, description="Amps on every phase, besides the total (None: none)."
    )

    def to_domain(self, site_id: str) -> SiteLimit:
        windows = tuple(DailyWindow(w.start_minute, w.end_minute, w.limit) for w in self.windows)
        return SiteLimit(
            site_id, self.limit, self.unit, self.phases, self.voltage, windows,
            phase_limit_a=self.phase_limit_a,
        )  # fmt: skip


class SignalIn(Input):
    limit: float = Limit
    until: UtcDatetime = Field(description="When the external limit ends (with its offset).")
    source: str = Field("api", min_length=1, max_length=64, description="e.g. `utility-dr`.")

    def to_domain(self) -> LimitSignal:
        return LimitSignal(self.limit, self.until, self.source)


class EvseSettingsIn(Input):
    min_w: float | None = Field(None, ge=0, lt=1e9, description="None: 6 A on AC, 0 on DC.")
    max_w: float | None = Field(None, gt=0, lt=1e9, description="None: the EVSE's rating.")
    priority: int = Field(0, ge=0, le=100, description="Higher is served first (priority).")
    phase: int | None = Field(
        None, ge=1, le=3, description="The site phase a single-phase EVSE is wired to (L1)."
    )


class DepartureIn(Input):
    departure_at: UtcDatetime = Field(description="When the driver leaves (with its offset).")
    energy_wh: float = Field(gt=0, le=1_000_000, description="Energy the car needs, Wh.")
    vehicle: str | None = Field(
        None, min_length=1, max_length=120, description="The car, for compat's estimate."
    )


class AllocationOut(BaseModel):
    station_id: str
    evse_id: int
    station_tx_id: str | None
    planned_w: float
    accepted_w: float | None
    reason: Reason
    status: str
    at: datetime
    phases: list[int] = Field(description="The site phases it loads.")
    departure_at: datetime | None
    energy_wh: float | None = Field(description="The session's energy need.")
    need_w: float | None = Field(description="Mean power still needed by departure.")
    departure_source: str = Field(description="car, api or cli; empty without a departure.")
    car_cap_w: float | None = Field(description="What the car can take (car, station, compat).")

    @classmethod
    def of(cls, a: StoredAllocation, d: EvseDetail | None) -> AllocationOut:
        return cls(
            phases=list(d.phases) if d else [],
            departure_at=d.departure_at if d else None,
            energy_wh=d.energy_wh if d else None,
            need_w=d.need_w if d else None,
            departure_source=d.departure_source if d else "",
            car_cap_w=d.car_cap_w if d else None,
            station_id=a.ref.station_id,
            evse_id=a.ref.evse_id,
            station_tx_id=a.station_tx_id,
            planned_w=a.planned_w,
            accepted_w=a.accepted_w,
            reason=a.reason,
            status=a.status,
            at=a.at,
        )


class SiteEventOut(BaseModel):
    kind: str
    at: datetime
    station_id: str
    evse_id: int | None
    data: dict[str, Any]

    @classmethod
    def of(cls, e: SiteEvent) -> SiteEventOut:
        return cls(kind=e.kind, at=e.at, station_id=e.station_id, evse_id=e.evse_id, data=e.data)


class SiteLoadOut(BaseModel):
    site_id: str
    limit: float
    unit: RateUnit
    phases: int
    voltage: float
    policy: Policy
    phase_limit_a: float | None
    phase_amps: dict[int, float] = Field(description="Planned amps on each site phase.")
    windows: list[dict[str, float]]
    signal: dict[str, Any] | None
    limit_now_w: float = Field(description="The limit in force now, in watts.")
    measured_w: float = Field(description="The site's sessions' latest metered power.")
    allocated_w: float
    allocations: list[AllocationOut]
    events: list[SiteEventOut]

    @classmethod
    def of(cls, load: SiteLoad) -> SiteLoadOut:
        limit = load.site.limit
        signal = limit.signal
        return cls(
            site_id=limit.site_id,
            limit=limit.limit,
            unit=limit.unit,
            phases=limit.phases,
            voltage=limit.voltage,
            policy=load.site.policy,
            phase_limit_a=limit.phase_limit_a,
            phase_amps={p: round(a, 2) for p, a in load.phase_amps.items()},
            windows=[
                {"start_minute": w.start_minute, "end_minute": w.end_minute, "limit": w.limit}
                for w in limit.windows
            ],
            signal=None
            if signal is None
            else {"limit": signal.limit, "until": signal.until, "source": signal.source},
            limit_now_w=load.limit_now_w,
            measured_w=load.measured_w,
            allocated_w=sum(a.planned_w for a in load.allocations),
            allocations=[AllocationOut.of(a, load.detail(a.ref)) for a in load.allocations],
            events=[SiteEventOut.of(e) for e in load.events],
        )
