"""California (CEC) uptime end to end: a simulated station charges, drops off the network and
comes back; the semiannual report counts the outage, an operator classifies it as a grid power
loss (API), and the report (API and CLI) then excludes it."""

from __future__ import annotations

import asyncio
import csv
import io
import json
from datetime import UTC, datetime, timedelta
from typing import Any

import httpx
from typer.testing import CliRunner

from forecourt.cli.main import app as cli_app
from forecourt.reliability.domain.model import Condition
from forecourt.reliability.keys import RELIABILITY
from forecourt.services.roles import Role
from tests.reliability.conftest import add_dc_station, charge, eventually, simulated
from tests.support.server import RunningServer


async def test_an_outage_counts_until_classified_as_grid_power_loss(
    server: RunningServer, protocol: str
) -> None:
    services = server.forecourt.services
    station_id = f"CS-CEC-{protocol}"
    await add_dc_station(services, station_id)
    key, _ = await services.api_keys.create("ops", Role.OPERATOR)
    headers = {"Authorization": f"Bearer {key}"}
    began = datetime.now(UTC)
    half = f"{began.year}H{1 if began.month <= 6 else 2}"
    monitor = services.feature(RELIABILITY).monitor
    async with simulated(server, station_id, protocol) as station:
        await charge(station)
        await station.go_offline()

        async def offline() -> bool:
            view = monitor.view(station_id, 1)
            return view is not None and Condition.OFFLINE in view.conditions

        await eventually(offline)
        await asyncio.sleep(0.2)  # some downtime to count (a length, not a wait for an event)
        await station.go_online(10)

        async def online() -> bool:
            view = monitor.view(station_id, 1)
            return view is not None and not view.conditions

        await eventually(online)
        await services.feature(RELIABILITY).settle()

        async with httpx.AsyncClient(base_url=server.http_url, headers=headers) as client:
            params = {"half": half, "station_id": station_id}
            before = (await client.get("/api/reliability/reports/cec", params=params)).json()
            [row] = before["ports"]
            assert row["port_id"] == f"{station_id}/1"
            assert float(row["downtime_minutes"]) > 0
            assert row["excluded_minutes"] == "0.000"
            assert float(row["uptime_percent"]) < 100

            grid = {
                "station_id": station_id,
                "start": (began - timedelta(minutes=1)).isoformat(),
                "end": datetime.now(UTC).isoformat(),
                "cause": "utility_interruption",
                "evidence": ["utility outage ticket 4711"],
            }
            added = await client.post("/api/reliability/exclusions", json=grid)
            assert added.status_code == 201, added.text

            after = await client.get(
                "/api/reliability/reports/cec", params={**params, "file": "csv"}
            )
            assert after.headers["content-type"].startswith("text/csv")
            [csv_row] = list(csv.DictReader(io.StringIO(after.text)))
            assert csv_row["excluded_minutes"] == csv_row["downtime_minutes"]
            assert csv_row["excluded_grid_power_loss_minutes"] == csv_row["downtime_minutes"]
            assert csv_row["uptime_percent"] == "100.0000"
            assert csv_row["meets_97_percent"] == "TRUE"

            down = 0.0
            for date in sorted({began.date(), datetime.now(UTC).date()}):  # midnight: both
                day = {"day": date.isoformat(), "station_id": station_id}
                hours = await client.get("/api/reliability/reports/cec-hourly", params=day)
                assert len(hours.json()["hours"]) == 24
                down += sum(float(h["downtime_minutes"]) for h in hours.json()["hours"])
                assert all(h["up"] in ("TRUE", "") for h in hours.json()["hours"])  # excluded
            assert abs(down - float(csv_row["downtime_minutes"])) < 0.01
            bad_day = await client.get("/api/reliability/reports/cec-hourly", params={"day": "7/3"})
            assert bad_day.status_code == 422

            wrong = await client.get("/api/reliability/reports/cec", params={"half": "2026Q3"})
            assert wrong.status_code == 422
            assert wrong.headers["content-type"].startswith("application/problem+json")

        listed = await _cli(server, "reliability", "cec", "uptime", "--half", half,
                            "--station", station_id)  # fmt: skip
        assert [(r["port_id"], r["excluded_minutes"], r["meets_97_percent"]) for r in listed] == [
            (f"{station_id}/1", csv_row["excluded_minutes"], "TRUE")
        ]
        hourly = await _cli(server, "reliability", "cec", "hourly", "--day", day["day"],
                            "--station", station_id)  # fmt: skip
        assert len(hourly) == 24


async def _cli(server: RunningServer, *args: str) -> Any:
    env = {"FORECOURT_DATABASE_URL": server.forecourt.settings.database_url, "COLUMNS": "200"}
    result = await asyncio.to_thread(CliRunner().invoke, cli_app, [*args, "--json"], env=env)
    assert result.exit_code == 0, result.output
    return json.loads(result.stdout)
