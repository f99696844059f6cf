"""OCPP 2.1 I-block over the wire: our tariff held by the station (I07-I10).

The station is the `ocpp` package's 2.1 ChargePoint: it checks every request we send against
its own copy of the 2.1 schemas, and answers as a real station would (or badly, on purpose).
"""

from __future__ import annotations

import asyncio
import os
import sys
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from dataclasses import replace
from datetime import UTC, datetime, timedelta
from decimal import Decimal
from typing import Any

import httpx
import pytest
from ocpp.exceptions import NotImplementedError
from ocpp.routing import on
from ocpp.v21 import ChargePoint, call, call_result
from websockets.asyncio.client import connect

from forecourt.domain.commands import CommandKind, CommandStatus
from forecourt.payments.keys import PAYMENTS
from forecourt.services.access import Role
from forecourt.simulator import SimulatedStation, StationConfig
from tests.e2e.conftest import basic_auth
from tests.payments.conftest import (
    FAST,
    PASSWORD,
    RFID,
    TARIFF,
    eventually,
    prepare_network,
)
from tests.support.server import RunningServer, running_server

pytestmark = pytest.mark.asyncio

STATION = "TARIFF-21"


class TariffStation(ChargePoint):  # type: ignore[misc]
    """Holds the tariffs it is given; ``answer`` is what it says to SetDefaultTariff."""

    held: list[dict[str, Any]]
    answer: str = "Accepted"
    changed: list[dict[str, Any]]

    @on("SetDefaultTariff")  # type: ignore[misc]
    def on_set_default(self, evse_id: int, tariff: dict[str, Any], **_: Any) -> Any:
        self.held.append({"evse_id": evse_id, **tariff})
        return call_result.SetDefaultTariff(status=self.answer)

    @on("GetTariffs")  # type: ignore[misc]
    def on_get(self, **_: Any) -> Any:
        if not self.held:
            return call_result.GetTariffs(status="NoTariff")
        last = self.held[-1]
        assignment = {
            "tariff_id": last["tariff_id"],
            "tariff_kind": "DefaultTariff",
            "evse_ids": [last["evse_id"]],
        }
        return call_result.GetTariffs(status="Accepted", tariff_assignments=[assignment])

    @on("ClearTariffs")  # type: ignore[misc]
    def on_clear(self, **kwargs: Any) -> Any:
        ids = kwargs.get("tariff_ids") or [t["tariff_id"] for t in self.held]
        self.held = [t for t in self.held if t["tariff_id"] not in ids]
        results = [{"tariff_id": i, "status": "Accepted"} for i in ids]
        return call_result.ClearTariffs(clear_tariffs_result=results)

    @on("ChangeTransactionTariff")  # type: ignore[misc]
    def on_change(self, transaction_id: str, tariff: dict[str, Any], **_: Any) -> Any:
        self.changed.append({"transaction_id": transaction_id, **tariff})
        known = transaction_id == "TX-T-1"
        return call_result.ChangeTransactionTariff(status="Accepted" if known else "TxNotFound")


class NoTariffStation(ChargePoint):  # type: ignore[misc]
    """A 2.1 station whose firmware does not implement the I-block."""

    @on("SetDefaultTariff")  # type: ignore[misc]
    def on_set_default(self, **_: Any) -> Any:
        raise NotImplementedError(description="tariffs are not implemented")


@pytest.fixture
async def server(tmp_path: Any) -> AsyncIterator[RunningServer]:
    async with running_server(tmp_path, call_timeout=3.0) as running:
        await prepare_network(running.forecourt.services, STATION, "TARIFF-16")
        yield running


@asynccontextmanager
async def station(
    server: RunningServer, answer: str = "Accepted", kind: type[ChargePoint] = TariffStation
) -> AsyncIterator[TariffStation]:
    async with connect(
        f"{server.ws_url}/{STATION}",
        subprotocols=["ocpp2.1"],  # type: ignore[list-item]
        additional_headers=basic_auth(STATION, PASSWORD),
    ) as ws:
        cp = kind(STATION, ws)
        cp.held, cp.changed, cp.answer = [], [], answer
        runner = asyncio.create_task(cp.start())
        try:
            boot = await cp.call(
                call.BootNotification(
                    charging_station={"model": "Tariff21", "vendor_name": "Test"},
                    reason="PowerUp",
                )
            )
            assert boot.status == "Accepted"
            yield cp
        finally:
            runner.cancel()


async def holding(operator_http: httpx.AsyncClient, evse_id: int = 0) -> dict[str, Any] | None:
    rows = (await operator_http.get("/api/station-tariffs")).json()
    return next((r for r in rows if (r["station_id"], r["evse_id"]) == (STATION, evse_id)), None)


