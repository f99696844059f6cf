"""Defaults that match deployed equipment: an unrated NACS DC connector is a ~500 V
Supercharger-class unit, and an 800 V car's boost path needs a minimum charger voltage."""

from __future__ import annotations

import pytest

from forecourt.compat.domain import (
    ConnectorOffer,
    Constraint,
    LowVoltageMode,
    best_option,
    compatibility,
    default_catalogue,
)
from forecourt.domain.connectors import DEFAULT_RATINGS, ConnectorType, PowerType
from tests.compat.factories import adapter, dc_connector, flat, vehicle

NACS = ConnectorType.NACS


def test_an_unrated_nacs_dc_connector_is_500_v_not_1000_v() -> None:
    rating = DEFAULT_RATINGS[NACS]
    assert rating.power_type is PowerType.DC
    assert rating.max_voltage_v == 500
    assert rating.max_power_w == 250_000


def test_an_800_v_car_is_boosted_at_an_unrated_nacs_connector() -> None:
    ioniq = default_catalogue().vehicle("hyundai-ioniq-5-lr-2025")
    offer = ConnectorOffer("n1", NACS, DEFAULT_RATINGS[NACS])
    option, result = best_option(ioniq, offer, 10, 80)
    assert result is not None, option.reason
    assert option.adapter is None
    assert result.peak_power_w == pytest.approx(126_000)
    assert Constraint.BOOST_CONVERTER in {band.constraint for band in result.bands}


def test_a_400_v_car_is_not_throttled_by_the_nacs_default() -> None:
    model_3 = default_catalogue().vehicle("tesla-model-3-lr-2020")
    offer = ConnectorOffer("n1", NACS, DEFAULT_RATINGS[NACS])
    _, result = best_option(model_3, offer, 10, 80)
    assert result is not None
    assert result.peak_power_w == pytest.approx(250_000)


def test_boost_path_needs_its_minimum_charger_voltage() -> None:
    car = vehicle(
        volts=flat(700), low_voltage=LowVoltageMode.BOOST, low_voltage_kw=100, boost_min_v=400
    )
    [works] = compatibility(car, dc_connector(volts=450), [])
    assert works.works
    assert works.peak_power_w == pytest.approx(100_000)
    [refused] = compatibility(car, dc_connector(volts=380), [])
    assert refused.reason is not None
    assert refused.reason.code == "boost_voltage_too_low"
    assert "at least 400 V" in refused.reason.message
    assert "reaches 380 V" in refused.reason.message


def test_an_adapter_voltage_rating_counts_against_the_boost_minimum() -> None:
    car = vehicle(
        volts=flat(700),
        low_voltage=LowVoltageMode.BOOST,
        low_voltage_kw=100,
        boost_min_v=400,
        inlets=(ConnectorType.CCS1,),
    )
    low = adapter(volts=350)
    [option] = [o for o in compatibility(car, dc_connector(NACS, volts=500), [low]) if o.adapter]
    assert option.reason is not None
    assert option.reason.code == "boost_voltage_too_low"


def test_every_boosting_catalogue_car_states_its_boost_minimum() -> None:
    for car in default_catalogue().vehicles.values():
        if car.dc is not None and car.dc.low_voltage.mode is LowVoltageMode.BOOST:
            assert car.dc.low_voltage.min_evse_voltage_v is not None, car.id


def test_the_lucid_gravity_boosts_to_225_kw_on_a_500_v_nacs_stall() -> None:
    gravity = default_catalogue().vehicle("lucid-gravity-2025")
    offer = ConnectorOffer("n1", NACS, DEFAULT_RATINGS[NACS])
    option, result = best_option(gravity, offer, 10, 80)
    assert result is not None, option.reason
    assert option.adapter is None  # a native NACS inlet
    assert result.peak_power_w == pytest.approx(225_000)
