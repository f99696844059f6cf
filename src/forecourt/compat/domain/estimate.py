"""Charge-time estimation: integrate deliverable power over state of charge.

The vehicle's curves give power *at the connector* (what charger displays and third-party
tests report).  The battery receives that power times :data:`DC_CHARGING_EFFICIENCY`
(or :data:`AC_CHARGING_EFFICIENCY`); the meter bills the energy at the connector.
"""

from __future__ import annotations

import math
import operator
from dataclasses import dataclass

from forecourt.compat.domain.model import ConnectorOffer, Vehicle
from forecourt.compat.domain.options import ChargePath, Notice, Option
from forecourt.compat.domain.power import CELLS, STEP, Constraint, Limit, PowerModel
from forecourt.compat.domain.temperature import PackWarmth

#: Battery energy gained per unit of metered DC energy.  Third-party 0-100 % sessions
#: billed 4-12 % more than the usable capacity (Mach-E 92 vs 88 kWh, EQS 116 vs 108 kWh,
#: R1T 140 vs 125 kWh; see docs/compat.md); 0.92 is the middle of that range.
DC_CHARGING_EFFICIENCY = 0.92
#: AC adds the on-board charger's conversion loss; estimated, see docs/compat.md.
AC_CHARGING_EFFICIENCY = 0.88
#: Keep at most this many points in the returned power curve.
_CURVE_POINTS = 101

_LABELS = {
    Constraint.VEHICLE_CURVE: "vehicle charging curve",
    Constraint.VEHICLE_CURRENT: "vehicle current limit",
    Constraint.EVSE_POWER: "EVSE power limit",
    Constraint.EVSE_CURRENT: "EVSE current limit",
    Constraint.ADAPTER_CURRENT: "adapter current limit",
    Constraint.THERMAL_FOLDBACK: "adapter thermal foldback",
    Constraint.BOOST_CONVERTER: "vehicle boost converter",
    Constraint.PACK_RECONFIGURATION: "pack reconfigured for a lower-voltage EVSE",
    Constraint.SHARED_CABINET: "power shared with other cables",
    Constraint.DERATED: "connector derated",
    Constraint.ONBOARD_CHARGER: "on-board charger limit",
    Constraint.AC_EVSE_CURRENT: "EVSE current limit",
    Constraint.VOLTAGE_LIMIT: "pack voltage above the EVSE's maximum",
    Constraint.COLD_BATTERY: "cold battery",
}


@dataclass(frozen=True, slots=True)
class ConstraintBand:
    """A SoC range over which one constraint binds."""

    soc_from: float
    soc_to: float
    constraint: Constraint
    detail: str

    def describe(self) -> str:
        return f"{self.soc_from:g}–{self.soc_to:g} %: {self.detail}"


@dataclass(frozen=True, slots=True)
class Estimate:
    vehicle_id: str
    option: Option
    soc_from: float
    soc_to: float
    reached_soc: float  # below ``soc_to`` when charging stops early (see ``reason``)
    duration_s: float
    energy_to_battery_kwh: float
    energy_from_grid_kwh: float  # metered at the connector
    charging_efficiency: float
    peak_power_w: float
    average_power_w: float
    curve: tuple[tuple[float, float], ...]  # (SoC %, power W at the connector)
    bands: tuple[ConstraintBand, ...]
    warnings: tuple[Notice, ...] = ()
    reason: Notice | None = None

    @property
    def complete(self) -> bool:
        return self.reason is None

    def explain(self) -> str:
        """One line per band, e.g. ``10–45 %: vehicle charging curve``."""
        return "; ".join(band.describe() for band in self.bands)


@dataclass(frozen=True, slots=True)
class _Run:
    """What the integration loop produced."""

    seconds: float
    reached: float
    efficiency: float
    powers: list[float]  # W at the connector, one per grid cell charged
    kinds: list[Constraint]  # the binding constraint in each of those cells
    start: float  # the window's start SoC (the first cell may begin before it)
    first_cell: int
    reason: Notice | None

    def edge(self, index: int) -> float:
        """SoC where charged cell ``index`` starts."""
        return self.start if index == 0 else (self.first_cell + index) * STEP


def estimate(
    vehicle: Vehicle,
    connector: ConnectorOffer,
    option: Option,
    soc_from: float,
    soc_to: float,
    ambient_c: float | None = None,
    *,
    model: PowerModel | None = None,
    preconditioned: bool = False,
) -> Estimate:
    """Time and energy to charge ``vehicle`` from ``soc_from`` to ``soc_to`` % via ``option``.

    Integrates over the SoC grid of ``power.STEP``; partial cells at either end count
    for the fraction of the cell inside the window.  With ``ambient_c`` a cold pack
    (not ``preconditioned``) accepts only part of the warm DC curve (``temperature.py``).
    """
    if not 0 <= soc_from < soc_to <= 100:
        raise ValueError("need 0 <= soc_from < soc_to <= 100")
    if not option.works:
        raise ValueError(f"option does not work: {option.reason}")
    model = model or PowerModel(vehicle, connector, option, ambient_c)
    efficiency = DC_CHARGING_EFFICIENCY if option.path is ChargePath.DC else AC_CHARGING_EFFICIENCY
    first = int(soc_from / STEP)
    last = min(CELLS - 1, max(first, math.ceil(soc_to / STEP) - 1))
    powers, kinds = model.profile(first, last)
    warmth = PackWarmth.at(ambient_c, preconditioned)
    if warmth is not None and option.path is ChargePath.DC:
        _chill(model, warmth, first, soc_from, powers, kinds)
    reason: Notice | None = None
    stop = next((i for i, power in enumerate(powers) if power <= 0), None)
    if stop is not None:
        soc = max(soc_from, (first + stop) * STEP)
        pack_v = model.cell_voltage(first + stop)
        reason = _stop_reason(model.explain(powers[stop], kinds[stop], pack_v), soc)
        del powers[stop:], kinds[stop:]
    reached = min(soc_to, (first + len(powers)) * STEP) if powers else soc_from
    seconds = _seconds(vehicle, efficiency, powers, (soc_from, reached), first)
    run = _Run(seconds, reached, efficiency, powers, kinds, soc_from, first, reason)
    return _finish(vehicle, option, (soc_from, soc_to), run, model, (ambient_c, preconditioned))