async def test_the_tariff_is_sent_on_boot_in_21_words(
    server: RunningServer, operator_http: httpx.AsyncClient
) -> None:
    async with station(server) as cp:
        await eventually(lambda: asyncio.sleep(0, cp.held))
        (held,) = cp.held
        synced = await eventually(lambda: holding(operator_http))
    # The `ocpp` package checked the request against its 2.1 schema; the content is ours.
    assert held["evse_id"] == 0  # the whole station (EVSEs not reported yet included)
    assert held["tariff_id"] == "STD.r1"
    assert held["currency"] == "USD"
    assert held["energy"]["prices"] == [{"price_kwh": 0.45}]
    tax = [{"type": "Sales tax", "tax": 8.25}]
    assert held["energy"]["tax_rates"] == tax
    assert held["fixed_fee"] == {"prices": [{"price_fixed": 1.0}], "tax_rates": tax}
    idle = {"price_minute": 0.4, "conditions": {"min_idle_time": 600}}
    assert held["idle_time"] == {"prices": [idle], "tax_rates": tax}
    assert synced["expected"] == synced["sent"] == "STD.r1"
    assert synced["status"] == "accepted"
    assert synced["in_sync"] is True


async def test_a_new_revision_is_pushed_and_a_refusal_is_shown(
    server: RunningServer, operator_http: httpx.AsyncClient
) -> None:
    payments = server.forecourt.services.feature(PAYMENTS)
    async with station(server, answer="TooManyElements") as cp:
        await eventually(lambda: asyncio.sleep(0, cp.held))
        refused = await eventually(lambda: holding(operator_http))
        assert (refused["status"], refused["in_sync"]) == ("rejected", False)
        cp.answer = "Accepted"
        await payments.tariffs.publish(replace(TARIFF, session_fee=Decimal("2.00")))
        await eventually(lambda: asyncio.sleep(0, len(cp.held) == 2))
        synced = await eventually(
            lambda: _when(holding(operator_http), lambda h: h["sent"] == "STD.r2" and h["in_sync"])
        )
    assert cp.held[-1]["fixed_fee"]["prices"] == [{"price_fixed": 2.0}]
    assert synced["expected"] == "STD.r2"


async def test_get_clear_and_change_over_the_api(
    server: RunningServer, operator_http: httpx.AsyncClient
) -> None:
    async with station(server) as cp:
        await eventually(lambda: asyncio.sleep(0, cp.held))
        got = await operator_http.post(f"/api/stations/{STATION}/tariffs/get")
        cleared = await operator_http.post(f"/api/stations/{STATION}/tariffs/clear", json={})
        empty = await operator_http.post(
            f"/api/stations/{STATION}/tariffs/get", params={"evse_id": 1}
        )
        await cp.call(
            call.TransactionEvent(
                event_type="Started",
                timestamp=datetime.now(UTC).isoformat(),  # priced by STD (published before)
                trigger_reason="CablePluggedIn",
                seq_no=0,
                transaction_info={"transaction_id": "TX-T-1"},
                evse={"id": 1, "connector_id": 1},
            )
        )
        tx_id = await eventually(lambda: _transaction_id(server))
        changed = await operator_http.post(
            f"/api/transactions/{tx_id}/tariff", json={"tariff_code": "STD"}
        )
        unknown = await operator_http.post(
            f"/api/transactions/{tx_id}/tariff", json={"tariff_code": "NO"}
        )
        # Another tariff: sent, and billed from the station's acceptance on
        # (test_e2e_ocpp21_split_billing.py); one in another currency is refused.
        tariffs = server.forecourt.services.feature(PAYMENTS).tariffs
        await tariffs.publish(replace(TARIFF, code="ALT"))
        await tariffs.publish(replace(TARIFF, code="EURO", currency="EUR"))
        other = await operator_http.post(
            f"/api/transactions/{tx_id}/tariff", json={"tariff_code": "ALT"}
        )
        euro = await operator_http.post(
            f"/api/transactions/{tx_id}/tariff", json={"tariff_code": "EURO"}
        )
    assert got.status_code == 200, got.text
    assert got.json()["result"]["tariffs"] == [
        {"tariff_id": "STD.r1", "kind": "DefaultTariff", "evse_ids": [0], "valid_from": ""}
    ]
    assert cleared.json()["result"]["cleared"] == [{"tariff_id": "STD.r1", "status": "Accepted"}]
    assert (empty.json()["status"], empty.json()["result"]["tariffs"]) == ("accepted", [])
    assert changed.json()["status"] == "accepted", changed.text
    assert cp.changed[0]["transaction_id"] == "TX-T-1"
    assert cp.changed[0]["tariff_id"] == "STD.r1"
    assert unknown.status_code == 404
    assert other.json()["status"] == "accepted", other.text
    assert cp.changed[1]["tariff_id"] == "ALT.r1"
    assert euro.status_code == 409, euro.text
    assert "one currency" in euro.json()["detail"]
    assert len(cp.changed) == 2  # nothing was sent for the refused change


