"""The reliability CLI on a real SQLite file: reports, uptime, exclusions, faults, tickets."""

from __future__ import annotations

import asyncio
import csv
import json
from pathlib import Path
from typing import Any

import pytest
from typer.testing import CliRunner, Result

from forecourt.cli.main import app
from forecourt.domain.stations import Site
from forecourt.reliability.cli.commands import register
from forecourt.reliability.domain.model import FaultKind, Finding
from forecourt.reliability.domain.thresholds import Thresholds
from forecourt.reliability.domain.timeline import Transition
from forecourt.reliability.domain.watch import Decisions
from forecourt.reliability.keys import RELIABILITY
from forecourt.reliability.ports import RELIABILITY_STORE
from forecourt.reliability.services.writer import Batch
from tests.reliability.test_nevi_reference import NOW, TIMELINES, at
from tests.support.harness import SteppingClock, make_services

if not any(group.name == "tickets" for group in app.registered_groups):
    register(app)  # until the lead wires it into forecourt.cli.main


class Cli:
    def __init__(self, url: str) -> None:
        self.url = url

    def __call__(self, *args: str) -> Result:
        env = {"FORECOURT_DATABASE_URL": self.url, "COLUMNS": "200"}
        return CliRunner().invoke(app, list(args), env=env)

    def ok(self, *args: str) -> Result:
        result = self(*args)
        assert result.exit_code == 0, (result.stdout, result.stderr)
        return result

    def json(self, *args: str) -> Any:
        return json.loads(self.ok(*args, "--json").stdout)


@pytest.fixture
def cli(tmp_path: Path) -> Cli:
    async def seed() -> None:
        services, database = await make_services(tmp_path, clock=SteppingClock(NOW))
        await services.network.add_site(Site("S", "Reference site"))
        for station in ("CS-A", "CS-B"):
            await services.network.add_station(station, site_id="S")
        async with database.unit_of_work() as uow:
            for port, steps in TIMELINES.items():
                await uow.repository(RELIABILITY_STORE).intervals.apply(
                    [Transition(port, at(s), c) for s, c in steps]
                )
            await uow.commit()
        finding = Finding(FaultKind.CONNECTOR, "CS-A", 1, NOW, 0.9, "latch broken")
        services.feature(RELIABILITY).writer.submit(
            Batch("CS-A", "S", Thresholds(), Decisions(findings=[finding]))
        )
        await services.feature(RELIABILITY).settle()
        await database.dispose()

    asyncio.run(seed())
    return Cli(f"sqlite:///{tmp_path / 'forecourt.db'}")


def test_uptime_and_exclusions(cli: Cli) -> None:
    rows = {r["port_id"]: r for r in cli.json("uptime", "show", "--month", "2028-02")}
    assert rows["CS-A/1"]["t_outage_min"] == "1845.000"
    assert rows["CS-A/1"]["uptime_pct"] == "99.6490"  # nothing excluded yet: 525,600 − 1,845
    cli.ok(
        "uptime", "exclude", "CS-A", "--evse", "1", "--cause", "utility_interruption",
        "--start", "2028-02-29T06:00:00Z", "--end", "2028-02-29T10:00:00Z",
        "--evidence", "PGE-4711",
    )  # fmt: skip
    cli.ok(
        "uptime", "exclude", "CS-A", "--evse", "1", "--cause", "network_provider_outage",
        "--start", "2027-07-04T10:00:00Z", "--end", "2027-07-04T12:00:00Z",
    )  # fmt: skip
    rows = {r["port_id"]: r for r in cli.json("uptime", "show", "--month", "2028-02")}
    assert rows["CS-A/1"]["uptime_pct"] == "99.7175"
    assert rows["CS-A/1"]["t_excluded_min"] == "360.000"
    (first, _) = cli.json("uptime", "exclusions", "--station", "CS-A")
    assert first["evidence"] == []
    bad = cli(
        "uptime",
        "exclude",
        "CS-A",
        "--cause",
        "vandalism",
        "--start",
        "2028-02-29T06:00",
        "--end",
        "2028-02-29T07:00Z",
    )
    assert bad.exit_code == 2  # no offset: ambiguous


def test_nevi_report_files(cli: Cli, tmp_path: Path) -> None:
    out = tmp_path / "export"
    result = cli.ok("reports", "nevi", "--quarter", "2028Q1", "--out", str(out))
    names = sorted(p.name for p in out.iterdir())
    assert names == [
        "nevi-2028Q1-evchart_sessions.csv",
        "nevi-2028Q1-outages.csv",
        "nevi-2028Q1-sessions.csv",
        "nevi-2028Q1-uptime.csv",
    ]
    assert "wrote" in result.stdout
    with (out / "nevi-2028Q1-uptime.csv").open() as handle:
        assert len(list(csv.DictReader(handle))) == 12
    document = json.loads(cli.ok("reports", "nevi", "--quarter", "2028Q1").stdout)
    assert document["minutes_per_year"] == 525_600
    assert cli("reports", "nevi", "--quarter", "2028Q7").exit_code == 2


def test_faults_and_ticket_workflow(cli: Cli) -> None:
    (fault,) = cli.json("faults", "list", "--station", "CS-A")
    assert fault["kind"] == "connector"
    page = cli.json("tickets", "list")
    (ticket,) = page["items"]
    ticket_id = str(ticket["id"])
    assert cli("tickets", "verify", ticket_id).exit_code == 2  # an open ticket cannot be verified
    cli.ok("tickets", "ack", ticket_id, "--note", "seen", "--by", "sam")
    cli.ok("tickets", "start", ticket_id)
    cli.ok("tickets", "note", ticket_id, "replaced the latch", "--assign", "sam")
    cli.ok("tickets", "resolve", ticket_id)
    shown = cli.json("tickets", "show", ticket_id)
    assert shown["state"] == "resolved"
    assert shown["assignee"] == "sam"
    kinds = [e["kind"] for e in shown["events"]]
    assert (kinds.count("state"), kinds.count("note")) == (3, 1)
    assert "Ticket" in cli.ok("tickets", "show", ticket_id).stdout
    assert json.loads(cli.ok("tickets", "stats").stdout)["tickets"] == 1


def test_thresholds_and_alert_routes(cli: Cli) -> None:
    shown = json.loads(
        cli.ok("faults", "thresholds", "--model", "SimDC-150", "--set", "derate_ratio=0.8").stdout
    )
    assert shown["derate_ratio"] == 0.8
    defaults = json.loads(cli.ok("faults", "thresholds").stdout)
    assert defaults["derate_ratio"] == 0.9
    assert cli("faults", "thresholds", "--set", "nope=1").exit_code == 2
    assert (
        "webhook"
        in cli.ok("tickets", "route", "https://ops.example.com/hook", "--secret", "s").stdout
    )
    assert (
        "email"
        in cli.ok("tickets", "route", "ops@example.com", "--min-severity", "critical").stdout
    )
    assert cli.ok("tickets", "smtp", "127.0.0.1", "--port", "2525").exit_code == 0
    assert cli.ok("kpis", "show", "--by", "port").exit_code == 0
    assert cli.json("kpis", "interop") == []
