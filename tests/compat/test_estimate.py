"""Every constraint of the estimator binds at least once, with exact numbers."""

from __future__ import annotations

import pytest

from forecourt.compat.domain import (
    DC_CHARGING_EFFICIENCY,
    Constraint,
    LowVoltageMode,
    ThermalPolicy,
    compatibility,
    estimate,
)
from forecourt.compat.domain.model import Adapter, ConnectorOffer, Vehicle
from forecourt.compat.domain.options import Option
from forecourt.domain.connectors import ConnectorRating, ConnectorType, PowerType
from tests.compat.factories import ac_connector, adapter, curve, dc_connector, flat, vehicle

NACS, CCS1, J1772 = ConnectorType.NACS, ConnectorType.CCS1, ConnectorType.J1772


def _only_option(
    car: Vehicle, connector: ConnectorOffer, adapters: tuple[Adapter, ...] = ()
) -> Option:
    option = compatibility(car, connector, adapters)[0]
    assert option.works, option.reason
    return option


def _binding(
    car: Vehicle,
    connector: ConnectorOffer,
    adapters: tuple[Adapter, ...] = (),
    ambient_c: float | None = None,
) -> tuple[Constraint, float, str]:
    option = _only_option(car, connector, adapters)
    result = estimate(car, connector, option, 10, 80, ambient_c)
    [band] = result.bands
    return band.constraint, result.peak_power_w, band.detail


def _minutes(kwh: float, kw: float) -> float:
    return kwh / (kw * DC_CHARGING_EFFICIENCY) * 60


def test_vehicle_curve_binds_and_time_energy_are_exact() -> None:
    car, connector = vehicle(), dc_connector()
    result = estimate(car, connector, _only_option(car, connector), 10, 80)
    assert result.bands[0].constraint is Constraint.VEHICLE_CURVE
    assert result.duration_s / 60 == pytest.approx(_minutes(70, 200))
    assert result.energy_to_battery_kwh == pytest.approx(70)
    assert result.energy_from_grid_kwh == pytest.approx(70 / DC_CHARGING_EFFICIENCY)
    assert result.average_power_w == pytest.approx(200_000)
    assert result.complete
    assert result.reached_soc == 80
    assert result.explain() == "10–80 %: vehicle charging curve"


def test_vehicle_current_binds() -> None:
    assert _binding(vehicle(max_current_a=300), dc_connector())[:2] == (
        Constraint.VEHICLE_CURRENT,
        120_000,
    )


def test_evse_power_binds() -> None:
    constraint, peak, detail = _binding(vehicle(), dc_connector(kw=100))
    assert (constraint, peak, detail) == (Constraint.EVSE_POWER, 100_000, "EVSE power limit 100 kW")


def test_evse_current_times_pack_voltage_binds() -> None:
    constraint, peak, detail = _binding(vehicle(), dc_connector(amps=200))
    assert (constraint, peak) == (Constraint.EVSE_CURRENT, 80_000)
    assert detail == "EVSE current limit 200 A × 400 V"


def test_current_limit_follows_pack_voltage_over_soc() -> None:
    car = vehicle(volts=curve((0, 300), (100, 500)))
    result = estimate(
        car, dc_connector(amps=250), _only_option(car, dc_connector(amps=250)), 10, 80
    )
    assert result.curve[0][1] < result.curve[-1][1]  # more volts, more power
    assert result.bands[0].detail == "EVSE current limit 250 A × 320–460 V"


def test_adapter_current_caps_the_session() -> None:
    constraint, peak, _ = _binding(vehicle(), dc_connector(NACS, amps=700), (adapter(amps=250),))
    assert (constraint, peak) == (Constraint.ADAPTER_CURRENT, 100_000)


def test_thermal_foldback_on_a_hot_day_only() -> None:
    hot_adapter = adapter(thermal=ThermalPolicy.HALVE, trigger_ambient_c=40)
    car, connector = vehicle(curve_kw=flat(300)), dc_connector(NACS, amps=700)
    assert _binding(car, connector, (hot_adapter,), ambient_c=45)[:2] == (
        Constraint.THERMAL_FOLDBACK,
        100_000,
    )
    assert _binding(car, connector, (hot_adapter,), ambient_c=20)[:2] == (
        Constraint.ADAPTER_CURRENT,
        200_000,
    )


def test_boost_converter_caps_an_800_v_pack_on_a_500_v_evse() -> None:
    car = vehicle(volts=flat(700), low_voltage=LowVoltageMode.BOOST, low_voltage_kw=100)
    constraint, peak, detail = _binding(car, dc_connector(volts=500))
    assert (constraint, peak, detail) == (
        Constraint.BOOST_CONVERTER,
        100_000,
        "vehicle boost converter 100 kW",
    )


def test_boost_power_is_also_limited_by_evse_current_at_evse_voltage() -> None:
    car = vehicle(volts=flat(700), low_voltage=LowVoltageMode.BOOST, low_voltage_kw=300)
    assert _binding(car, dc_connector(volts=500, amps=200))[:2] == (
        Constraint.EVSE_CURRENT,
        100_000,
    )


def test_pack_reconfiguration_halves_the_voltage() -> None:
    capped = vehicle(volts=flat(800), low_voltage=LowVoltageMode.RECONFIGURE, low_voltage_kw=150)
    assert _binding(capped, dc_connector(volts=500))[:2] == (
        Constraint.PACK_RECONFIGURATION,
        150_000,
    )
    free = vehicle(volts=flat(800), low_voltage=LowVoltageMode.RECONFIGURE, low_voltage_kw=400)
    constraint, peak, detail = _binding(free, dc_connector(volts=500, amps=300))
    assert (constraint, peak, detail) == (
        Constraint.EVSE_CURRENT,
        120_000,
        "EVSE current limit 300 A × 400 V",
    )