async def test_older_versions_are_refused_with_a_reason(operator_http: httpx.AsyncClient) -> None:
    pushed = await operator_http.post("/api/stations/TARIFF-16/tariffs/push")
    missing = await operator_http.post("/api/stations/NOPE/tariffs/push")
    bad = await operator_http.post(f"/api/stations/{STATION}/tariffs/clear", json={"evse_id": -1})
    assert pushed.status_code == 409
    assert "2.1" in pushed.json()["detail"]
    assert missing.status_code == 404
    assert bad.status_code == 422


async def _when(rows: Any, check: Any) -> Any:
    row = await rows
    return row if row and check(row) else None


async def _transaction_id(server: RunningServer) -> int | None:
    async with server.forecourt.services.ctx.uow() as uow:
        tx = await uow.transactions.by_station_tx_id(STATION, "TX-T-1")
    return tx.id if tx else None


async def test_the_cli_shows_and_asks_through_the_server(server: RunningServer) -> None:
    key = (await server.forecourt.services.api_keys.create("cli", Role.OPERATOR))[0]
    env = {**os.environ, "FORECOURT_SERVER": server.http_url, "FORECOURT_API_KEY": key}
    async with station(server) as cp:
        await eventually(lambda: asyncio.sleep(0, cp.held))
        held = await _cli(env, "tariffs", "held")
        asked = await _cli(env, "tariffs", "station-get", STATION)
        refused = await _cli(env, "tariffs", "push", "TARIFF-16")
        usage = await _cli(env, "tariffs", "station-clear", STATION, "--evse", "-3")
    assert held == (0, f"{STATION}/0: expected STD.r1, sent STD.r1 (accepted) in sync")
    assert asked[0] == 0, asked
    assert "holds STD.r1 (DefaultTariff) [0]" in asked[1]
    assert refused[0] == 1
    assert "2.1" in refused[1]
    assert usage[0] == 2


async def _cli(env: dict[str, str], *args: str) -> tuple[int, str]:
    process = await asyncio.create_subprocess_exec(
        sys.executable,
        "-m",
        "forecourt.cli.main",
        *args,
        env=env,
        stdout=asyncio.subprocess.PIPE,
        stderr=asyncio.subprocess.STDOUT,
    )
    out, _ = await process.communicate()
    return process.returncode or 0, out.decode().strip()


def _session(tx_id: str, event: str, at: str, kwh: float, **extra: Any) -> call.TransactionEvent:
    sample = {"value": kwh, "unit_of_measure": {"unit": "kWh"}}
    return call.TransactionEvent(
        event_type=event,
        timestamp=at,
        trigger_reason="CablePluggedIn" if event == "Started" else "EVCommunicationLost",
        seq_no=0 if event == "Started" else 1,
        transaction_info={"transaction_id": tx_id},
        evse={"id": 1, "connector_id": 1},
        meter_value=[{"timestamp": at, "sampled_value": [sample]}],
        **extra,
    )


def _cost_details(total: float | None, currency: str = "USD") -> dict[str, Any]:
    usage = {"energy": 20000.0, "charging_time": 1800, "idle_time": 0}
    if total is None:
        zero = {"currency": currency, "type_of_cost": "NormalCost", "total": {}}
        return {"total_cost": zero, "total_usage": usage, "failure_to_calculate": True,
                "failure_reason": "tariff missing"}  # fmt: skip
    cost = {"currency": currency, "type_of_cost": "NormalCost", "total": {"incl_tax": total}}
    return {"total_cost": cost, "total_usage": usage}


async def _charge(cp: TariffStation, tx_id: str, details: dict[str, Any]) -> None:
    """A session that just ended, under the revision published for it (``_in_force``)."""
    end = datetime.now(UTC).replace(microsecond=0)
    start = end - timedelta(seconds=45)
    await cp.call(_session(tx_id, "Started", _iso(start), 100.0))
    await cp.call(_session(tx_id, "Ended", _iso(end), 120.0, cost_details=details))


