"""ChargeX error codes end to end: a simulated station charges for real, then reports CX001
over the wire (1.6 StatusNotification with ChargeX's vendorId, 2.0.1 NotifyEvent techCode);
the ticket, the port's health (API), the fault list (CLI) and the clearing all follow."""

from __future__ import annotations

import asyncio
import json
from datetime import UTC, datetime
from typing import Any

import httpx
from typer.testing import CliRunner

from forecourt.cli.main import app as cli_app
from forecourt.reliability.domain.chargex import VENDOR_ID
from forecourt.reliability.domain.model import FaultKind
from forecourt.reliability.domain.tickets import TicketState
from forecourt.reliability.keys import RELIABILITY
from forecourt.services.roles import Role
from forecourt.simulator import SimulatedStation
from tests.reliability.conftest import (
    add_dc_station,
    charge,
    eventually,
    simulated,
    tickets_of,
    wait_ticket,
)
from tests.reliability.test_web import PASSWORD, _sign_in
from tests.support.server import RunningServer


def _now() -> str:
    return datetime.now(UTC).isoformat(timespec="milliseconds").replace("+00:00", "Z")


async def _report(station: SimulatedStation, protocol: str, *, cleared: bool) -> None:
    if protocol == "1.6":
        await station.call(
            "StatusNotification",
            {"connectorId": 1, "errorCode": "NoError", "status": "Available", "timestamp": _now()}
            if cleared
            else {
                "connectorId": 1,
                "errorCode": "ConnectorLockFailure",
                "status": "Faulted",
                "timestamp": _now(),
                "vendorId": VENDOR_ID,
                "vendorErrorCode": "CX001",
            },
        )
        return
    event = {
        "eventId": 7,
        "timestamp": _now(),
        "trigger": "Alerting",
        "actualValue": "false" if cleared else "true",
        "techCode": "CX001",
        "techInfo": "lock motor did not reach its end position",
        "cleared": cleared,
        "eventNotificationType": "HardWiredNotification",
        "component": {"name": "EVSE", "evse": {"id": 1, "connectorId": 1}},
        "variable": {"name": "Problem"},
    }
    await station.call("NotifyEvent", {"generatedAt": _now(), "seqNo": 0, "eventData": [event]})


async def _cli(server: RunningServer, *args: str) -> Any:
    env = {"FORECOURT_DATABASE_URL": server.forecourt.settings.database_url, "COLUMNS": "200"}
    result = await asyncio.to_thread(CliRunner().invoke, cli_app, [*args, "--json"], env=env)
    assert result.exit_code == 0, result.output
    return json.loads(result.stdout)


async def test_a_chargex_code_opens_a_ticket_shows_on_the_port_and_clears(
    server: RunningServer, protocol: str
) -> None:
    services = server.forecourt.services
    station_id = f"CS-CX-{protocol}"
    await add_dc_station(services, station_id)
    key, _ = await services.api_keys.create("ops", Role.OPERATOR)
    headers = {"Authorization": f"Bearer {key}"}
    async with simulated(server, station_id, protocol) as station:
        await charge(station)  # a real session first: the port is known and working
        await _report(station, protocol, cleared=False)

        ticket = await wait_ticket(services, station_id, FaultKind.CHARGEX)
        assert ticket.ports == [1]
        assert ticket.severity.value == "critical"
        async with httpx.AsyncClient(base_url=server.http_url, headers=headers) as client:
            ports = (await client.get(f"/api/reliability/ports/{station_id}")).json()
            detail = (await client.get(f"/api/reliability/tickets/{ticket.id}")).json()
            table = (await client.get("/api/reliability/chargex-codes")).json()
        [port] = ports
        assert [(c["code"], c["name"]) for c in port["error_codes"]] == [
            ("CX001", "ConnectorLockFailure")
        ]
        [fault] = detail["faults"]
        assert fault["evidence"]["codes"][0]["meaning"].startswith("Failure to lock")
        assert fault["evidence"]["via"] == (
            "StatusNotification" if protocol == "1.6" else "NotifyEvent"
        )
        assert len(table) == 26
        by_code = {c["code"]: c for c in table}
        assert (by_code["CX021"]["name"], by_code["CX021"]["severity"]) == (
            "CapacitanceFault",
            "critical",
        )
        assert by_code["CX007"]["responsible"] == "CSO, EVSE"
        listed_codes = await _cli(server, "faults", "chargex")
        assert {c["code"]: c["name"] for c in listed_codes}["CX013"] == "NoInternet"

        listed = await _cli(
            server, "faults", "list", "--station", station_id, "--kind", "chargex_error"
        )
        assert [f["codes"] for f in listed] == ["CX001 ConnectorLockFailure"]
        shown = await _cli(server, "tickets", "show", str(ticket.id))
        assert shown["faults"][0]["codes"] == "CX001 ConnectorLockFailure"

        await services.users.create(f"tech-{protocol}", PASSWORD, Role.TECHNICIAN)
        async with httpx.AsyncClient(base_url=server.http_url) as browser:
            await _sign_in(browser, f"tech-{protocol}")
            panel = await browser.get(f"/dashboard/reliability/stations/{station_id}/panel")
            page = await browser.get(f"/dashboard/reliability/tickets/{ticket.id}")
        assert 'title="Failure to lock or unlock the connector' in panel.text
        assert "CX001</abbr> ConnectorLockFailure" in panel.text
        assert "CX001</abbr> ConnectorLockFailure" in page.text

        await _report(station, protocol, cleared=True)

        async def resolved() -> bool:
            (current,) = await tickets_of(services, station_id)
            return current.state is TicketState.RESOLVED

        await eventually(resolved, 30)
        view = services.feature(RELIABILITY).monitor.view(station_id, 1)
        assert view is not None
        assert view.error_codes == ()
