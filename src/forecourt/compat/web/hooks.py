"""The driver-page hook: the "My car" choices, and for the chosen car what each port offers."""

from __future__ import annotations

from collections import Counter
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

from forecourt.compat.domain import Vehicle
from forecourt.compat.services.compatibility import ChargeWindow, Compatibility, RankedConnector
from forecourt.domain.errors import InvalidInput, NotFound
from forecourt.domain.stations import ConnectorStatus
from forecourt.web.context import DriverPage
from forecourt.web.status import (
    AVAILABLE,
    IN_USE,
    OFFLINE,
    OUT_OF_ORDER,
    OUT_OF_SERVICE,
    RESERVED,
    UNKNOWN,
    StatusWords,
    plug_label,
)

#: What drivers ask most: "how long from nearly empty to 80 %?"
WINDOW = ChargeWindow(10, 80)

#: The words the driver pages use for each status (``web.status``); offline is told apart.
_WORDS = {
    ConnectorStatus.AVAILABLE: AVAILABLE,
    ConnectorStatus.OCCUPIED: IN_USE,
    ConnectorStatus.RESERVED: RESERVED,
    ConnectorStatus.FAULTED: OUT_OF_ORDER,
    ConnectorStatus.UNAVAILABLE: OUT_OF_SERVICE,
    ConnectorStatus.UNKNOWN: UNKNOWN,
}


@dataclass(frozen=True, slots=True)
class ConnectorFit:
    """One connector for the chosen car, in words."""

    station_id: str
    evse_id: int
    connector_id: int
    plug: str  # "nacs", "ccs1", ... (for the plug icon)
    plug_label: str  # "NACS (J3400)"
    works: bool
    usable_now: bool
    words: StatusWords  # the status in the driver pages' words ("Out of order")
    not_now: str  # why a plug that fits cannot be used now ("out of order (LockFailure)")
    adapter: str | None  # the adapter to use, if one is needed
    minutes: int | None  # to 80 %
    peak_kw: int | None
    why: str  # what limits the speed, or why it cannot charge
    warnings: list[str] = field(default_factory=list)

    @property
    def where(self) -> str:
        return f"Charger {self.station_id}, port {self.evse_id}"


@dataclass(frozen=True, slots=True)
class StallLine:
    """One stall for the chosen car: does the cable reach its inlet?"""

    stall_id: str
    station_id: str
    evse_id: int
    fits: bool | None  # None: the car's inlet position is not known
    accessible: bool
    reason: str

    @property
    def where(self) -> str:
        return f"Stall {self.stall_id} (charger {self.station_id}, port {self.evse_id})"


@dataclass(frozen=True, slots=True)
class CarAdvice:
    vehicle: str
    summary: str
    window: str
    fits: list[ConnectorFit]
    adapters: list[str]  # adapters needed by the connectors that work
    error: str | None = None
    stalls: list[StallLine] = field(default_factory=list)  # best first (the cable reaches)
    inlet: str = ""  # where the car's inlet is, e.g. "rear right"

    @property
    def working(self) -> list[ConnectorFit]:
        return [fit for fit in self.fits if fit.works]

    @property
    def not_working(self) -> list[ConnectorFit]:
        return [fit for fit in self.fits if not fit.works]

    def fit_for(self, station_id: str, evse_id: int, connector_id: int) -> ConnectorFit | None:
        key = (station_id, evse_id, connector_id)
        return next(
            (f for f in self.fits if (f.station_id, f.evse_id, f.connector_id) == key), None
        )


