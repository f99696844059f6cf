"""2.1 connector types read from a live NotifyReport (``Connector.ConnectorType``) into the
connector records, over the wire with the `ocpp` package's 2.1 ChargePoint."""

from __future__ import annotations

from typing import Any

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