def _iso(at: datetime) -> str:
    return at.isoformat().replace("+00:00", "Z")


async def test_the_stations_own_cost_is_checked_and_a_mismatch_flagged(
    server: RunningServer, operator_http: httpx.AsyncClient
) -> None:
    services = server.forecourt.services
    pricing = services.feature(PAYMENTS).pricing
    # In force a little earlier than now (the most the API allows), so sessions fit in it.
    earlier = datetime.now(UTC) - timedelta(seconds=55)
    await services.feature(PAYMENTS).tariffs.publish(TARIFF, effective_from=earlier)
    published: list[Any] = []
    services.ctx.bus.subscribe("payment.cost_mismatch", lambda e: _record(published, e))
    async with station(server) as cp:
        # 20 kWh at $0.45 + $1.00, 8.25 % tax: our price, whatever the station says.
        await _charge(cp, "TX-C-1", _cost_details(10.83))  # agrees
        await _charge(cp, "TX-C-2", _cost_details(10.85))  # within 2 cents: rounding
        await _charge(cp, "TX-C-3", _cost_details(12.50))  # differs
        await _charge(cp, "TX-C-3", _cost_details(12.50))  # replayed: one check
        await _charge(cp, "TX-C-4", _cost_details(None))  # the station could not compute
        await _charge(cp, "TX-C-5", _cost_details(10.83, "EUR"))  # another currency
    flagged = (await operator_http.get("/api/station-costs")).json()
    every = (await operator_http.get("/api/station-costs", params={"all": "true"})).json()
    by_tx = {await _station_tx(server, c["transaction_id"]): c for c in every}
    for check in every:  # ours is the price we bill, computed as for every session
        assert check["ours_minor"] == _minor(await pricing.total(check["transaction_id"]))
    assert set(by_tx) == {"TX-C-1", "TX-C-2", "TX-C-3", "TX-C-4", "TX-C-5"}
    assert by_tx["TX-C-1"]["ours_minor"] == by_tx["TX-C-1"]["station_minor"] == 1083
    assert by_tx["TX-C-1"]["flagged"] is by_tx["TX-C-2"]["flagged"] is False
    assert (by_tx["TX-C-3"]["difference_minor"], by_tx["TX-C-3"]["flagged"]) == (167, True)
    assert "tariff missing" in by_tx["TX-C-4"]["note"]
    assert "EUR" in by_tx["TX-C-5"]["note"]
    assert {await _station_tx(server, c["transaction_id"]) for c in flagged} == {
        "TX-C-3", "TX-C-4", "TX-C-5"
    }  # fmt: skip
    await eventually(lambda: asyncio.sleep(0, len(published) >= 3))
    assert sorted(e.data["station_minor"] or 0 for e in published) == [0, 0, 1250]


def _minor(total: str | None) -> int:
    assert total is not None
    return int(Decimal(total) * 100)


async def _record(into: list[Any], event: Any) -> None:
    into.append(event)


async def _tx_id(server: RunningServer, station_tx_id: str) -> int | None:
    async with server.forecourt.services.ctx.uow() as uow:
        tx = await uow.transactions.by_station_tx_id(STATION, station_tx_id)
    return tx.id if tx else None


async def _station_tx(server: RunningServer, transaction_id: int) -> str:
    async with server.forecourt.services.ctx.uow() as uow:
        tx = await uow.transactions.get(transaction_id)
    assert tx is not None
    return tx.station_tx_id


async def _tariff_pushes(server: RunningServer) -> list[CommandStatus]:
    async with server.forecourt.services.ctx.uow() as uow:
        records = await uow.commands.list(STATION, limit=100)
    return [r.status for r in records if r.kind is CommandKind.SET_DEFAULT_TARIFF]


async def test_a_station_without_tariffs_is_not_asked_again_on_every_boot(
    server: RunningServer, operator_http: httpx.AsyncClient
) -> None:
    async with station(server, kind=NoTariffStation):
        answered = await eventually(
            lambda: _when(_tariff_pushes(server), lambda p: p and CommandStatus.PENDING not in p)
        )
        assert answered == [CommandStatus.CALL_ERROR]
    payments = server.forecourt.services.feature(PAYMENTS)
    async with station(server, kind=NoTariffStation):  # boots again
        await payments.tariffs.publish(replace(TARIFF, session_fee=Decimal("2.00")))
        await asyncio.sleep(1.0)  # room for a push that must not come
        assert await _tariff_pushes(server) == [CommandStatus.CALL_ERROR]
        asked = await operator_http.post(f"/api/stations/{STATION}/tariffs/push")
    assert asked.status_code == 200, asked.text  # the operator may still ask explicitly
    assert await _tariff_pushes(server) == [CommandStatus.CALL_ERROR] * 2