class CompatSlots:
    """A driver hook (``WebContext.add_driver_hook``) for the "My car" slots."""

    def __init__(self, compatibility: Compatibility) -> None:
        self._compatibility = compatibility
        self._options = vehicle_options(compatibility.vehicles())

    async def __call__(self, page: DriverPage) -> Mapping[str, Any]:
        slots: dict[str, Any] = {"vehicle_options": self._options}
        if page.car:
            slots["compat"] = await self.advice(page)
        return slots

    async def advice(self, page: DriverPage) -> CarAdvice:
        assert page.car is not None
        try:
            vehicle = self._compatibility.vehicle(page.car)
        except (NotFound, InvalidInput) as exc:
            return CarAdvice(page.car, "", "", [], [], error=str(exc))
        advice = await self._compatibility.recommend_at_site(page.site.id, vehicle, WINDOW)
        offline = {station.id for station in page.stations if not station.connected}
        fits = [_fit(r, r.ref.station_id in offline) for r in advice.ranked if _on_page(r, page)]
        adapters = list(dict.fromkeys(fit.adapter for fit in fits if fit.works and fit.adapter))
        window = f"{WINDOW.soc_from:g} → {WINDOW.soc_to:g} %"
        stalls = await self._stalls(vehicle, page)
        inlet = vehicle.inlet_position.describe() if vehicle.inlet_position else ""
        summary = _summary(fits, page)
        return CarAdvice(vehicle.name, summary, window, fits, adapters, None, stalls, inlet)

    async def _stalls(self, vehicle: Vehicle, page: DriverPage) -> list[StallLine]:
        """The site's stalls (this port's on a port page) for the car, reachable first."""
        fits = await self._compatibility.stalls.fits(vehicle, page.site.id)
        return [
            StallLine(
                fit.stall.stall_id,
                fit.stall.station_id,
                fit.stall.evse_id,
                fit.fits,
                fit.stall.accessible,
                fit.reason,
            )
            for fit in fits
            if page.evse is None or (fit.stall.station_id, fit.stall.evse_id) == page.evse
        ]


def vehicle_options(vehicles: list[Vehicle]) -> tuple[tuple[str, str], ...]:
    """Short labels, so the selector fits a phone: "Hyundai Ioniq 5 2025–26"; the usable
    capacity is added only where make, model and years alone are ambiguous."""
    plain = {vehicle.id: f"{vehicle.make} {vehicle.model}" for vehicle in vehicles}
    seen = Counter((plain[v.id], v.model_years) for v in vehicles)
    labels = []
    for vehicle in vehicles:
        ambiguous = seen[plain[vehicle.id], vehicle.model_years] > 1
        size = f" {vehicle.usable_kwh.value:g} kWh" if ambiguous else ""
        labels.append((vehicle.id, f"{plain[vehicle.id]}{size} {_years(vehicle)}"))
    return tuple(sorted(labels, key=lambda option: option[1]))


def _years(vehicle: Vehicle) -> str:
    first, last = vehicle.model_years
    return str(first) if first == last else f"{first}–{last % 100:02d}"


def _on_page(item: RankedConnector, page: DriverPage) -> bool:
    return page.evse is None or (item.ref.station_id, item.ref.evse_id) == page.evse


def _summary(fits: list[ConnectorFit], page: DriverPage) -> str:
    """The answer first: where to plug in and how long it takes (best first in ``fits``)."""
    here = "this port" if page.evse else "here"
    best = next((fit for fit in fits if fit.usable_now), None)
    if best is not None:
        via = f"with the {best.adapter}" if best.adapter else "no adapter needed"
        where = "" if page.evse else f" at charger {best.station_id}, port {best.evse_id}"
        return f"Best: {best.plug_label}{where}, {via}: about {best.minutes} min from 10 to 80 %."
    if any(fit.works for fit in fits):
        return f"A plug {here} fits your car, but none is free right now."
    return f"No plug {here} fits your car."


def _fit(item: RankedConnector, offline: bool) -> ConnectorFit:
    found = item.recommendation
    offer, option, result = found.connector, found.option, found.estimate
    # The driver pages' words ("in use"), never the status enum ("occupied").
    not_now = "" if found.usable_now or offline else _WORDS[offer.status].words.lower()
    if not_now and offer.status_reason:
        not_now += f" ({offer.status_reason})"
    why = result.explain() if result else (option.reason.message if option.reason else "")
    # a dispenser's own adapter (Magic Dock) is part of its plug: nothing for the driver to bring
    dock = option.adapter if option.adapter and option.adapter.built_in else None
    carried = None if dock else option.adapter
    return ConnectorFit(
        station_id=item.ref.station_id,
        evse_id=item.ref.evse_id,
        connector_id=item.ref.connector_id,
        plug=offer.connector_type.value,
        plug_label=plug_label(offer.connector_type, dock.vehicle_plug if dock else None),
        works=result is not None,
        usable_now=found.usable_now,
        words=OFFLINE if offline else _WORDS[offer.status],
        not_now=not_now,
        adapter=carried.name if carried and result else None,
        minutes=round(result.duration_s / 60) if result else None,
        peak_kw=round(result.peak_power_w / 1000) if result else None,
        why=why,
        warnings=[w.message for w in result.warnings] if result else [],
    )
