"""A session billed split at an accepted tariff change (OCPP 2.1 I10): the one rule in
``payments/domain/costing.py`` (energy before the change at the old tariff, after at the new;
the session fee once; idle by the tariff at the end; each part's own taxes)."""

from __future__ import annotations

from dataclasses import replace
from datetime import timedelta
from decimal import Decimal

import pytest

from forecourt.domain.errors import Conflict
from forecourt.payments.domain.costing import (
    CostBreakdown,
    LineKind,
    TariffChange,
    price_session,
)
from forecourt.payments.domain.tariffs import EnergyBand, TaxRate
from tests.payments.test_tariff_math import T0, steady, tariff

OLD = tariff(session_fee=Decimal("1.00"), revision=1)
NEW = replace(
    tariff(code="ALT", energy_bands=(EnergyBand(T0.time().replace(hour=0), Decimal("0.20")),)),
    revision=2,
)


def test_energy_before_the_change_at_the_old_price_after_at_the_new() -> None:
    usage = steady(kwh=30, minutes=30)  # 1 kWh a minute
    cost = price_session(OLD, usage, [TariffChange(T0 + timedelta(minutes=10), NEW)])

    energy = [line for line in cost.lines if line.kind is LineKind.ENERGY]
    assert [(line.quantity, line.unit_price) for line in energy] == [
        (Decimal("10"), Decimal("0.40")),
        (Decimal("20"), Decimal("0.20")),
    ]
    assert "[STD r1 from 10:00]" in energy[0].description
    assert "[ALT r2 from 10:10]" in energy[1].description
    fees = [line for line in cost.lines if line.kind is LineKind.SESSION_FEE]
    assert len(fees) == 1  # a session starts once
    assert cost.total.minor == 400 + 100 + 400  # $4.00 + $1.00 fee, then $4.00
    assert [(p.tariff_code, p.energy_wh, p.total_minor) for p in cost.parts] == [
        ("STD", 10_000, 500),
        ("ALT", 20_000, 400),
    ]
    assert sum(p.energy_wh for p in cost.parts) == cost.energy_wh == 30_000
    assert (cost.tariff_code, cost.tariff_revision) == ("STD", 1)  # pinned at the start


def test_without_a_change_or_after_the_end_it_is_one_tariff() -> None:
    usage = steady(kwh=30, minutes=30)
    plain = price_session(OLD, usage)
    late = price_session(OLD, usage, [TariffChange(T0 + timedelta(hours=2), NEW)])
    assert late == plain
    assert plain.parts == ()


def test_each_part_has_its_own_taxes_and_idle_goes_to_the_last_tariff() -> None:
    taxed = replace(NEW, taxes=(TaxRate("VAT", Decimal("10")),), idle_fee_per_minute=Decimal("1"))
    usage = steady(kwh=10, minutes=10)
    idle_until = usage.ended_at + timedelta(minutes=20)
    last = usage.readings[-1]
    usage = replace(
        usage, ended_at=idle_until, readings=(*usage.readings, replace(last, timestamp=idle_until))
    )
    cost = price_session(OLD, usage, [TariffChange(T0 + timedelta(minutes=5), taxed)])

    taxes = [line for line in cost.lines if line.kind is LineKind.TAX]
    idle = [line for line in cost.lines if line.kind is LineKind.IDLE]
    (tax,) = taxes  # the old tariff has no tax
    assert "ALT" in tax.description
    (idle_line,) = idle
    assert idle_line.unit_price == Decimal("1")  # no grace: 20 idle minutes at $1
    assert cost.idle_minutes == 20
    # ALT: 5 kWh x $0.20 + 20 min x $1 = $21.00, 10 % tax = $2.10
    assert cost.parts[1].total_minor == 2100 + 210
    assert cost.parts[0].total_minor == 200 + 100  # 5 kWh x $0.40 + the fee


def test_another_currency_is_refused() -> None:
    euro = replace(NEW, currency="EUR")
    with pytest.raises(Conflict, match="currencies"):
        price_session(
            OLD, steady(kwh=1, minutes=10), [TariffChange(T0 + timedelta(minutes=5), euro)]
        )


def test_parts_survive_the_stored_snapshot() -> None:
    cost = price_session(
        OLD, steady(kwh=30, minutes=30), [TariffChange(T0 + timedelta(minutes=10), NEW)]
    )
    assert CostBreakdown.from_dict(cost.to_dict()) == cost