async def test_the_simulator_holds_our_tariff_and_shows_the_cost(
    server: RunningServer, operator_http: httpx.AsyncClient
) -> None:
    shown: list[str] = []
    config = StationConfig(
        station_id=STATION,
        protocol="2.1",
        url=server.ws_url,
        password=PASSWORD,
        id_tags=[RFID],
        **FAST,
    )
    sim = SimulatedStation(config, seed=3, on_event=shown.append)
    await sim.start()
    try:
        await sim.wait_ready(30)
        synced = await eventually(lambda: _when(holding(operator_http), lambda h: h["in_sync"]))
        got = await operator_http.post(f"/api/stations/{STATION}/tariffs/get")
        session = sim.start_session(1)
        assert session is not None
        await session.wait_charging(30)
        tx_id = await eventually(lambda: _active_transaction(server))
        changed = await operator_http.post(
            f"/api/transactions/{tx_id}/tariff", json={"tariff_code": "STD"}
        )
        await sim.stop_session(1)
        await session.wait_ended(30)
        await eventually(lambda: asyncio.sleep(0, [m for m in shown if "shows a cost" in m]))
    finally:
        await sim.stop()
    assert synced["sent"] == "STD.r1"
    assert got.json()["result"]["tariffs"][0]["tariff_id"] == "STD.r1"
    assert changed.json()["status"] == "accepted", changed.text
    (display,) = [m for m in shown if "shows a cost" in m]
    fee_and_energy = 1.0 + 0.45 * session.energy_wh / 1000  # STD: $1.00 + $0.45/kWh
    assert display.endswith(f"shows a cost of {fee_and_energy:.2f}")


async def _active_transaction(server: RunningServer) -> int | None:
    async with server.forecourt.services.ctx.uow() as uow:
        active = await uow.transactions.active_on_evse(STATION, 1)
    return active[0].id if active else None


async def test_a_running_cost_mismatch_is_flagged_once_until_the_final_check(
    server: RunningServer, operator_http: httpx.AsyncClient
) -> None:
    services = server.forecourt.services
    earlier = datetime.now(UTC) - timedelta(seconds=55)
    await services.feature(PAYMENTS).tariffs.publish(TARIFF, effective_from=earlier)
    published: list[Any] = []
    services.ctx.bus.subscribe("payment.cost_mismatch", lambda e: _record(published, e))
    start = datetime.now(UTC).replace(microsecond=0) - timedelta(seconds=45)
    async with station(server) as cp:
        await cp.call(_session("TX-R-1", "Started", _iso(start), 100.0))
        for seq, kwh in enumerate((105.0, 110.0, 115.0), start=1):
            at = _iso(start + timedelta(seconds=10 * seq))
            details = _cost_details(99.00)  # far from ours, every time
            await cp.call(_updated("TX-R-1", seq, at, kwh, cost_details=details))
        running = (await operator_http.get("/api/station-costs")).json()
        await eventually(lambda: asyncio.sleep(0, published), timeout=30)
        # 20 kWh at $0.45 + $1.00, 8.25 % tax = $10.83: the final figure agrees.
        end = start + timedelta(seconds=45)
        await cp.call(
            _session("TX-R-1", "Ended", _iso(end), 120.0, cost_details=_cost_details(10.83))
        )
    final = (await operator_http.get("/api/station-costs", params={"all": "true"})).json()
    (flagged,) = running
    assert (flagged["running"], flagged["flagged"], flagged["station_minor"]) == (True, True, 9900)
    # 5 kWh at $0.45 + $1.00, 8.25 % tax: ours when the first running figure came
    assert flagged["ours_minor"] == 352
    assert len(published) == 1  # once, not per message
    (checked,) = final  # the final check replaced the running one
    assert (checked["running"], checked["flagged"], checked["station_minor"]) == (
        False,
        False,
        1083,
    )
    assert (await operator_http.get("/api/station-costs")).json() == []


def _updated(tx_id: str, seq: int, at: str, kwh: float, **extra: Any) -> call.TransactionEvent:
    sample = {"value": kwh, "unit_of_measure": {"unit": "kWh"}}
    return call.TransactionEvent(
        event_type="Updated",
        timestamp=at,
        trigger_reason="MeterValuePeriodic",
        seq_no=seq,
        transaction_info={"transaction_id": tx_id},
        meter_value=[{"timestamp": at, "sampled_value": [sample]}],
        **extra,
    )
