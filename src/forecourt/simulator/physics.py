"""A deliberately simple vehicle and power model.

The vehicle asks for its maximum power, ramping up linearly over ``ramp_s`` (cable check,
insulation test, pre-charge) and tapering linearly above ``taper_start_soc`` down to 10 % of
its maximum at 100 % SoC. The EVSE delivers min(request, rating), shaped by the fault knobs
documented on :class:`~forecourt.simulator.config.EvseFaults`.
"""

from __future__ import annotations

from dataclasses import dataclass

from forecourt.simulator.config import ConnectorType, EvseConfig

AC_EFFICIENCY = 0.90  # on-board charger losses: energy metered is more than energy stored
DC_EFFICIENCY = 0.95
DEFAULT_AC_VOLTAGE_V = 240.0
INTEGRATION_STEP_S = 1.0  # vehicle-time resolution of the energy integral


@dataclass(frozen=True)
class VehicleProfile:
    name: str = "Generic EV"
    battery_kwh: float = 75.0
    start_soc: float = 20.0
    target_soc: float = 80.0
    max_dc_kw: float = 150.0
    max_ac_kw: float = 11.0
    plugs: tuple[ConnectorType, ...] = ("ccs1", "j1772")
    pack_voltage_v: float = 400.0
    taper_start_soc: float = 60.0


# A small catalogue covering the plug mix a US forecourt sees (figures are typical, rounded).
VEHICLES: tuple[VehicleProfile, ...] = (
    VehicleProfile("NACS sedan 75 kWh", 75.0, 15.0, 80.0, 250.0, 11.5, ("nacs",), 400.0, 55.0),
    VehicleProfile("800 V crossover", 77.4, 10.0, 80.0, 235.0, 10.9, ("ccs1", "j1772"), 800.0),
    VehicleProfile("CCS1 pickup 131 kWh", 131.0, 20.0, 90.0, 150.0, 19.2, ("ccs1", "j1772")),
    VehicleProfile("CCS1 hatchback 65 kWh", 65.0, 25.0, 90.0, 55.0, 11.5, ("ccs1", "j1772")),
    VehicleProfile("CHAdeMO compact 40 kWh", 40.0, 20.0, 80.0, 50.0, 6.6, ("chademo", "j1772")),
    VehicleProfile("Euro CCS2 estate 82 kWh", 82.0, 20.0, 80.0, 175.0, 11.0, ("ccs2", "type2")),
)


@dataclass(frozen=True)
class PowerReading:
    delivered_w: float
    offered_w: float
    voltage_v: float

    @property
    def current_a(self) -> float:
        return self.delivered_w / self.voltage_v if self.voltage_v else 0.0


NO_POWER = PowerReading(0.0, 0.0, 0.0)


@dataclass
class ChargeState:
    """The evolving physical state of one charging session (vehicle time)."""

    soc: float
    elapsed_s: float = 0.0
    delivered_wh: float = 0.0
    reading: PowerReading = NO_POWER


def vehicle_request_w(
    vehicle: VehicleProfile, soc: float, elapsed_s: float, *, dc: bool, ramp_s: float
) -> float:
    if soc >= vehicle.target_soc or soc >= 100.0:
        return 0.0
    max_w = (vehicle.max_dc_kw if dc else vehicle.max_ac_kw) * 1000.0
    ramp = 1.0 if ramp_s <= 0 else min(1.0, elapsed_s / ramp_s)
    taper = 1.0
    if soc > vehicle.taper_start_soc:
        span = max(1.0, 100.0 - vehicle.taper_start_soc)
        taper = 1.0 - 0.9 * (soc - vehicle.taper_start_soc) / span
    return max_w * ramp * taper


def voltage_v(vehicle: VehicleProfile, evse: EvseConfig, soc: float) -> float:
    if not evse.is_dc:
        return evse.voltage_v or DEFAULT_AC_VOLTAGE_V
    return vehicle.pack_voltage_v * (0.92 + 0.12 * soc / 100.0)  # pack voltage rises with SoC


def power_at(
    vehicle: VehicleProfile,
    evse: EvseConfig,
    soc: float,
    elapsed_s: float,
    *,
    ramp_s: float,
    limit_w: float | None = None,
) -> PowerReading:
    """``limit_w``: the charging profile in force (the CSMS's limit), if any."""
    faults = evse.faults
    request = vehicle_request_w(vehicle, soc, elapsed_s, dc=evse.is_dc, ramp_s=ramp_s)
    delivered = min(request, evse.max_power_w) * faults.derate_factor
    if faults.power_cap_w is not None:
        delivered = min(delivered, faults.power_cap_w)
    if limit_w is not None:
        delivered = min(delivered, limit_w)
    offered = evse.max_power_w * faults.derate_factor
    return PowerReading(max(0.0, delivered), offered, voltage_v(vehicle, evse, soc))


def advance(
    state: ChargeState,
    vehicle: VehicleProfile,
    evse: EvseConfig,
    dt_s: float,
    *,
    ramp_s: float = 20.0,
    limit_w: float | None = None,
) -> float:
    """Integrate ``dt_s`` seconds of vehicle time; return the energy metered (Wh)."""
    efficiency = DC_EFFICIENCY if evse.is_dc else AC_EFFICIENCY
    capacity_wh = vehicle.battery_kwh * 1000.0
    metered_wh = 0.0
    remaining = max(0.0, dt_s)
    while remaining > 0:
        step = min(INTEGRATION_STEP_S, remaining)
        reading = power_at(
            vehicle, evse, state.soc, state.elapsed_s, ramp_s=ramp_s, limit_w=limit_w
        )
        step_wh = reading.delivered_w * step / 3600.0
        state.soc = min(100.0, state.soc + 100.0 * step_wh * efficiency / capacity_wh)
        state.elapsed_s += step
        metered_wh += step_wh
        remaining -= step
    state.delivered_wh += metered_wh
    state.reading = power_at(
        vehicle, evse, state.soc, state.elapsed_s, ramp_s=ramp_s, limit_w=limit_w
    )
    return metered_wh
