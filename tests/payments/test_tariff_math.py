"""Tariff math: time-of-day boundaries, rounding, idle fees, taxes (docs/payments.md rules)."""

from __future__ import annotations

from datetime import UTC, datetime, time, timedelta
from decimal import Decimal

import pytest

from forecourt.domain.errors import InvalidInput
from forecourt.domain.metering import RegisterReading
from forecourt.domain.money import Money
from forecourt.payments.domain.costing import LineKind, SessionUsage, price_session
from forecourt.payments.domain.tariffs import EnergyBand, Tariff, TaxRate

T0 = datetime(2026, 11, 21, 10, 0, tzinfo=UTC)


def tariff(**changes: object) -> Tariff:
    base = Tariff(
        code="STD",
        name="Standard",
        currency="USD",
        energy_bands=(EnergyBand(time(0, 0), Decimal("0.40")),),
    )
    from dataclasses import replace

    return replace(base, **changes).validate()  # type: ignore[arg-type]


def steady(kwh: float, minutes: int, start: datetime = T0, step_min: int = 1) -> SessionUsage:
    """Constant power for ``minutes``; a reading every ``step_min`` minutes."""
    steps = minutes // step_min
    readings = tuple(
        RegisterReading(start + timedelta(minutes=i * step_min), 1_000_000 + kwh * 1000 * i / steps)
        for i in range(steps + 1)
    )
    return SessionUsage(start, start + timedelta(minutes=minutes), kwh * 1000, readings)


@pytest.mark.parametrize(
    ("amount", "minor"),
    [("0.005", 1), ("0.004", 0), ("0.015", 2), ("12.345", 1235), ("-0.005", -1), ("7", 700)],
)
def test_money_rounds_half_up_to_the_minor_unit(amount: str, minor: int) -> None:
    assert Money.of(amount, "usd") == Money(minor, "USD")


def test_money_refuses_floats_and_mixed_currencies() -> None:
    with pytest.raises(InvalidInput, match="float"):
        Money.of(0.1, "USD")  # type: ignore[arg-type]
    with pytest.raises(InvalidInput, match="combine"):
        _ = Money(1, "USD") + Money(1, "EUR")
    assert Money.of("5", "JPY") == Money(5, "JPY")
    assert Money(1234, "USD").format() == "$12.34"


@pytest.mark.parametrize(
    ("amount", "message"),
    [("NaN", "finite"), ("Infinity", "finite"), ("-inf", "finite"), ("12,50", "not a number")],
)
def test_money_refuses_amounts_that_are_not_finite_numbers(amount: str, message: str) -> None:
    with pytest.raises(InvalidInput, match=message):
        Money.of(amount, "USD")


# (kWh, price/kWh, expected energy amount in cents) — one line, rounded once, half-up.
ENERGY_TABLE = [
    (10.0, "0.40", 400),
    (12.345, "0.45", 556),  # 5.55525 -> 5.56
    (0.001, "0.40", 0),  # 0.0004 -> 0.00
    (1.234, "0.4567", 56),  # 0.5635678 -> 0.56
    (33.333, "0.15", 500),  # 4.99995 -> 5.00
]


@pytest.mark.parametrize(("kwh", "price", "cents"), ENERGY_TABLE)
def test_energy_line_rounding(kwh: float, price: str, cents: int) -> None:
    t = tariff(energy_bands=(EnergyBand(time(0), Decimal(price)),))
    cost = price_session(t, steady(kwh, 60))
    assert [line.amount.minor for line in cost.lines] == [cents]
    assert cost.total.minor == cents


def test_time_of_day_bands_split_energy_at_the_boundary() -> None:
    # Peak from 16:00 local (America/Los_Angeles); 60 min at constant power across 15:30-16:30.
    t = tariff(
        timezone="America/Los_Angeles",
        energy_bands=(
            EnergyBand(time(0), Decimal("0.30")),
            EnergyBand(time(16), Decimal("0.60")),
            EnergyBand(time(21), Decimal("0.30")),
        ),
    )
    start = datetime(2026, 7, 1, 22, 30, tzinfo=UTC)  # 15:30 PDT
    cost = price_session(t, steady(20.0, 60, start))
    energy = [line for line in cost.lines if line.kind is LineKind.ENERGY]
    assert [line.quantity for line in energy] == [Decimal("10"), Decimal("10")]
    assert [line.amount.minor for line in energy] == [300, 600]


