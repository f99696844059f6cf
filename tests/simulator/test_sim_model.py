"""Pure parts of the simulator: power model, configuration, settings, error spelling."""

from __future__ import annotations

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from forecourt.simulator import EvseFaults, StationConfig, VehicleProfile, ac_post, dc_dispenser
from forecourt.simulator.physics import ChargeState, advance, power_at, vehicle_request_w
from forecourt.simulator.rpc import error_code
from forecourt.simulator.settings import Setting

CAR = VehicleProfile(
    "car", battery_kwh=100, start_soc=20, target_soc=90, max_dc_kw=200, max_ac_kw=11
)


def test_request_ramps_up_then_tapers_and_stops_at_target() -> None:
    assert vehicle_request_w(CAR, 30, 0, dc=True, ramp_s=20) == 0
    assert vehicle_request_w(CAR, 30, 10, dc=True, ramp_s=20) == pytest.approx(100_000)
    assert vehicle_request_w(CAR, 30, 60, dc=True, ramp_s=20) == pytest.approx(200_000)
    assert vehicle_request_w(CAR, 80, 60, dc=True, ramp_s=20) < 200_000
    assert vehicle_request_w(CAR, 90, 60, dc=True, ramp_s=20) == 0
    assert vehicle_request_w(CAR, 30, 60, dc=False, ramp_s=20) == pytest.approx(11_000)


def test_evse_rating_derating_and_power_module_cap() -> None:
    evse = dc_dispenser(150_000)
    assert power_at(CAR, evse, 30, 60, ramp_s=20).delivered_w == 150_000
    evse.faults = EvseFaults(derate_factor=0.5)
    derated = power_at(CAR, evse, 30, 60, ramp_s=20)
    assert (derated.delivered_w, derated.offered_w) == (75_000, 75_000)
    evse.faults = EvseFaults(power_cap_w=50_000)
    capped = power_at(CAR, evse, 30, 60, ramp_s=20)
    assert (capped.delivered_w, capped.offered_w) == (50_000, 150_000)  # a silent fault


def test_ac_session_current_follows_supply_voltage() -> None:
    reading = power_at(CAR, ac_post(), 30, 60, ramp_s=20)
    assert reading.voltage_v == 240
    assert reading.current_a == pytest.approx(11_000 / 240)


def test_advance_meters_energy_and_fills_the_pack() -> None:
    state = ChargeState(soc=30)
    evse = dc_dispenser(60_000)
    metered = advance(state, CAR, evse, 60, ramp_s=0)
    assert metered == pytest.approx(1000)
    assert state.soc == pytest.approx(30 + 100 * 1000 * 0.95 / 100_000)


@settings(max_examples=40, deadline=None)
@given(st.lists(st.floats(min_value=0, max_value=120), min_size=1, max_size=20))
def test_energy_and_soc_never_go_backwards(steps: list[float]) -> None:
    state = ChargeState(soc=CAR.start_soc)
    evse = dc_dispenser()
    for step in steps:
        soc_before, delivered_before = state.soc, state.delivered_wh
        assert advance(state, CAR, evse, step) >= 0
        assert state.soc >= soc_before
        assert state.delivered_wh >= delivered_before
        assert state.soc <= 100


def test_config_validation_and_lifetime_register() -> None:
    with pytest.raises(ValueError, match="protocol"):
        StationConfig("X", protocol="1.5").validate()  # type: ignore[arg-type]
    config = StationConfig("SIM-1", url="ws://127.0.0.1:9000/ocpp/")
    assert config.endpoint == "ws://127.0.0.1:9000/ocpp/SIM-1"
    assert config.starting_register_wh(1) == config.starting_register_wh(1) > 0
    assert config.starting_register_wh(1) != config.starting_register_wh(2)


def test_settings_accept_only_values_of_their_type() -> None:
    assert Setting("60", "integer").accepts("30")
    assert not Setting("60", "integer").accepts("-1")
    assert not Setting("60", "decimal").accepts("soon")
    assert Setting("true", "boolean").accepts("False")
    assert not Setting("true", "boolean").accepts("yes")


def test_callerror_codes_use_each_versions_spelling() -> None:
    assert error_code("FormatViolation", "1.6") == "FormationViolation"
    assert error_code("OccurrenceConstraintViolation", "1.6") == "OccurenceConstraintViolation"
    assert error_code("FormatViolation", "2.0.1") == "FormatViolation"
    assert error_code("NotImplemented", "1.6") == "NotImplemented"