def _chill(
    model: PowerModel,
    warmth: PackWarmth,
    first: int,
    soc_from: float,
    powers: list[float],
    kinds: list[Constraint],
) -> None:
    """Cap each cell at the share of the warm curve the pack accepts as it warms up."""
    for index, power in enumerate(powers):
        cell = first + index
        charged = (cell + 0.5) * STEP - soc_from
        cold = model.cell_curve_w(cell) * warmth.factor(charged)
        if 0 < cold < power:
            powers[index], kinds[index] = cold, Constraint.COLD_BATTERY


def _seconds(
    vehicle: Vehicle, efficiency: float, powers: list[float], span: tuple[float, float], first: int
) -> float:
    """Time over the charged cells: full cells inside, partial (clipped) cells at both ends."""
    start, reached = span
    widths = [STEP] * len(powers)
    if widths:
        widths[0] = min(reached, (first + 1) * STEP) - start
        if len(widths) > 1:
            widths[-1] = reached - (first + len(widths) - 1) * STEP
    # seconds per (percentage point / watt at the connector)
    scale = vehicle.usable_kwh.value / 100 * 3600 * 1000 / efficiency
    return scale * math.fsum(map(operator.truediv, widths, powers))


def _stop_reason(limit: Limit, soc: float) -> Notice:
    volts = f" ({limit.voltage_v:.0f} V)" if limit.voltage_v is not None else ""
    return Notice(
        "charging_stops",
        f"Charging stops at {soc:g} %: {_LABELS[limit.constraint]}{volts}.",
    )


def _finish(
    vehicle: Vehicle,
    option: Option,
    window: tuple[float, float],
    run: _Run,
    model: PowerModel,
    climate: tuple[float | None, bool],
) -> Estimate:
    soc_from, soc_to = window
    ambient_c, preconditioned = climate
    battery_kwh = (run.reached - soc_from) * vehicle.usable_kwh.value / 100
    grid_kwh = battery_kwh / run.efficiency
    average = grid_kwh * 1000 / (run.seconds / 3600) if run.seconds else 0.0
    warnings = list(option.warnings)
    if ambient_c is not None and ambient_c < 10 and not preconditioned:
        warnings.append(Notice("cold_battery", _COLD))
    return Estimate(
        vehicle_id=vehicle.id,
        option=option,
        soc_from=soc_from,
        soc_to=soc_to,
        reached_soc=run.reached,
        duration_s=run.seconds,
        energy_to_battery_kwh=battery_kwh,
        energy_from_grid_kwh=grid_kwh,
        charging_efficiency=run.efficiency,
        peak_power_w=max(run.powers, default=0.0),
        average_power_w=average,
        curve=_thin(run, soc_from),
        bands=_bands(run, model),
        warnings=tuple(warnings),
        reason=run.reason,
    )


def _thin(run: _Run, start: float) -> tuple[tuple[float, float], ...]:
    """Cell midpoints, thinned to at most ~``_CURVE_POINTS``, anchored at both ends."""
    if not run.powers:
        return ()
    stride = max(1, -(-len(run.powers) // (_CURVE_POINTS - 2)))
    kept = [
        ((run.edge(i) + _cell_end(run, i)) / 2, run.powers[i])
        for i in range(0, len(run.powers), stride)
    ]
    return ((start, run.powers[0]), *kept, (run.reached, run.powers[-1]))


def _cell_end(run: _Run, index: int) -> float:
    return run.edge(index + 1) if index + 1 < len(run.powers) else run.reached


def _bands(run: _Run, model: PowerModel) -> tuple[ConstraintBand, ...]:
    bands: list[ConstraintBand] = []
    begin, kinds = 0, run.kinds
    for index in range(1, len(kinds) + 1):
        if index < len(kinds) and kinds[index] is kinds[begin]:
            continue
        end_soc = run.reached if index == len(kinds) else run.edge(index)
        first, last = (
            model.explain(run.powers[i], kinds[i], model.cell_voltage(run.first_cell + i))
            for i in (begin, index - 1)
        )
        bands.append(_band(run.edge(begin), end_soc, first, last))
        begin = index
    return tuple(bands)


def _band(soc0: float, soc1: float, first: Limit, last: Limit) -> ConstraintBand:
    label = _LABELS[first.constraint]
    if first.current_a is not None and first.voltage_v is not None and last.voltage_v is not None:
        low, high = sorted((first.voltage_v, last.voltage_v))
        volts = f"{low:.0f} V" if round(low) == round(high) else f"{low:.0f}–{high:.0f} V"
        detail = f"{label} {first.current_a:.0f} A × {volts}"
    elif first.constraint is Constraint.VEHICLE_CURVE:
        detail = label
    else:
        detail = f"{label} {first.power_w / 1000:.0f} kW"
    return ConstraintBand(round(soc0, 2), round(soc1, 2), first.constraint, detail)


_COLD = (
    "Cold battery: below 10 °C a pack that is not preconditioned charges slower (this estimate "
    "allows for it); preconditioning on the way to the charger saves time."
)
