"""Deliverable power at one state of charge: the minimum of every constraint, and which one binds.

A :class:`PowerModel` is built once per (vehicle, connector class, option, ambient).  It
folds everything that does not depend on SoC into at most three numbers (a power cap, a
supply-side current and the vehicle's inlet current), so each SoC step costs a couple
of multiplications.  Vehicle curves are pre-sampled on a fixed SoC grid (:data:`STEP`).
"""

from __future__ import annotations

from enum import StrEnum
from typing import NamedTuple

from forecourt.compat.domain.model import ConnectorOffer, LowVoltageMode, Vehicle
from forecourt.compat.domain.options import ChargePath, Option
from forecourt.domain.connectors import PowerType

#: Grid step in SoC percentage points; cell ``i`` spans ``[i * STEP, (i + 1) * STEP]``.
STEP = 0.5
CELLS = int(100 / STEP)
_INF = float("inf")


class Constraint(StrEnum):
    VEHICLE_CURVE = "vehicle_curve"
    VEHICLE_CURRENT = "vehicle_current"
    EVSE_POWER = "evse_power"
    EVSE_CURRENT = "evse_current"
    ADAPTER_CURRENT = "adapter_current"
    THERMAL_FOLDBACK = "thermal_foldback"
    BOOST_CONVERTER = "boost_converter"
    PACK_RECONFIGURATION = "pack_reconfiguration"
    SHARED_CABINET = "shared_cabinet"
    DERATED = "derated"
    ONBOARD_CHARGER = "onboard_charger"
    AC_EVSE_CURRENT = "ac_evse_current"
    VOLTAGE_LIMIT = "voltage_limit"  # pack voltage above what the EVSE can reach: no charge
    COLD_BATTERY = "cold_battery"  # a cold pack accepts only part of its warm curve


class Limit(NamedTuple):
    """The binding constraint at one SoC; current and voltage are set for I x V limits."""

    power_w: float
    constraint: Constraint
    current_a: float | None = None
    voltage_v: float | None = None


class _Grid(NamedTuple):
    volts: tuple[float, ...]  # pack voltage at each cell's midpoint
    curve_w: tuple[float, ...]  # vehicle curve (W) at each cell's midpoint


_GRIDS: dict[int, tuple[Vehicle, _Grid]] = {}


def vehicle_grid(vehicle: Vehicle) -> _Grid:
    """Pack voltage and DC curve sampled at every cell midpoint, cached per vehicle object."""
    cached = _GRIDS.get(id(vehicle))
    if cached is not None and cached[0] is vehicle:
        return cached[1]
    mids = [(index + 0.5) * STEP for index in range(CELLS)]
    volts = tuple(vehicle.pack_voltage_v.at(soc) for soc in mids)
    dc = vehicle.dc
    curve = tuple(dc.curve_kw.at(soc) * 1000 for soc in mids) if dc else (0.0,) * CELLS
    grid = _Grid(volts, curve)
    if len(_GRIDS) > 4096:  # operator reloads create new objects; keep the cache bounded
        _GRIDS.clear()
    _GRIDS[id(vehicle)] = (vehicle, grid)
    return grid


def _lowest(pairs: list[tuple[float, Constraint]]) -> tuple[float, Constraint | None]:
    best: tuple[float, Constraint | None] = (_INF, None)
    for value, kind in pairs:  # first wins a tie, so list order sets the explanation
        if value < best[0]:
            best = (value, kind)
    return best


