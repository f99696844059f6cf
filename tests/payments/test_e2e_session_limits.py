"""Sessions started with limits, over the wire: a 2.1 station is told (``transactionLimit``),
1.6 and 2.0.1 stations are stopped by the CSMS when the one rule says the limit is reached."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from datetime import UTC, datetime, timedelta
from typing import Any

import httpx
import pytest
from ocpp.routing import on
from ocpp.v16 import ChargePoint as ChargePoint16
from ocpp.v16 import call as call16
from ocpp.v16 import call_result as result16
from ocpp.v21 import ChargePoint as ChargePoint21
from ocpp.v21 import call as call21
from ocpp.v21 import call_result as result21
from ocpp.v201 import ChargePoint as ChargePoint201
from ocpp.v201 import call as call201
from ocpp.v201 import call_result as result201
from websockets.asyncio.client import connect

from forecourt.domain.tokens import TokenRecord
from tests.e2e.conftest import basic_auth
from tests.payments.conftest import PASSWORD, eventually, prepare_network
from tests.support.server import RunningServer, running_server

pytestmark = pytest.mark.asyncio

TOKEN = "LIMIT-CARD"


class Station201(ChargePoint201):  # type: ignore[misc]
    starts: list[dict[str, Any]]
    stops: list[str]

    @on("RequestStartTransaction")  # type: ignore[misc]
    def on_start(self, **kwargs: Any) -> Any:
        self.starts.append(kwargs)
        return result201.RequestStartTransaction(status="Accepted")

    @on("RequestStopTransaction")  # type: ignore[misc]
    def on_stop(self, transaction_id: str, **_: Any) -> Any:
        self.stops.append(transaction_id)
        return result201.RequestStopTransaction(status="Accepted")


class Station21(ChargePoint21):  # type: ignore[misc]
    starts: list[dict[str, Any]]

    @on("RequestStartTransaction")  # type: ignore[misc]
    def on_start(self, **kwargs: Any) -> Any:
        self.starts.append(kwargs)
        return result21.RequestStartTransaction(status="Accepted")

    @on("SetDefaultTariff")  # type: ignore[misc]
    def on_tariff(self, **_: Any) -> Any:
        return result21.SetDefaultTariff(status="Accepted")


class Station16(ChargePoint16):  # type: ignore[misc]
    starts: list[dict[str, Any]]
    stops: list[int]

    @on("RemoteStartTransaction")  # type: ignore[misc]
    def on_start(self, **kwargs: Any) -> Any:
        self.starts.append(kwargs)
        return result16.RemoteStartTransaction(status="Accepted")

    @on("RemoteStopTransaction")  # type: ignore[misc]
    def on_stop(self, transaction_id: int, **_: Any) -> Any:
        self.stops.append(transaction_id)
        return result16.RemoteStopTransaction(status="Accepted")


@pytest.fixture
async def server(tmp_path: Any) -> AsyncIterator[RunningServer]:
    settings = {"call_timeout": 3.0, "payments_running_cost_interval": 0.1}
    async with running_server(tmp_path, **settings) as running:
        await prepare_network(running.forecourt.services, "LIM-16", "LIM-201", "LIM-21")
        await running.forecourt.services.network.add_token(TokenRecord(TOKEN))
        yield running


@asynccontextmanager
async def station(server: RunningServer, cls: Any, station_id: str, proto: str) -> Any:
    async with connect(
        f"{server.ws_url}/{station_id}",
        subprotocols=[proto],  # type: ignore[list-item]
        additional_headers=basic_auth(station_id, PASSWORD),
    ) as ws:
        cp = cls(station_id, ws)
        cp.starts, cp.stops = [], []
        runner = asyncio.create_task(cp.start())
        try:
            yield cp
        finally:
            runner.cancel()


def _now(seconds: float = 0) -> str:
    at = datetime.now(UTC) + timedelta(seconds=seconds)
    return at.isoformat(timespec="seconds").replace("+00:00", "Z")


def _kwh(value: float, seconds: float = 0) -> list[dict[str, Any]]:
    sample = {"value": value, "unit_of_measure": {"unit": "kWh"}}
    return [{"timestamp": _now(seconds), "sampled_value": [sample]}]


async def test_201_energy_limit_is_enforced_by_the_csms(
    server: RunningServer, operator_http: httpx.AsyncClient
) -> None:
    async with station(server, Station201, "LIM-201", "ocpp2.0.1") as cp:
        boot = call201.BootNotification(
            charging_station={"model": "M", "vendor_name": "V"}, reason="PowerUp"
        )
        await cp.call(boot)
        body = {"id_token": TOKEN, "evse_id": 1, "max_energy_kwh": 5}
        started = await operator_http.post("/api/stations/LIM-201/limited-start", json=body)
        assert started.json()["status"] == "accepted", started.text
        token = {"id_token": TOKEN, "type": "Central"}
        info = {"transaction_id": "TX-L-1", "charging_state": "Charging"}

        # one second apart: whole-second timestamps taken 0.3 s apart could be equal
        def event(kind: str, seq: int, kwh: float) -> Any:
            return call201.TransactionEvent(
                event_type=kind, timestamp=_now(seq - 10), trigger_reason="MeterValuePeriodic",
                seq_no=seq, transaction_info=info, evse={"id": 1, "connector_id": 1},
                id_token=token if kind == "Started" else None, meter_value=_kwh(kwh, seq - 10),
            )  # fmt: skip

        await cp.call(event("Started", 0, 10.0))
        await cp.call(event("Updated", 1, 12.0))  # 2 kWh: below the limit
        await asyncio.sleep(0.3)
        assert cp.stops == []
        await cp.call(event("Updated", 2, 15.5))  # 5.5 kWh: reached
        await eventually(lambda: asyncio.sleep(0, cp.stops))
    assert cp.starts[0]["id_token"]["id_token"] == TOKEN
    assert cp.stops == ["TX-L-1"]  # once


async def test_16_time_limit_is_enforced_by_the_csms(
    server: RunningServer, operator_http: httpx.AsyncClient
) -> None:
    async with station(server, Station16, "LIM-16", "ocpp1.6") as cp:
        await cp.call(call16.BootNotification(charge_point_model="M", charge_point_vendor="V"))
        body = {"id_token": TOKEN, "evse_id": 1, "max_minutes": 1}
        started = await operator_http.post("/api/stations/LIM-16/limited-start", json=body)
        assert started.json()["status"] == "accepted", started.text
        begun = await cp.call(
            call16.StartTransaction(
                connector_id=1, id_tag=TOKEN, meter_start=1000, timestamp=_now(-61)
            )
        )
        value = [{"timestamp": _now(), "sampled_value": [{"value": "1500"}]}]
        await cp.call(
            call16.MeterValues(
                connector_id=1, transaction_id=begun.transaction_id, meter_value=value
            )
        )
        await eventually(lambda: asyncio.sleep(0, cp.stops))
    assert cp.stops == [begun.transaction_id]


async def test_21_station_is_told_the_limit(
    server: RunningServer, operator_http: httpx.AsyncClient
) -> None:
    async with station(server, Station21, "LIM-21", "ocpp2.1") as cp:
        boot = call21.BootNotification(
            charging_station={"model": "M", "vendor_name": "V"}, reason="PowerUp"
        )
        await cp.call(boot)
        body = {"id_token": TOKEN, "evse_id": 1, "max_energy_kwh": 5, "max_soc": 80,
                "max_cost": "12.50", "max_minutes": 90}  # fmt: skip
        assert (
            await operator_http.post("/api/stations/LIM-21/limited-start", json=body)
        ).is_success
        answer = await cp.call(
            call21.TransactionEvent(
                event_type="Started",
                timestamp=_now(),
                trigger_reason="RemoteStart",
                seq_no=0,
                transaction_info={"transaction_id": "TX-L-21"},
                evse={"id": 1, "connector_id": 1},
                id_token={"id_token": TOKEN, "type": "Central"},
                meter_value=_kwh(1.0),
            )
        )
    assert answer.transaction_limit == {
        "max_cost": 12.5, "max_energy": 5000.0, "max_time": 5400, "max_soc": 80
    }  # fmt: skip


async def test_bad_limits_are_refused(operator_http: httpx.AsyncClient) -> None:
    none = await operator_http.post("/api/stations/LIM-16/limited-start", json={"id_token": TOKEN})
    soc = await operator_http.post(
        "/api/stations/LIM-16/limited-start", json={"id_token": TOKEN, "max_soc": 101}
    )
    missing = await operator_http.post(
        "/api/stations/NOPE/limited-start", json={"id_token": TOKEN, "max_soc": 80}
    )
    assert (none.status_code, soc.status_code, missing.status_code) == (422, 422, 404)
