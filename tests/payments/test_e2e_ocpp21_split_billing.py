"""OCPP 2.1 I10 over the wire: a running session changed to another tariff is billed split
at the station's acceptance (energy before at the old tariff, after at the new), and its
receipt, its cost and the station's own running cost say so.

The station is the `ocpp` package's 2.1 ChargePoint with a card terminal (a DirectPayment
session, so it settles and gets a receipt); the server is the real one, with SQLite.
"""

from __future__ import annotations

import asyncio
import re
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from dataclasses import replace
from datetime import UTC, datetime
from decimal import Decimal
from typing import Any

import httpx
import pytest
from ocpp.routing import on
from ocpp.v21 import ChargePoint, call, call_result
from websockets.asyncio.client import connect

from forecourt.domain.money import Money
from forecourt.payments.domain.tariffs import EnergyBand
from forecourt.payments.keys import PAYMENTS
from forecourt.services.access import Role
from tests.e2e.conftest import basic_auth
from tests.payments.conftest import PASSWORD, TARIFF, eventually, prepare_network
from tests.payments.test_e2e_ocpp21_direct_payment import final_cost, payments_for
from tests.support.server import RunningServer, running_server

pytestmark = pytest.mark.asyncio

STATION = "SPLIT-21"
#: The tariff changed to: $0.20/kWh, no session fee, the same 8.25 % tax.
ALT = replace(
    TARIFF,
    code="ALT",
    name="Off-peak",
    energy_bands=(EnergyBand(TARIFF.energy_bands[0].starts_at, Decimal("0.20")),),
)


class SplitStation(ChargePoint):  # type: ignore[misc]
    """Accepts a tariff change for the session it runs."""

    changed: list[dict[str, Any]]

    @on("ChangeTransactionTariff")  # type: ignore[misc]
    def on_change(self, transaction_id: str, tariff: dict[str, Any], **_: Any) -> Any:
        self.changed.append({"transaction_id": transaction_id, **tariff})
        return call_result.ChangeTransactionTariff(status="Accepted")


@pytest.fixture
async def server(tmp_path: Any) -> AsyncIterator[RunningServer]:
    async with running_server(tmp_path, call_timeout=3.0) as running:
        await prepare_network(running.forecourt.services, STATION)
        await running.forecourt.services.feature(PAYMENTS).tariffs.publish(ALT)
        yield running


@asynccontextmanager
async def station(server: RunningServer) -> AsyncIterator[SplitStation]:
    async with connect(
        f"{server.ws_url}/{STATION}",
        subprotocols=["ocpp2.1"],  # type: ignore[list-item]
        additional_headers=basic_auth(STATION, PASSWORD),
    ) as ws:
        cp = SplitStation(STATION, ws)
        cp.changed = []
        runner = asyncio.create_task(cp.start())
        try:
            boot = await cp.call(
                call.BootNotification(
                    charging_station={"model": "Split21", "vendor_name": "Test"},
                    reason="PowerUp",
                )
            )
            assert boot.status == "Accepted"
            yield cp
        finally:
            runner.cancel()


def _now() -> str:
    return datetime.now(UTC).isoformat()


def _event(event: str, seq: int, at: str, kwh: float, trigger: str, **extra: Any) -> Any:
    sample = {"value": kwh, "unit_of_measure": {"unit": "kWh"}}
    return call.TransactionEvent(
        event_type=event,
        timestamp=at,
        trigger_reason=trigger,
        seq_no=seq,
        transaction_info={"transaction_id": "TX-SPLIT-1"},
        evse={"id": 1, "connector_id": 1},
        id_token={"id_token": "PSP-SPLIT-1", "type": "DirectPayment"},
        meter_value=[{"timestamp": at, "sampled_value": [sample]}],
        **extra,
    )


def _running_cost(total: float) -> dict[str, Any]:
    cost = {"currency": "USD", "type_of_cost": "NormalCost", "total": {"incl_tax": total}}
    usage = {"energy": 10000.0, "charging_time": 60, "idle_time": 0}
    return {"total_cost": cost, "total_usage": usage}


async def _transaction_id(server: RunningServer) -> int | None:
    async with server.forecourt.services.ctx.uow() as uow:
        tx = await uow.transactions.by_station_tx_id(STATION, "TX-SPLIT-1")
    return tx.id if tx else None