class PowerModel:
    """Limits for one vehicle charging through one option at one connector."""

    __slots__ = (
        "_cap", "_cap_kind", "_grid", "_inlet_a", "_low_cap", "_mode", "_supply_a",
        "_supply_kind", "_v_limit", "path", "vehicle",
    )  # fmt: skip

    def __init__(
        self,
        vehicle: Vehicle,
        connector: ConnectorOffer,
        option: Option,
        ambient_c: float | None = None,
    ) -> None:
        if option.path is None:
            raise ValueError("an option without a path has no power model")
        self.vehicle, self.path = vehicle, option.path
        self._grid = vehicle_grid(vehicle)
        rating = connector.rating
        caps: list[tuple[float, Constraint]] = []
        supply: list[tuple[float, Constraint]] = []
        self._v_limit = rating.max_voltage_v
        adapter = option.adapter
        if adapter is not None:
            self._v_limit = min(self._v_limit, adapter.max_voltage_v.value)
            rated = adapter.max_current_a.value
            supply.append((rated, Constraint.ADAPTER_CURRENT))
            folded = adapter.thermal.current_limit_a(rated, ambient_c)
            if folded is not None and folded < rated:
                supply.append((folded, Constraint.THERMAL_FOLDBACK))
        self._mode, self._low_cap, self._inlet_a = LowVoltageMode.NOT_NEEDED, _INF, _INF
        if self.path is ChargePath.DC:
            self._init_dc(connector, caps, supply)
        else:
            self._init_ac(connector, caps, supply)
            supply = []
        if connector.available_power_w is not None:
            caps.append((connector.available_power_w, Constraint.SHARED_CABINET))
        if connector.derated_power_w is not None:
            caps.append((connector.derated_power_w, Constraint.DERATED))
        self._cap, self._cap_kind = _lowest(caps)
        self._supply_a, self._supply_kind = _lowest(supply)

    def _init_dc(
        self,
        connector: ConnectorOffer,
        caps: list[tuple[float, Constraint]],
        supply: list[tuple[float, Constraint]],
    ) -> None:
        dc = self.vehicle.dc
        if dc is None:
            raise ValueError(f"{self.vehicle.id} cannot DC charge")
        self._inlet_a = dc.max_current_a.value
        supply.append((connector.rating.max_current_a, Constraint.EVSE_CURRENT))
        supply.reverse()  # EVSE first, so an adapter rated like the EVSE does not "bind"
        caps.append((connector.rating.max_power_w, Constraint.EVSE_POWER))
        self._mode = dc.low_voltage.mode
        if dc.low_voltage.boost_unavailable(self._v_limit):
            self._mode = LowVoltageMode.CANNOT_CHARGE  # the boost path needs more volts in
        if dc.low_voltage.max_power_kw is not None:
            self._low_cap = dc.low_voltage.max_power_kw.value * 1000

    def _init_ac(
        self,
        connector: ConnectorOffer,
        caps: list[tuple[float, Constraint]],
        supply: list[tuple[float, Constraint]],
    ) -> None:
        rating = connector.rating
        evse_phases = 3 if rating.power_type is PowerType.AC_3_PHASE else 1
        # AC power is current x supply voltage x phases, flat over SoC (taper not modelled)
        volts_per_amp = rating.max_voltage_v * min(self.vehicle.ac.phases, evse_phases)
        caps.append((self.vehicle.ac.max_power_kw.value * 1000, Constraint.ONBOARD_CHARGER))
        # the pilot current is what an AC EVSE actually enforces: it wins a tie with power
        caps.append((rating.max_current_a * volts_per_amp, Constraint.AC_EVSE_CURRENT))
        caps.append((rating.max_power_w, Constraint.EVSE_POWER))
        caps.extend((amps * volts_per_amp, kind) for amps, kind in supply)

    def limit_at(self, soc: float) -> Limit:
        """The deliverable power (W, at the connector) at ``soc`` and what limits it."""
        if self.path is ChargePath.AC:
            return self.explain(self._cap, self._ac_kind(), 0.0)
        assert self.vehicle.dc is not None
        pack_v = self.vehicle.pack_voltage_v.at(soc)
        power, kind = self._point(pack_v, self.vehicle.dc.curve_kw.at(soc) * 1000)
        return self.explain(power, kind, pack_v)

    def profile(
        self, first: int, last: int, stride: int = 1
    ) -> tuple[list[float], list[Constraint]]:
        """Power and binding constraint for grid cells ``first``..``last`` (inclusive)."""
        indexes = range(first, last + 1, stride)
        if self.path is ChargePath.AC:
            return [self._cap] * len(indexes), [self._ac_kind()] * len(indexes)
        volts, curve = self._grid
        point = self._point
        pairs = [point(volts[i], curve[i]) for i in indexes]
        return [power for power, _ in pairs], [kind for _, kind in pairs]

    def cell_voltage(self, index: int) -> float:
        return self._grid.volts[index]

    def cell_curve_w(self, index: int) -> float:
        """The vehicle's warm DC curve (W) at cell ``index``."""
        return self._grid.curve_w[index]

    def explain(self, power: float, kind: Constraint, pack_v: float) -> Limit:
        """The full :class:`Limit` (with current and voltage) behind a (power, kind) pair."""
        if kind is Constraint.VEHICLE_CURRENT:
            return Limit(power, kind, self._inlet_a, power / self._inlet_a)
        if kind is self._supply_kind and self.path is ChargePath.DC:
            return Limit(power, kind, self._supply_a, power / self._supply_a)
        if kind is Constraint.VOLTAGE_LIMIT:
            return Limit(power, kind, None, pack_v)
        return Limit(power, kind)

    def _ac_kind(self) -> Constraint:
        assert self._cap_kind is not None
        return self._cap_kind

    def _point(self, pack_v: float, curve_w: float) -> tuple[float, Constraint]:
        best, kind = curve_w, Constraint.VEHICLE_CURVE
        volts = pack_v  # at the inlet and at the EVSE
        if pack_v > self._v_limit:
            if self._mode is LowVoltageMode.BOOST:
                volts = self._v_limit
                if self._low_cap < best:
                    best, kind = self._low_cap, Constraint.BOOST_CONVERTER
            elif self._mode is LowVoltageMode.RECONFIGURE and pack_v / 2 <= self._v_limit:
                volts = pack_v / 2
                if self._low_cap < best:
                    best, kind = self._low_cap, Constraint.PACK_RECONFIGURATION
            else:
                return 0.0, Constraint.VOLTAGE_LIMIT
        if self._inlet_a * volts < best:
            best, kind = self._inlet_a * volts, Constraint.VEHICLE_CURRENT
        if self._supply_a * volts < best:
            assert self._supply_kind is not None
            best, kind = self._supply_a * volts, self._supply_kind
        if self._cap < best:
            assert self._cap_kind is not None
            best, kind = self._cap, self._cap_kind
        return best, kind


def peak_power_w(model: PowerModel, stride: int = 4) -> float:
    """Highest deliverable power over the whole SoC range (every ``stride``-th cell)."""
    return max(model.profile(0, CELLS - 1, stride)[0])
