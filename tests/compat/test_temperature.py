"""A cold pack charges slower; preconditioning removes that; the pack warms as it charges."""

from __future__ import annotations

import pytest

from forecourt.compat.domain import Constraint, best_option, compatibility, estimate
from forecourt.compat.domain.temperature import (
    PRECONDITIONED_C,
    PackWarmth,
    acceptance,
    start_temperature_c,
)
from tests.compat.factories import ac_connector, dc_connector, flat, vehicle


def _minutes(ambient_c: float | None, *, preconditioned: bool = False) -> float:
    car, connector = vehicle(curve_kw=flat(100)), dc_connector()
    [option] = compatibility(car, connector, [])
    result = estimate(car, connector, option, 10, 80, ambient_c, preconditioned=preconditioned)
    return result.duration_s / 60


def test_acceptance_is_full_when_warm_and_falls_with_temperature() -> None:
    assert acceptance(30) == 1
    assert acceptance(PRECONDITIONED_C) == 1
    assert 1 > acceptance(10) > acceptance(0) > acceptance(-10) > acceptance(-30) > 0


def test_a_cold_pack_takes_longer_and_the_band_says_why() -> None:
    warm, cold = _minutes(None), _minutes(-10)
    assert cold > warm * 1.5
    car, connector = vehicle(curve_kw=flat(100)), dc_connector()
    [option] = compatibility(car, connector, [])
    result = estimate(car, connector, option, 10, 80, -10)
    assert result.bands[0].constraint is Constraint.COLD_BATTERY
    assert "cold_battery" in {warning.code for warning in result.warnings}


def test_preconditioning_gives_back_the_warm_estimate() -> None:
    assert _minutes(-10, preconditioned=True) == pytest.approx(_minutes(None))
    assert _minutes(30) == pytest.approx(_minutes(None))


def test_colder_is_slower() -> None:
    assert _minutes(-20) > _minutes(-10) > _minutes(0) > _minutes(5) > _minutes(None)


def test_the_pack_warms_as_it_charges() -> None:
    warmth = PackWarmth(start_temperature_c(-10, preconditioned=False))
    assert warmth.factor(60) > warmth.factor(20) > warmth.factor(0)
    car, connector = vehicle(curve_kw=flat(100)), dc_connector()
    _, result = best_option(car, connector, 10, 80, [], -10)
    assert result is not None
    powers = [power for _, power in result.curve]
    assert powers[-1] > powers[0]


def test_ac_sessions_are_not_capped_by_the_cold_curve() -> None:
    car, connector = vehicle(), ac_connector()
    [option] = compatibility(car, connector, [])
    warm = estimate(car, connector, option, 10, 80)
    cold = estimate(car, connector, option, 10, 80, -10)
    assert cold.duration_s == pytest.approx(warm.duration_s)
