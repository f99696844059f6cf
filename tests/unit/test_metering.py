"""Units are normalised once; the energy ledger never loses or double-counts energy."""

from __future__ import annotations

import math
from datetime import UTC, datetime, timedelta

import pytest
from hypothesis import given
from hypothesis import strategies as st

from forecourt.domain.metering import (
    DEFAULT_UNITS,
    MAX_POWER_W,
    MAX_REGISTER_WH,
    Measurand,
    MeterSample,
    RegisterReading,
    energy_from_readings,
    normalise,
    sample_problem,
    screen,
)

T0 = datetime(2026, 1, 1, tzinfo=UTC)


@pytest.mark.parametrize(
    ("value", "unit", "multiplier", "expected"),
    [
        (12.5, "kWh", 0, (12_500.0, "Wh")),
        (12_500, "Wh", 0, (12_500.0, "Wh")),
        (7.2, "kW", 0, (7_200.0, "W")),
        (72, "W", 2, (7_200.0, "W")),  # 2.0.1 multiplier is a power of ten
        (1.5, "Wh", 3, (1_500.0, "Wh")),
        (80, "Percent", 0, (80.0, "%")),
        (300.15, "K", 0, (pytest.approx(27.0), "Celsius")),
        (212, "Fahrenheit", 0, (100.0, "Celsius")),
        (20, "Celcius", 0, (20.0, "Celsius")),  # the 1.6 schema's spelling
    ],
)
def test_normalise(value: float, unit: str, multiplier: int, expected: tuple[object, str]) -> None:
    assert normalise(value, unit, multiplier) == expected


def test_unknown_unit_is_an_error_not_a_silent_wrong_value() -> None:
    with pytest.raises(ValueError, match="unknown unit"):
        normalise(1, "furlongs", 0)


def readings(values: list[float]) -> list[RegisterReading]:
    return [RegisterReading(T0 + timedelta(minutes=i), v) for i, v in enumerate(values)]


def test_energy_is_register_difference() -> None:
    totals = energy_from_readings(readings([1000, 1500, 4000]))
    assert (totals.energy_wh, totals.resets) == (3000, 0)


def test_register_reset_keeps_energy_counted_after_the_reset() -> None:
    # 1000 -> 1500 (+500), reset to 0 then 200 (+200), 700 (+500)
    totals = energy_from_readings(readings([1000, 1500, 200, 700]))
    assert (totals.energy_wh, totals.resets) == (1200, 1)


monotonic = st.lists(st.floats(0, 1e4), min_size=1, max_size=30).map(
    lambda steps: [sum(steps[: i + 1]) for i in range(len(steps))]
)


@given(monotonic, st.randoms())
def test_arrival_order_does_not_change_energy(values: list[float], rnd: object) -> None:
    ordered = readings(values)
    shuffled = list(ordered)
    rnd.shuffle(shuffled)  # type: ignore[attr-defined]
    assert energy_from_readings(shuffled).energy_wh == pytest.approx(
        energy_from_readings(ordered).energy_wh
    )
    assert energy_from_readings(ordered).energy_wh == pytest.approx(values[-1] - values[0])


@given(monotonic)
def test_replayed_readings_add_nothing(values: list[float]) -> None:
    once = readings(values)
    assert energy_from_readings(once + once).energy_wh == pytest.approx(
        energy_from_readings(once).energy_wh
    )


# --- plausibility (issue 9): one rule, at its boundaries ---------------------------------------


def _sample(measurand: Measurand, value: float) -> MeterSample:
    return MeterSample(T0, measurand, value, DEFAULT_UNITS.get(measurand, ""))


@pytest.mark.parametrize(
    ("measurand", "value", "rating_w", "problem"),
    [
        (Measurand.ENERGY_IMPORT_REGISTER, 0.0, None, None),
        (Measurand.ENERGY_IMPORT_REGISTER, MAX_REGISTER_WH, None, None),
        (Measurand.ENERGY_IMPORT_REGISTER, MAX_REGISTER_WH * 1.001, None, "register above"),
        (Measurand.ENERGY_IMPORT_REGISTER, -0.5, None, "negative register"),
        (Measurand.ENERGY_IMPORT_REGISTER, math.inf, None, "not a finite number"),
        (Measurand.ENERGY_EXPORT_REGISTER, math.nan, None, "not a finite number"),
        (Measurand.POWER_IMPORT, 350_000.0, 350_000.0, None),
        (Measurand.POWER_IMPORT, 3_500_000.0, 350_000.0, None),  # 10x: still believed
        (Measurand.POWER_IMPORT, 3_500_001.0, 350_000.0, "power above"),
        (Measurand.POWER_IMPORT, MAX_POWER_W, None, None),
        (Measurand.POWER_OFFERED, MAX_POWER_W * 2, None, "power above"),
        (Measurand.SOC, 100.0, None, None),
        (Measurand.SOC, 101.0, None, "state of charge"),
        (Measurand.VOLTAGE, -math.inf, None, "not a finite number"),
        (Measurand.TEMPERATURE, -40.0, None, None),
    ],
)
def test_sample_problem(
    measurand: Measurand, value: float, rating_w: float | None, problem: str | None
) -> None:
    found = sample_problem(_sample(measurand, value), rating_w)
    assert found is None if problem is None else (found or "").startswith(problem)


def test_screen_keeps_order_and_reasons() -> None:
    good = _sample(Measurand.ENERGY_IMPORT_REGISTER, 10.0)
    bad = _sample(Measurand.ENERGY_IMPORT_REGISTER, math.inf)
    kept, rejected = screen([good, bad, good])
    assert kept == [good, good]
    assert [(q.sample, q.reason) for q in rejected] == [(bad, "not a finite number")]


def test_an_absurd_multiplier_is_infinite_not_an_exception() -> None:
    assert normalise(1.0, "Wh", 400) == (math.inf, "Wh")
    assert normalise(-1.0, "Wh", 400) == (-math.inf, "Wh")
    assert normalise(0.0, "Wh", 400) == (0.0, "Wh")
