"""2.1 connector types read from a live NotifyReport (``Connector.ConnectorType``) into the
connector records, over the wire with the `ocpp` package's 2.1 ChargePoint."""

from __future__ import annotations

from typing import Any

import httpx
from ocpp.v21 import call

from forecourt.domain.connectors import ConnectorType
from forecourt.services.network import ConnectorSpec as Spec
from tests.e2e.conftest import STATION
from tests.e2e.test_ocpp21_independent_client import boot, station
from tests.support.server import RunningServer


def _connector(evse: int, connector: int, value: str) -> dict[str, Any]:
    return {
        "component": {"name": "Connector", "evse": {"id": evse, "connector_id": connector}},
        "variable": {"name": "ConnectorType"},
        "variable_attribute": [{"type": "Actual", "value": value}],
        "variable_characteristics": {"data_type": "string", "supports_monitoring": False},
    }


async def test_reported_plug_types_fill_the_connector_records(server: RunningServer) -> None:
    network = server.forecourt.services.network
    await network.set_connector(STATION, Spec(3, 1, ConnectorType.CCS1))  # the operator's record
    report = [
        _connector(1, 1, "cNACS-CCS1"),  # a NACS cable with a built-in CCS1 adapter
        _connector(2, 1, "cMCS"),
        _connector(3, 1, "cTesla"),  # disagrees with the operator: the record is kept
        _connector(4, 1, "Undetermined"),
    ]
    async with station(server, ["ocpp2.1"]) as cp:
        await boot(cp)
        await cp.call(
            call.NotifyReport(
                request_id=1, generated_at="2026-12-07T10:00:00Z", seq_no=0, report_data=report
            )
        )
    found = await network.station(STATION)
    types = {(e.evse_id, c.connector_id): c.type for e in found.evses for c in e.connectors}
    assert types == {
        (1, 1): ConnectorType.NACS,
        (2, 1): ConnectorType.MCS,
        (3, 1): ConnectorType.CCS1,
    }


async def _operator_api(server: RunningServer) -> httpx.AsyncClient:
    key, _ = await server.forecourt.services.api_keys.create("operator")
    headers = {"Authorization": f"Bearer {key}"}
    return httpx.AsyncClient(base_url=server.http_url, headers=headers)


async def _estimate(client: httpx.AsyncClient, vehicle: str) -> dict[str, Any]:
    body = {
        "vehicle": vehicle,
        "connector": {"station_id": STATION, "evse_id": 1, "connector_id": 1},
    }
    response = await client.post("/api/compat/estimate", json=body)
    assert response.status_code == 200, response.text
    answer: dict[str, Any] = response.json()
    return answer


async def test_a_reported_magic_dock_answers_for_nacs_and_ccs1_cars(server: RunningServer) -> None:
    async with station(server, ["ocpp2.1"]) as cp:
        await boot(cp)
        await cp.call(
            call.NotifyReport(
                request_id=1,
                generated_at="2026-12-07T10:00:00Z",
                seq_no=0,
                report_data=[_connector(1, 1, "cNACS-CCS1")],
            )
        )
        async with await _operator_api(server) as client:  # the estimate itself is public
            tesla = await _estimate(client, "tesla-model-3-lr-2020")
            i4 = await _estimate(client, "bmw-i4-edrive40-2022")  # CCS1, no adapter of its own
            ioniq = await _estimate(client, "hyundai-ioniq-5-lr-2022")
            leaf = await _estimate(client, "nissan-leaf-40-2018")
            stored = (await client.get(f"/api/stations/{STATION}")).json()

    assert stored["evses"][0]["connectors"][0]["built_in_plug"] == "ccs1"
    assert tesla["connector"]["type"] == "nacs"
    assert tesla["connector"]["built_in_adapter_id"] == "tesla-magic-dock"
    assert tesla["works"]
    assert tesla["option"]["adapter"] is None
    assert i4["works"]
    assert i4["option"]["adapter"]["id"] == "tesla-magic-dock"
    assert i4["estimate"]["peak_power_w"] > 0
    by_adapter = {(o["adapter"] or {}).get("id"): o for o in ioniq["options"]}
    dock = by_adapter["tesla-magic-dock"]  # beside the maker's own NACS adapter
    assert dock["works"]
    assert "adapter_voltage_limit" in {w["code"] for w in dock["warnings"]}  # 500 V, 800 V car
    assert not leaf["works"]  # CHAdeMO fits neither plug


async def test_an_operator_declares_and_clears_a_built_in_adapter(server: RunningServer) -> None:
    url = f"/api/stations/{STATION}/evses/1/connectors/1"
    async with await _operator_api(server) as client:
        dock = await client.put(url, json={"type": "nacs", "built_in_plug": "ccs1"})
        same = await client.put(url, json={"type": "nacs", "built_in_plug": "nacs"})
        plain = await client.put(url, json={"type": "nacs"})
        i4 = await _estimate(client, "bmw-i4-edrive40-2022")

    assert dock.status_code == 200, dock.text
    assert dock.json()["evses"][0]["connectors"][0]["built_in_plug"] == "ccs1"
    assert same.status_code == 422
    assert "built-in adapter" in same.json()["detail"]
    assert plain.json()["evses"][0]["connectors"][0]["built_in_plug"] is None
    assert not i4["works"]  # a plain NACS cable: this CCS1 car has no maker's NACS adapter