def test_band_wraps_midnight_and_follows_daylight_saving() -> None:
    t = tariff(
        timezone="America/New_York",
        energy_bands=(EnergyBand(time(7), Decimal("0.50")), EnergyBand(time(23), Decimal("0.20"))),
    )
    # 03:00 local is before the first band: the 23:00 band still applies (wrap).
    assert t.band_at(datetime(2026, 1, 10, 8, 0, tzinfo=UTC)).price_per_kwh == Decimal("0.20")
    # 07:00 EST = 12:00 UTC in winter, 11:00 UTC in summer.
    assert t.next_change_after(datetime(2026, 1, 10, 8, 0, tzinfo=UTC)) == datetime(
        2026, 1, 10, 12, 0, tzinfo=UTC
    )
    assert t.next_change_after(datetime(2026, 7, 10, 8, 0, tzinfo=UTC)) == datetime(
        2026, 7, 10, 11, 0, tzinfo=UTC
    )


def test_bands_add_up_to_the_total_whole_wh() -> None:
    t = tariff(
        energy_bands=(EnergyBand(time(0), Decimal("0.3")), EnergyBand(time(10, 20), Decimal("0.6")))
    )
    cost = price_session(t, steady(10.001, 60))  # 10001 Wh over 10:00-11:00
    assert sum(line.quantity for line in cost.lines) * 1000 == 10001
    assert cost.energy_wh == 10001


def test_idle_fee_after_grace_in_whole_minutes() -> None:
    t = tariff(idle_fee_per_minute=Decimal("0.40"), idle_grace_minutes=10)
    charging = steady(20.0, 30)
    last = charging.readings[-1]
    # then 25 min 59 s plugged in without energy (readings every minute, flat register)
    flat = tuple(
        RegisterReading(last.timestamp + timedelta(minutes=m), last.wh) for m in range(1, 26)
    )
    end = last.timestamp + timedelta(minutes=25, seconds=59)
    usage = SessionUsage(T0, end, 20_000, charging.readings + flat)
    cost = price_session(t, usage)
    idle = [line for line in cost.lines if line.kind is LineKind.IDLE]
    assert cost.idle_minutes == 15  # 25 whole minutes - 10 grace
    assert idle[0].amount == Money(600, "USD")
    assert cost.charging_ended_at == T0 + timedelta(minutes=30)


def test_no_idle_fee_without_readings_inside_the_session() -> None:
    t = tariff(idle_fee_per_minute=Decimal("1"))
    usage = SessionUsage(T0, T0 + timedelta(hours=3), 5000, ())
    assert price_session(t, usage).idle_minutes == 0


def test_session_fee_and_taxes_on_rounded_lines() -> None:
    t = tariff(
        session_fee=Decimal("1.00"),
        taxes=(TaxRate("Sales tax", Decimal("8.25")), TaxRate("Fee", Decimal("0.5"))),
    )
    cost = price_session(t, steady(12.345, 60))  # energy 4.938 -> 4.94
    amounts: dict[LineKind, list[int]] = {line.kind: [] for line in cost.lines}
    for line in cost.lines:
        amounts[line.kind].append(line.amount.minor)
    assert amounts[LineKind.ENERGY] == [494]
    assert amounts[LineKind.SESSION_FEE] == [100]
    assert amounts[LineKind.TAX] == [49, 3]  # 8.25% of 5.94 = 0.49005; 0.5% = 0.0297
    assert cost.subtotal == Money(594, "USD")
    assert cost.total == Money(646, "USD")


def test_snapshot_round_trips_exactly() -> None:
    t = tariff(
        session_fee=Decimal("0.99"),
        idle_fee_per_minute=Decimal("0.25"),
        taxes=(TaxRate("VAT", Decimal("20")),),
        timezone="Europe/Paris",
        currency="EUR",
    )
    assert Tariff.from_dict(t.to_dict()) == t
    cost = price_session(t, steady(7.5, 45))
    from forecourt.payments.domain.costing import CostBreakdown

    assert CostBreakdown.from_dict(cost.to_dict()) == cost


@pytest.mark.parametrize(
    ("changes", "message"),
    [
        ({"energy_bands": ()}, "at least one"),
        ({"currency": "XXX"}, "unsupported currency"),
        ({"timezone": "Mars/Olympus"}, "time zone"),
        ({"session_fee": Decimal("-1")}, "negative"),
        ({"hold_amount": Decimal("0")}, "hold_amount"),
    ],
)
def test_bad_tariffs_are_refused(changes: dict[str, object], message: str) -> None:
    with pytest.raises(InvalidInput, match=message):
        tariff(**changes)