def test_cannot_charge_below_pack_voltage() -> None:
    car = vehicle(volts=flat(700), low_voltage=LowVoltageMode.CANNOT_CHARGE)
    [option] = compatibility(car, dc_connector(volts=500), [])
    assert option.reason is not None
    assert option.reason.code == "voltage_too_low"


def test_charging_stops_when_the_pack_outgrows_the_evse_voltage() -> None:
    car = vehicle(volts=curve((0, 400), (100, 600)))
    connector = dc_connector(volts=500)
    result = estimate(car, connector, _only_option(car, connector), 10, 80)
    assert result.reached_soc == 50
    assert not result.complete
    assert result.reason is not None
    assert "Charging stops at 50 %" in result.reason.message


def test_shared_cabinet_power_binds() -> None:
    connector = dc_connector(available_power_w=50_000)
    assert _binding(vehicle(), connector)[:2] == (Constraint.SHARED_CABINET, 50_000)


def test_derated_connector_binds() -> None:
    connector = dc_connector(derated_power_w=60_000, derate_reason="cooling fault")
    constraint, peak, detail = _binding(vehicle(), connector)
    assert (constraint, peak, detail) == (Constraint.DERATED, 60_000, "connector derated 60 kW")


def test_onboard_charger_binds_on_ac() -> None:
    constraint, peak, detail = _binding(vehicle(ac_kw=11.5), ac_connector(amps=80))
    assert (constraint, peak, detail) == (
        Constraint.ONBOARD_CHARGER,
        11_500,
        "on-board charger limit 12 kW",
    )


def test_ac_evse_current_binds() -> None:
    assert _binding(vehicle(ac_kw=11.5), ac_connector(amps=32))[:2] == (
        Constraint.AC_EVSE_CURRENT,
        7_680,
    )


def test_ac_adapter_current_caps_ac_sessions() -> None:
    nacs_ac = ac_connector(NACS, amps=80)
    ac_adapter = adapter("ac", vehicle_plug=J1772, dc=False, ac=True, amps=32, volts=240)
    assert _binding(vehicle(ac_kw=19.2), nacs_ac, (ac_adapter,))[:2] == (
        Constraint.ADAPTER_CURRENT,
        7_680,
    )


def test_three_phase_evse_with_single_phase_car_uses_one_phase() -> None:
    rating = ConnectorRating.from_limits(PowerType.AC_3_PHASE, 230, 32)
    type2 = ConnectorOffer("t2", ConnectorType.TYPE2, rating)
    car = vehicle(inlets=(ConnectorType.CCS2,), ac_kw=22)
    assert _binding(car, type2)[:2] == (Constraint.AC_EVSE_CURRENT, 7_360)


def test_bands_split_where_the_binding_constraint_changes() -> None:
    car = vehicle(curve_kw=curve((0, 250), (50, 250), (51, 80), (100, 80)))
    connector = dc_connector(kw=150)
    result = estimate(car, connector, _only_option(car, connector), 10, 80)
    assert [b.constraint for b in result.bands] == [Constraint.EVSE_POWER, Constraint.VEHICLE_CURVE]
    assert result.explain().startswith("10–50.5 %: EVSE power limit 150 kW; 50.5–80 %:")


def test_partial_steps_at_the_ends_are_integrated_exactly() -> None:
    car, connector = vehicle(), dc_connector()
    result = estimate(car, connector, _only_option(car, connector), 10.3, 79.9)
    assert result.energy_to_battery_kwh == pytest.approx(69.6)


def test_invalid_arguments_raise() -> None:
    car, connector = vehicle(), dc_connector()
    option = _only_option(car, connector)
    with pytest.raises(ValueError, match="soc_from"):
        estimate(car, connector, option, 80, 10)
    [failing] = compatibility(vehicle(dc=False), connector, [])
    with pytest.raises(ValueError, match="does not work"):
        estimate(car, connector, failing, 10, 80)


def test_cold_ambient_warns() -> None:
    car, connector = vehicle(), dc_connector()
    result = estimate(car, connector, _only_option(car, connector), 10, 80, ambient_c=-5)
    assert "cold_battery" in {warning.code for warning in result.warnings}


def test_every_catalogue_curve_tapers_hard_above_80_percent() -> None:
    """0 -> 100 % and 10 -> 90 % are right only if the drop after ~80 % is modelled: every
    curve ends in single-digit-to-low-teens kW, and the last 20 points cost far more per point
    than 10 -> 80 % on an unconstrained charger."""
    from forecourt.compat.domain import best_option, default_catalogue

    unconstrained = {
        plug: dc_connector(plug, volts=1000, amps=800, kw=500) for plug in (CCS1, NACS)
    }
    unconstrained[ConnectorType.CHADEMO] = dc_connector(ConnectorType.CHADEMO, volts=500, amps=200)
    for car in default_catalogue().vehicles.values():
        if car.dc is None:
            continue
        assert car.dc.curve_kw.at(100) <= 20, car.id
        plug = next(p for p in (NACS, CCS1, ConnectorType.CHADEMO) if p in car.inlets)
        _, main = best_option(car, unconstrained[plug], 10, 80, [])
        _, top = best_option(car, unconstrained[plug], 80, 100, [])
        assert main is not None, car.id
        assert top is not None, car.id
        assert top.duration_s / 20 > 2.5 * main.duration_s / 70, car.id
