"""Crash drills: the dispenser card-terminal flow with the server process killed by SIGKILL at
points in the flow, then restarted on the same SQLite file (and the test provider's file).

Whatever the kill point: no payment or energy is lost, the hold is captured (or released)
exactly once, and the captured amount is the session's final cost.
"""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from datetime import UTC, datetime, timedelta
from pathlib import Path

import httpx
import pytest

from forecourt.bootstrap import build_services, open_database
from forecourt.domain.money import Money
from forecourt.payments.domain.payments import HoldStatus, Payment, PaymentState
from forecourt.payments.ports import PAYMENT_STORE, PaymentFilter
from forecourt.payments.providers.test_provider import TestProvider
from forecourt.settings import Settings
from tests.payments.conftest import eventually, prepare_network
from tests.payments.raw16 import raw16, stamp
from tests.support.harness import OfflineGateway
from tests.support.process import ServerProcess, start_server_process

pytestmark = [pytest.mark.asyncio, pytest.mark.slow]

STATION = "PAY-KILL"
TOKEN = "TERMKILL0001"
T0 = datetime.now(UTC).replace(microsecond=0) - timedelta(hours=1)
METER_START = 1_000_000


class Drill:
    """One database file, one provider file, and the server process of the moment."""

    def __init__(self, tmp_path: Path, database_url: str = "") -> None:
        self.tmp_path = tmp_path
        self.url = database_url or f"sqlite:///{tmp_path / 'forecourt.db'}"
        self.provider_file = tmp_path / "provider.json"
        self.provider = TestProvider(state_file=self.provider_file)
        self.env = {
            "FORECOURT_DATABASE_URL": self.url,
            "FORECOURT_TEST_PROVIDER_STATE_FILE": str(self.provider_file),
            "FORECOURT_PAYMENTS_SWEEP_INTERVAL": "0.3",
            "FORECOURT_CALL_TIMEOUT": "3",
        }
        self.server: ServerProcess | None = None
        self.ref = ""

    async def prepare(self) -> None:
        database = open_database(self.url)
        await database.migrate()
        settings = Settings(database_url=self.url, test_provider_state_file=self.provider_file)
        services = build_services(database, OfflineGateway(), settings=settings)
        await prepare_network(services, STATION)
        await database.dispose()

    async def start(self, **extra: str) -> ServerProcess:
        self.server = await start_server_process(self.tmp_path, {**self.env, **extra})
        return self.server

    async def kill_and_restart(self, **extra: str) -> ServerProcess:
        assert self.server is not None
        self.server.kill()
        return await self.start(**extra)

    def hold_card(self) -> tuple[bytes, dict[str, str]]:
        """The terminal's provider holds the card (in the provider's file, which the server
        loads at start) and signs the notification it will send."""
        notification = self.provider.terminal_authorize(
            station_id=STATION, evse_id=1, id_token=TOKEN, amount=Money(5000, "USD")
        )
        self.ref = self.provider.holds()[0].provider_ref
        return notification

    async def notify(self, notification: tuple[bytes, dict[str, str]]) -> None:
        body, headers = notification
        assert self.server is not None
        async with httpx.AsyncClient(base_url=self.server.http_url) as http:
            answer = await http.post("/api/payments/webhooks/test", content=body, headers=headers)
        assert answer.status_code == 200, answer.text

    async def payments(self) -> list[Payment]:
        database = open_database(self.url)
        try:
            async with database.unit_of_work() as uow:
                return await uow.repository(PAYMENT_STORE).list(PaymentFilter())
        finally:
            await database.dispose()

    async def payment_in(self, state: PaymentState) -> Payment | None:
        found = await self.payments()
        assert len(found) <= 1, found  # never a second payment for the one card
        return found[0] if found and found[0].state is state else None

    async def energy_wh(self, tx_id: int) -> float:
        database = open_database(self.url)
        try:
            async with database.unit_of_work() as uow:
                tx = await uow.transactions.get(tx_id)
        finally:
            await database.dispose()
        assert tx is not None
        return tx.energy_wh


@asynccontextmanager
async def drill(tmp_path: Path, database_url: str = "") -> AsyncIterator[Drill]:
    d = Drill(tmp_path, database_url)
    await d.prepare()
    try:
        yield d
    finally:
        if d.server is not None:
            d.server.kill()


