"""The session KPIs by ChargeX's definitions, from real sessions over real websockets: a
session that ends normally but leaves the port Faulted is not a success, by ours nor by
ChargeX's "no fault right after", while ChargeX's own session success (a valid stop trigger)
still counts it — each number beside the others, through the API and the CLI."""

from __future__ import annotations

import asyncio
import json
from datetime import UTC, datetime, timedelta
from typing import Any

import httpx
from typer.testing import CliRunner

from forecourt.cli.main import app as cli_app
from forecourt.reliability.keys import RELIABILITY
from forecourt.services.roles import Role
from tests.reliability.conftest import CARD, CARD_2, add_dc_station, charge, simulated
from tests.support.server import RunningServer


def _now() -> str:
    return datetime.now(UTC).isoformat(timespec="milliseconds").replace("+00:00", "Z")


async def test_a_session_followed_by_a_fault_fails_ours_but_passes_chargex_session_success(
    server: RunningServer,
) -> None:
    services = server.forecourt.services
    await add_dc_station(services, "CS-KPI")
    began = datetime.now(UTC) - timedelta(minutes=1)
    async with simulated(server, "CS-KPI", "1.6") as station:
        await charge(station, token=CARD)  # a good session
        await charge(station, token=CARD_2)  # ... and one that leaves the port broken
        await station.call(
            "StatusNotification",
            {"connectorId": 1, "errorCode": "GroundFailure", "status": "Faulted",
             "timestamp": _now()},
        )  # fmt: skip
        await services.feature(RELIABILITY).settle()

    key, _ = await services.api_keys.create("viewer", Role.VIEWER)
    window = {
        "dimension": "port",
        "since": began.isoformat(),
        "until": (datetime.now(UTC) + timedelta(minutes=1)).isoformat(),
        "station_id": "CS-KPI",
    }
    async with httpx.AsyncClient(
        base_url=server.http_url, headers={"Authorization": f"Bearer {key}"}
    ) as client:
        response = await client.get("/api/reliability/kpis", params=window)
    assert response.status_code == 200, response.text
    [row] = response.json()
    assert row["attempts"] == 2
    assert row["outcomes"] == {"success": 1, "fault_after": 1}
    assert row["success_rate"] == 0.5  # ours: the fault right after undoes the second
    assert row["chargex_charge_start_success_rate"] == 1.0  # power flowed both times
    assert row["chargex_session_success_rate"] == 1.0  # both ended by a valid stop trigger
    assert row["chargex_charge_end_success_rate"] == 1.0
    assert row["charging_success_rate"] == 1.0  # German: energy flowed, ended normally

    listed = await _cli(server, "kpis", "show", "--by", "port", "--station", "CS-KPI")
    assert [(r["success_rate"], r["chargex_session_success_rate"]) for r in listed] == [
        ("50.0%", "100.0%")
    ]


async def _cli(server: RunningServer, *args: str) -> Any:
    env = {"FORECOURT_DATABASE_URL": server.forecourt.settings.database_url, "COLUMNS": "200"}
    result = await asyncio.to_thread(CliRunner().invoke, cli_app, [*args, "--json"], env=env)
    assert result.exit_code == 0, result.output
    return json.loads(result.stdout)
