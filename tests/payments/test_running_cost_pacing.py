"""Running-cost updates are paced, and a throttled one is deferred, never dropped (issue 16).

Deterministic: real services on a real SQLite database, a clock the test moves, and the
deferred updates flushed by hand at chosen instants (no wall-clock sleeps).
"""

from __future__ import annotations

from collections.abc import AsyncIterator
from dataclasses import dataclass
from datetime import timedelta
from pathlib import Path

import pytest

from forecourt.domain.commands import CommandKind, CommandRecord
from forecourt.domain.events import DomainEvent
from forecourt.payments.keys import PAYMENTS
from forecourt.payments.ports import TariffBinding
from forecourt.payments.services import PaymentServices
from forecourt.payments.services.running_cost import RunningCostPacer
from forecourt.services.core import Services
from forecourt.services.transaction_messages import TransactionStart
from tests.payments.conftest import TARIFF
from tests.support.harness import SteppingClock, make_services

STATION = "CP-PACE"


@dataclass
class Rig:
    services: Services
    payments: PaymentServices
    clock: SteppingClock
    tx_id: int

    async def updated(self) -> None:
        data = {"transaction_id": self.tx_id, "id_token": None}
        event = DomainEvent("transaction.updated", STATION, self.clock.now(), data)
        await self.payments.on_transaction_event(event)

    async def cost_updates(self) -> list[CommandRecord]:
        records = await self.services.remote.history(STATION)
        return sorted((r for r in records if r.kind is CommandKind.COST_UPDATE), key=lambda r: r.id)


@pytest.fixture
async def rig(tmp_path: Path) -> AsyncIterator[Rig]:
    clock = SteppingClock()
    services, database = await make_services(tmp_path, clock=clock)
    payments: PaymentServices = services.feature(PAYMENTS)
    await services.network.add_station(STATION)
    await payments.tariffs.publish(TARIFF)
    await payments.tariffs.bind(TariffBinding("STD"))
    start = TransactionStart(evse_id=1, connector_id=1, timestamp=clock.now(), meter_start_wh=0)
    outcome = await services.core.transactions.start(STATION, start)
    assert outcome.transaction is not None
    yield Rig(services, payments, clock, outcome.transaction.id)
    await payments.stop()
    await database.dispose()


async def test_a_throttled_update_is_sent_when_its_interval_has_passed(rig: Rig) -> None:
    start = rig.clock.now()
    await rig.updated()  # t=0: sent
    rig.clock.advance(10)
    await rig.updated()  # t=10: throttled, deferred
    rig.clock.advance(10)
    await rig.updated()  # t=20: replaces the deferred one
    await rig.payments.flush_deferred()
    assert len(await rig.cost_updates()) == 1  # not due before t=60

    rig.clock.advance(40)  # t=60
    await rig.payments.flush_deferred()
    await rig.payments.flush_deferred()  # nothing left: sent once

    first, deferred = await rig.cost_updates()
    assert first.params["at"] == start.isoformat()
    assert deferred.params["at"] == (start + timedelta(seconds=60)).isoformat()
    assert deferred.params["final"] is False


async def test_an_update_after_the_interval_goes_straight_out(rig: Rig) -> None:
    await rig.updated()
    rig.clock.advance(61)
    await rig.updated()
    assert len(await rig.cost_updates()) == 2


def test_the_pacer_keeps_only_the_newest_deferred_update() -> None:
    clock = SteppingClock()
    pacer: RunningCostPacer[str] = RunningCostPacer(60)
    assert pacer.may_send(1, clock.now(), "first")
    clock.advance(5)
    assert not pacer.may_send(1, clock.now(), "second")
    assert not pacer.may_send(1, clock.now(), "third")
    assert pacer.next_due() == clock.now() + timedelta(seconds=55)
    clock.advance(55)
    assert pacer.take_due(clock.now()) == [(1, "third")]
    assert pacer.take_due(clock.now()) == []
    assert not pacer.may_send(1, clock.now(), "fourth")  # the flush counted as sent
    pacer.forget(1)  # the session ended: its final cost replaces it
    assert pacer.next_due() is None
