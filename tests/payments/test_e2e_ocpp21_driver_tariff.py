"""OCPP 2.1 driver tariffs over the wire: a token with its own tariff gets it in the Authorize
answer (the station holds it as a DriverTariff) and its session is billed by it, whatever the
station's binding; a token without one gets no tariff and the binding's price."""

from __future__ import annotations

from collections.abc import AsyncIterator
from dataclasses import replace
from datetime import UTC, datetime
from decimal import Decimal
from typing import Any

import httpx
import pytest
from ocpp.v21 import call

from forecourt.domain.tokens import TokenRecord
from forecourt.payments.domain.tariffs import EnergyBand
from forecourt.payments.keys import PAYMENTS
from forecourt.services.access import Role
from tests.payments.conftest import RFID, TARIFF, eventually, prepare_network
from tests.payments.test_e2e_ocpp21_split_billing import station
from tests.support.server import RunningServer, running_server

pytestmark = pytest.mark.asyncio

STATION = "SPLIT-21"  # the station helper's id
VIP = replace(
    TARIFF,
    code="VIP",
    name="Members",
    energy_bands=(EnergyBand(TARIFF.energy_bands[0].starts_at, Decimal("0.30")),),
    session_fee=Decimal("0"),
)
MEMBER = "MEMBER-1"


@pytest.fixture
async def server(tmp_path: Any) -> AsyncIterator[RunningServer]:
    async with running_server(tmp_path, call_timeout=3.0) as running:
        services = running.forecourt.services
        await prepare_network(services, STATION)
        await services.feature(PAYMENTS).tariffs.publish(VIP)
        await services.network.add_token(TokenRecord(MEMBER))
        yield running


def _started(tx_id: str, token: str) -> call.TransactionEvent:
    at = datetime.now(UTC).isoformat()
    return call.TransactionEvent(
        event_type="Started",
        timestamp=at,
        trigger_reason="Authorized",
        seq_no=0,
        transaction_info={"transaction_id": tx_id},
        evse={"id": 1, "connector_id": 1},
        id_token={"id_token": token, "type": "ISO14443"},
    )


async def _tx(server: RunningServer, station_tx_id: str) -> int | None:
    async with server.forecourt.services.ctx.uow() as uow:
        tx = await uow.transactions.by_station_tx_id(STATION, station_tx_id)
    return tx.id if tx else None


async def test_a_drivers_own_tariff_is_answered_and_bills_the_session(
    server: RunningServer, operator_http: httpx.AsyncClient
) -> None:
    put = await operator_http.put(f"/api/driver-tariffs/{MEMBER}", json={"tariff_code": "VIP"})
    unknown_token = await operator_http.put(
        "/api/driver-tariffs/NOBODY", json={"tariff_code": "VIP"}
    )
    unknown_tariff = await operator_http.put(
        f"/api/driver-tariffs/{MEMBER}", json={"tariff_code": "NO"}
    )
    extra = await operator_http.put(
        f"/api/driver-tariffs/{MEMBER}", json={"tariff_code": "VIP", "x": 1}
    )
    async with station(server) as cp:
        member = await cp.call(call.Authorize(id_token={"id_token": MEMBER, "type": "ISO14443"}))
        other = await cp.call(call.Authorize(id_token={"id_token": RFID, "type": "ISO14443"}))
        await cp.call(_started("TX-VIP-1", MEMBER))
        await cp.call(_started("TX-STD-1", RFID))
        vip_tx = await eventually(lambda: _tx(server, "TX-VIP-1"), timeout=30)
        std_tx = await eventually(lambda: _tx(server, "TX-STD-1"), timeout=30)
        vip_cost = (await operator_http.get(f"/api/transactions/{vip_tx}/cost")).json()
        std_cost = (await operator_http.get(f"/api/transactions/{std_tx}/cost")).json()
    assert put.status_code == 200, put.text
    assert (unknown_token.status_code, unknown_tariff.status_code, extra.status_code) == (
        404,
        404,
        422,
    )
    # The `ocpp` package checked the answer against its 2.1 AuthorizeResponse schema.
    assert member.id_token_info["status"] == "Accepted"
    assert member.tariff["tariff_id"] == "VIP.r1"
    assert member.tariff["energy"]["prices"] == [{"price_kwh": 0.3}]
    assert other.tariff is None  # no tariff of its own: the station's default applies
    assert vip_cost["tariff_code"] == "VIP"
    assert std_cost["tariff_code"] == "STD"


async def test_driver_tariffs_are_listed_masked_for_viewers_and_cleared(
    server: RunningServer, operator_http: httpx.AsyncClient
) -> None:
    await operator_http.put(f"/api/driver-tariffs/{MEMBER}", json={"tariff_code": "VIP"})
    listed = (await operator_http.get("/api/driver-tariffs")).json()
    key = (await server.forecourt.services.api_keys.create("viewer", Role.VIEWER))[0]
    async with httpx.AsyncClient(
        base_url=server.http_url, headers={"Authorization": f"Bearer {key}"}
    ) as viewer:
        masked = (await viewer.get("/api/driver-tariffs")).json()
        refused = await viewer.put(f"/api/driver-tariffs/{MEMBER}", json={"tariff_code": "STD"})
    cleared = await operator_http.delete(f"/api/driver-tariffs/{MEMBER}")
    again = await operator_http.delete(f"/api/driver-tariffs/{MEMBER}")
    assert listed == [{"id_token": MEMBER, "tariff_code": "VIP"}]
    assert masked[0]["id_token"] != MEMBER
    assert masked[0]["tariff_code"] == "VIP"
    assert refused.status_code == 403
    assert (cleared.status_code, again.status_code) == (204, 404)
    assert (await operator_http.get("/api/driver-tariffs")).json() == []