async def test_a_session_changed_to_another_tariff_is_billed_in_two_parts(
    server: RunningServer, operator_http: httpx.AsyncClient
) -> None:
    services = server.forecourt.services
    async with station(server) as cp:
        await cp.call(_event("Started", 0, _now(), 100.0, "Authorized"))
        tx_id = await eventually(lambda: _transaction_id(server), timeout=30)
        # 10 kWh at STD, then the operator moves the session to ALT.
        await cp.call(_event("Updated", 1, _now(), 110.0, "MeterValuePeriodic"))
        changed = await operator_http.post(
            f"/api/transactions/{tx_id}/tariff", json={"tariff_code": "ALT"}
        )
        assert changed.json()["status"] == "accepted", changed.text
        switched = changed.json()["completed_at"]
        # The station reports its meter at the switch (2.1 trigger TariffChanged), then 15 kWh
        # more at the new price; the session ends.
        await cp.call(_event("Updated", 2, switched, 110.0, "TariffChanged"))
        running = (await operator_http.get(f"/api/transactions/{tx_id}/cost")).json()
        await cp.call(_event("Updated", 3, _now(), 125.0, "MeterValuePeriodic"))
        end = await cp.call(_event("Ended", 4, _now(), 125.0, "StopAuthorized"))
        priced = await eventually(lambda: final_cost(services, "PSP-SPLIT-1"), timeout=30)
        amount = float(Money(priced.final_minor or 0, "USD").to_decimal())
        settled = await cp.call(
            call.NotifySettlement(
                psp_ref="PSP-SPLIT-1",
                settlement_amount=amount,
                settlement_time=_now(),
                status="Settled",
                transaction_id="TX-SPLIT-1",
            )
        )
    assert cp.changed[0]["tariff_id"] == "ALT.r1"
    assert cp.changed[0]["energy"]["prices"] == [{"price_kwh": 0.2}]
    # STD: 10 kWh x $0.45 + $1.00 fee = $5.50, tax $0.45; ALT: 15 kWh x $0.20 = $3.00, tax $0.25.
    assert priced.final_minor == 595 + 325
    assert end.total_cost == 9.20  # the Ended answer: what the terminal settles (C21)
    cost = (await operator_http.get(f"/api/transactions/{tx_id}/cost")).json()
    assert [(p["tariff_code"], p["energy_wh"], p["total"]["minor"]) for p in cost["parts"]] == [
        ("STD", 10_000, 595),
        ("ALT", 15_000, 325),
    ]
    assert cost["total"]["minor"] == 920
    assert [p["tariff_code"] for p in running["parts"]] == ["STD", "ALT"]
    (paid,) = await payments_for(services, "PSP-SPLIT-1")
    receipt = await operator_http.get(f"/receipts/{paid.receipt_code}")
    assert settled.receipt_url.endswith(f"/receipts/{paid.receipt_code}")
    assert "Tariff STD (revision 1)" in receipt.text, receipt.text
    assert "Tariff ALT (revision 1)" in receipt.text
    assert "[ALT r1 from" in receipt.text  # the lines say which tariff priced them
    api_receipt = (await operator_http.get(f"/api/receipts/{paid.receipt_code}")).json()
    assert [p["tariff_code"] for p in api_receipt["cost"]["parts"]] == ["STD", "ALT"]
    panel = await _session_cost_panel(server, tx_id)
    assert "changed while charging" in panel
    assert panel.count("<li>Tariff ") == 2  # both parts on the session page's cost panel


async def _session_cost_panel(server: RunningServer, tx_id: int) -> str:
    """The dashboard's cost panel of a session, as a signed-in operator sees it."""
    await server.forecourt.services.users.create("ops", "split-password-1", Role.OPERATOR)
    async with httpx.AsyncClient(base_url=server.http_url, follow_redirects=True) as web:
        form = (await web.get("/login")).text
        token = re.search(r'name="csrf_token" value="([^"]+)"', form)
        assert token is not None, form
        body = {"username": "ops", "password": "split-password-1", "csrf_token": token[1]}
        signed_in = await web.post("/login", data=body)
        assert signed_in.status_code == 200, signed_in.text
        panel = await web.get(f"/dashboard/sessions/{tx_id}/cost")
    assert panel.status_code == 200, panel.text
    return panel.text


async def test_a_refused_change_bills_nothing_new(
    server: RunningServer, operator_http: httpx.AsyncClient
) -> None:
    async with station(server) as cp:
        cp.route_map["ChangeTransactionTariff"]["_on_action"] = _refuse
        await cp.call(_event("Started", 0, _now(), 100.0, "Authorized"))
        tx_id = await eventually(lambda: _transaction_id(server), timeout=30)
        refused = await operator_http.post(
            f"/api/transactions/{tx_id}/tariff", json={"tariff_code": "ALT"}
        )
        await cp.call(_event("Updated", 1, _now(), 110.0, "MeterValuePeriodic"))
        cost = (await operator_http.get(f"/api/transactions/{tx_id}/cost")).json()
    assert refused.json()["status"] == "rejected", refused.text
    assert cost["parts"] == []
    assert cost["tariff_code"] == "STD"


def _refuse(**_: Any) -> Any:
    return call_result.ChangeTransactionTariff(status="Rejected")
