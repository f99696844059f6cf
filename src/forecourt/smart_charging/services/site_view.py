"""A managed site as the dashboard, API and CLI show it: limit, measured power, each EVSE's
allocation with its car's departure and need, and the planned current on every phase."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime

from forecourt.smart_charging.domain.allocation import EvseRef
from forecourt.smart_charging.ports import ManagedSite, SiteEvent, StoredAllocation
from forecourt.smart_charging.services.site_state import ALL_PHASES, EvseView


@dataclass(frozen=True, slots=True)
class EvseDetail:
    """Beyond the allocation: the phases it loads and what its car needs."""

    phases: tuple[int, ...]
    departure_at: datetime | None
    energy_wh: float | None  # the session's energy need
    need_w: float | None  # the mean power still needed by departure
    departure_source: str
    car_cap_w: float | None  # what the car, the station or compat say it can take


@dataclass(frozen=True, slots=True)
class SiteLoad:
    site: ManagedSite
    limit_now_w: float
    measured_w: float  # the sum of the latest metered power of its sessions
    allocations: list[StoredAllocation]
    events: list[SiteEvent]
    details: dict[EvseRef, EvseDetail]
    phase_amps: dict[int, float]  # planned, per site phase

    def detail(self, ref: EvseRef) -> EvseDetail | None:
        return self.details.get(ref)


def site_load(
    managed: ManagedSite,
    now: datetime,
    views: Sequence[EvseView],
    allocations: list[StoredAllocation],
    events: list[SiteEvent],
) -> SiteLoad:
    measured = sum(v.tx.power_w or 0.0 for v in views if v.tx is not None)
    details = {v.state.ref: _detail(v) for v in views}
    amps = dict.fromkeys(ALL_PHASES[: managed.limit.phases], 0.0)
    for allocation in allocations:
        detail = details.get(allocation.ref)
        if detail is None:
            continue
        for phase in detail.phases:
            share = allocation.planned_w / (managed.limit.voltage * len(detail.phases))
            amps[phase] = amps.get(phase, 0.0) + share
    limit_now = managed.limit.watts_at(now)
    return SiteLoad(managed, limit_now, measured, allocations, events, details, amps)


def _detail(view: EvseView) -> EvseDetail:
    car = view.car
    return EvseDetail(
        view.state.phases,
        car.departure_at,
        car.energy_wh,
        view.state.need_w,
        car.departure_source,
        car.cap_w,
    )