def register(minute: int) -> int:
    """25 kWh over 30 min, then flat."""
    return METER_START + 25_000 * min(minute, 30) // 30


async def charge(d: Drill, tx_id: int | None, minutes: range) -> int:
    """Start (when ``tx_id`` is None) and send meter values for ``minutes``."""
    assert d.server is not None
    async with raw16(d.server.ws_url, STATION) as station:
        if tx_id is None:
            start = {"connectorId": 1, "idTag": TOKEN, "meterStart": METER_START}
            started = await station.call("StartTransaction", {**start, "timestamp": stamp(T0)})
            tx_id = int(started["transactionId"])
        for minute in minutes:
            at = T0 + timedelta(minutes=minute)
            values = [station.energy(at, register(minute))]
            body = {"connectorId": 1, "transactionId": tx_id, "meterValue": values}
            await station.call("MeterValues", body)
    return tx_id


async def stop(d: Drill, tx_id: int) -> None:
    assert d.server is not None
    async with raw16(d.server.ws_url, STATION) as station:
        body = {"transactionId": tx_id, "idTag": TOKEN, "reason": "EVDisconnected"}
        at = stamp(T0 + timedelta(minutes=31))
        await station.call("StopTransaction", {**body, "meterStop": register(31), "timestamp": at})


@pytest.mark.parametrize("kill_at", ["authorized", "in_session", "capture_in_flight"])
async def test_kill9_in_the_card_flow_captures_exactly_once(tmp_path: Path, kill_at: str) -> None:
    await card_flow_drill(tmp_path, kill_at)


async def card_flow_drill(tmp_path: Path, kill_at: str, database_url: str = "") -> None:
    """``database_url``: SQLite by default; test_e2e_postgres.py runs it on PostgreSQL."""
    async with drill(tmp_path, database_url) as d:
        notification = d.hold_card()
        faults = {"FORECOURT_TEST_PROVIDER_FAULTS": "capture=hang"}
        await d.start(**(faults if kill_at == "capture_in_flight" else {}))
        await d.notify(notification)
        await eventually(lambda: d.payment_in(PaymentState.AUTHORIZED))
        if kill_at == "authorized":
            await d.kill_and_restart()
        tx_id = await charge(d, None, range(5, 16, 5))
        await eventually(lambda: d.payment_in(PaymentState.IN_SESSION))
        if kill_at == "in_session":
            await d.kill_and_restart()
        await charge(d, tx_id, range(20, 31, 5))
        await stop(d, tx_id)
        if kill_at == "capture_in_flight":  # the provider took the money; we never heard
            await eventually(lambda: _captures(d, 1))
            await d.kill_and_restart()

        await captured_exactly_once(d, tx_id)


async def captured_exactly_once(d: Drill, tx_id: int) -> None:
    """The session's final cost captured once, its energy complete (the cluster drill too)."""
    paid = await eventually(lambda: d.payment_in(PaymentState.CAPTURED))
    assert await d.energy_wh(tx_id) == 25_000  # nothing sent before the kill was lost
    assert paid.transaction_id == tx_id
    assert paid.final_minor is not None
    assert paid.captured_minor == paid.final_minor > 0
    assert d.provider.captures_applied(d.ref) == 1
    [hold] = d.provider.holds()
    assert hold.status is HoldStatus.CAPTURED
    assert hold.captured == Money(paid.final_minor, "USD")


async def test_kill9_with_an_unused_hold_releases_it_exactly_once(tmp_path: Path) -> None:
    async with drill(tmp_path) as d:
        notification = d.hold_card()
        await d.start()
        await d.notify(notification)
        await eventually(lambda: d.payment_in(PaymentState.AUTHORIZED))
        await d.kill_and_restart(FORECOURT_PAYMENTS_START_TIMEOUT="0.5")  # no car came
        released = await eventually(lambda: d.payment_in(PaymentState.RELEASED))
        assert released.captured_minor == 0
        [hold] = d.provider.holds()
        assert hold.status is HoldStatus.CANCELED
        assert d.provider.captures_applied(d.ref) == 0


async def _captures(d: Drill, count: int) -> bool:
    return d.provider.captures_applied(d.ref) == count
