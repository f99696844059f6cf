"""The storage of migration 0031_payments_split_billing on SQLite and PostgreSQL: the tariff
changes beside a session's pin (one read), drivers' own tariffs, and a running cost check
replaced by the final one."""

from __future__ import annotations

from dataclasses import replace
from datetime import timedelta

import pytest

from forecourt.domain.money import Money
from forecourt.payments.domain.cost_checks import compare
from forecourt.payments.domain.costing import TariffChange
from forecourt.payments.ports import COST_CHECK_STORE, TARIFF_STORE
from forecourt.storage import Database
from tests.payments.conftest import TARIFF
from tests.payments.test_tariff_math import T0
from tests.storage.conftest import database, database_url, postgres_url, sqlite_template

pytestmark = pytest.mark.asyncio

__all__ = ["database", "database_url", "postgres_url", "sqlite_template"]

ALT = replace(TARIFF, code="ALT", revision=1)


async def test_changes_are_read_with_the_pin(database: Database) -> None:
    later = T0 + timedelta(minutes=10)
    async with database.unit_of_work() as uow:
        tariffs = uow.repository(TARIFF_STORE)
        assert await tariffs.add_change(7, TariffChange(later, ALT)) is False  # no pin yet
        await tariffs.pin(7, TARIFF, T0)
        assert await tariffs.add_change(7, TariffChange(later, ALT)) is True
        assert await tariffs.add_change(7, TariffChange(later + timedelta(minutes=5), TARIFF))
        await uow.commit()
    async with database.unit_of_work() as uow:
        schedule = await uow.repository(TARIFF_STORE).schedule(7)
        missing = await uow.repository(TARIFF_STORE).schedule(8)
    assert schedule is not None
    assert schedule.pinned == TARIFF
    assert [(c.at, c.tariff.code) for c in schedule.changes] == [
        (later, "ALT"),
        (later + timedelta(minutes=5), "STD"),
    ]
    assert schedule.current == TARIFF
    assert missing is None


async def test_drivers_own_tariffs(database: Database) -> None:
    async with database.unit_of_work() as uow:
        tariffs = uow.repository(TARIFF_STORE)
        await tariffs.set_driver("CARD-1", "STD", T0)
        await tariffs.set_driver("CARD-1", "ALT", T0)  # replaced, not added
        await tariffs.set_driver("CARD-2", "STD", T0)
        await uow.commit()
    async with database.unit_of_work() as uow:
        tariffs = uow.repository(TARIFF_STORE)
        listed = await tariffs.drivers()
        one = await tariffs.driver("CARD-1")
        cleared = await tariffs.clear_driver("CARD-2")
        again = await tariffs.clear_driver("CARD-2")
        await uow.commit()
    assert listed == [("CARD-1", "ALT"), ("CARD-2", "STD")]
    assert one == "ALT"
    assert (cleared, again) == (True, False)


async def test_a_running_check_is_kept_once_then_replaced_by_the_final(database: Database) -> None:
    ours = Money(1000, "USD")
    running = compare(3, "ST-1", ours, Money(2000, "USD"), T0, running=True)
    final = compare(3, "ST-1", ours, Money(1001, "USD"), T0 + timedelta(hours=1))
    async with database.unit_of_work() as uow:
        checks = uow.repository(COST_CHECK_STORE)
        first = await checks.add(running)
        second = await checks.add(replace(running, station_minor=3000))
        await uow.commit()
    async with database.unit_of_work() as uow:
        checks = uow.repository(COST_CHECK_STORE)
        replaced = await checks.add(final)
        replayed = await checks.add(final)
        await uow.commit()
        kept = await checks.get(3)
    assert (first, second, replaced, replayed) == (True, False, True, False)
    assert kept is not None
    assert (kept.running, kept.flagged, kept.station_minor) == (False, False, 1001)
