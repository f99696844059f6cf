"""A 1.6 dispenser side with a NACS and a CCS1 cable is one 1.6 connector: its status is every
cable's status (drivers never see "Status unknown" on one cable of a reporting EVSE)."""

from __future__ import annotations

import re

import httpx
from websockets.asyncio.client import connect

from forecourt.domain.connectors import ConnectorType
from forecourt.domain.stations import Site
from forecourt.services.network import ConnectorSpec
from tests.e2e.conftest import PASSWORD, basic_auth
from tests.e2e.test_stale_transactions import Wire, ago
from tests.support.server import RunningServer


async def test_a_16_status_applies_to_every_cable_of_the_evse(server: RunningServer) -> None:
    network = server.forecourt.services.network
    await network.add_site(Site("forecourt", "Forecourt", "1 Main St"))
    await network.add_station("CP-TWIN", password=PASSWORD, site_id="forecourt")
    await network.set_connector("CP-TWIN", ConnectorSpec(1, 1, ConnectorType.NACS))
    await network.set_connector("CP-TWIN", ConnectorSpec(1, 2, ConnectorType.CCS1))
    async with connect(
        f"{server.ws_url}/CP-TWIN",
        subprotocols=["ocpp1.6"],  # type: ignore[list-item]
        additional_headers=basic_auth("CP-TWIN", PASSWORD),
    ) as ws:
        wire = Wire(ws)
        await wire.call("BootNotification", {"chargePointVendor": "T", "chargePointModel": "M"})
        for connector_id, status in ((0, "Available"), (1, "Available")):
            await wire.call(
                "StatusNotification",
                {"connectorId": connector_id, "errorCode": "NoError", "status": status,
                 "timestamp": ago(0)},
            )  # fmt: skip
        station = await network.station("CP-TWIN")
        [evse] = station.evses
        assert [c.status.value for c in evse.connectors] == ["available", "available"]
        async with httpx.AsyncClient(base_url=server.http_url) as http:
            page = (await http.get("/s/forecourt/evse/CP-TWIN/1")).text
        assert "Status unknown" not in page
        assert len(re.findall(r"\bAvailable\b", page)) >= 2
