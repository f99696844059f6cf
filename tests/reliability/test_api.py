"""The reliability REST API over HTTP (ASGI): roles, problem+json, shapes, exports."""

from __future__ import annotations

import csv
import io
from collections.abc import AsyncIterator
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path

import httpx
import pytest
from fastapi import FastAPI

from forecourt.api.install import install_api
from forecourt.bootstrap import build_services, open_database
from forecourt.bus.inprocess import InProcessBus
from forecourt.domain.metering import Measurand, MeterSample, ReadingContext
from forecourt.domain.stations import Site
from forecourt.domain.tokens import IdToken, TokenKind, TokenRecord
from forecourt.domain.transactions import StopReason
from forecourt.features import FEATURES
from forecourt.reliability.domain.model import FaultKind, Finding
from forecourt.reliability.domain.thresholds import Thresholds
from forecourt.reliability.domain.timeline import Transition
from forecourt.reliability.domain.watch import Decisions
from forecourt.reliability.keys import RELIABILITY
from forecourt.reliability.ports import RELIABILITY_STORE
from forecourt.reliability.services.writer import Batch
from forecourt.services.access import Role
from forecourt.services.core import Services
from forecourt.services.transactions import TransactionStart, TransactionStop
from tests.api.fakes import ScriptedGateway
from tests.reliability.test_nevi_reference import EXCLUSIONS, NOW, TIMELINES, at
from tests.support.harness import SteppingClock


@dataclass
class Api:
    client: httpx.AsyncClient
    services: Services
    clock: SteppingClock
    keys: dict[Role, str]

    def auth(self, role: Role = Role.ADMIN) -> dict[str, str]:
        return {"Authorization": f"Bearer {self.keys[role]}"}


@pytest.fixture
async def api(tmp_path: Path) -> AsyncIterator[Api]:
    database = open_database(f"sqlite:///{tmp_path / 'api.db'}")
    await database.migrate()
    clock = SteppingClock(NOW)
    services = build_services(database, ScriptedGateway(), clock=clock, bus=InProcessBus())
    keys = {role: (await services.api_keys.create(f"{role.value}-key", role))[0] for role in Role}
    await services.network.add_site(Site("S", "Reference site"))
    for station in ("CS-A", "CS-B"):
        await services.network.add_station(station, site_id="S")
    app = FastAPI()
    install_api(app, services, features=FEATURES)
    transport = httpx.ASGITransport(app=app, raise_app_exceptions=False)
    async with httpx.AsyncClient(transport=transport, base_url="http://forecourt.test") as client:
        yield Api(client, services, clock, keys)
    await services.feature(RELIABILITY).stop()
    await database.dispose()


async def _reference_timelines(api: Api) -> None:
    async with api.services.ctx.uow() as uow:
        for port, steps in TIMELINES.items():
            await uow.repository(RELIABILITY_STORE).intervals.apply(
                [Transition(port, at(s), c) for s, c in steps]
            )
        await uow.commit()


async def _ticket(api: Api, kind: FaultKind = FaultKind.CONNECTOR) -> int:
    finding = Finding(kind, "CS-A", 1, api.clock.now(), 0.9, "latch broken", {"n": 1})
    api.services.feature(RELIABILITY).writer.submit(
        Batch("CS-A", "S", Thresholds(), Decisions(findings=[finding]))
    )
    await api.services.feature(RELIABILITY).settle()
    page = (await api.client.get("/api/reliability/tickets", headers=api.auth(Role.VIEWER))).json()
    return int(page["items"][0]["id"])


async def test_uptime_as_exact_decimal_strings(api: Api) -> None:
    await _reference_timelines(api)
    for item in EXCLUSIONS:
        body = {
            "station_id": item.station_id,
            "evse_id": item.evse_id,
            "start": item.start.isoformat(),
            "end": item.end.isoformat(),
            "cause": item.cause.value,
            "evidence": item.evidence,
        }
        if item.cause.value == "outside_hours":
            body["note"] = "open 06:00-22:00"
        answer = await api.client.post(
            "/api/reliability/exclusions", json=body, headers=api.auth(Role.OPERATOR)
        )
        assert answer.status_code == 201, answer.text
    answer = await api.client.get(
        "/api/reliability/uptime?month=2028-02", headers=api.auth(Role.VIEWER)
    )
    rows = {r["port_id"]: r for r in answer.json()}
    assert rows["CS-A/1"]["uptime_pct"] == "99.7175"
    assert rows["CS-A/1"]["t_outage_min"] == "1845.000"
    assert rows["CS-B/1"]["uptime_pct"] == "0.0000"


async def test_exclusions_need_an_operator_and_a_valid_span(api: Api) -> None:
    body = {
        "station_id": "CS-A",
        "start": "2027-07-04T12:00:00Z",
        "end": "2027-07-04T10:00:00Z",
        "cause": "vandalism",
    }
    viewer = await api.client.post(
        "/api/reliability/exclusions", json=body, headers=api.auth(Role.VIEWER)
    )
    assert viewer.status_code == 403
    bad = await api.client.post(
        "/api/reliability/exclusions", json=body, headers=api.auth(Role.OPERATOR)
    )
    assert bad.status_code == 422
    assert bad.headers["content-type"] == "application/problem+json"
    assert "end after it starts" in bad.json()["detail"]
    unknown = {**body, "cause": "gremlins"}
    assert (
        await api.client.post(
            "/api/reliability/exclusions", json=unknown, headers=api.auth(Role.OPERATOR)
        )
    ).status_code == 422


async def test_ticket_workflow_over_http(api: Api) -> None:
    ticket_id = await _ticket(api)
    url = f"/api/reliability/tickets/{ticket_id}"
    assert (
        await api.client.post(
            f"{url}/transition", json={"state": "acknowledged"}, headers=api.auth(Role.VIEWER)
        )
    ).status_code == 403
    wrong = await api.client.post(
        f"{url}/transition", json={"state": "verified"}, headers=api.auth(Role.TECHNICIAN)
    )
    assert wrong.status_code == 422
    assert "cannot become verified" in wrong.json()["detail"]
    moved = await api.client.post(
        f"{url}/transition",
        json={"state": "acknowledged", "note": "seen"},
        headers=api.auth(Role.TECHNICIAN),
    )
    assert moved.json()["state"] == "acknowledged"
    noted = await api.client.post(
        f"{url}/notes",
        json={"note": "parts ordered", "assignee": "sam"},
        headers=api.auth(Role.TECHNICIAN),
    )
    assert noted.json()["assignee"] == "sam"
    detail = (await api.client.get(url, headers=api.auth(Role.VIEWER))).json()
    assert detail["faults"][0]["explanation"] == "latch broken"
    assert [e["kind"] for e in detail["events"]] == ["opened", "fault_added", "state", "note"]
    assert detail["uptime_impact_min"] == "0.000"
    filtered = await api.client.get(
        "/api/reliability/tickets?state=acknowledged&kind=connector", headers=api.auth(Role.VIEWER)
    )
    assert filtered.json()["total"] == 1
    none = await api.client.get(
        "/api/reliability/tickets?kind=derated", headers=api.auth(Role.VIEWER)
    )
    assert none.json()["total"] == 0
    stats = await api.client.get("/api/reliability/tickets/stats", headers=api.auth(Role.VIEWER))
    assert stats.json()["tickets"] == 1
    missing = await api.client.get("/api/reliability/tickets/999", headers=api.auth(Role.VIEWER))
    assert missing.status_code == 404


async def test_public_status_needs_no_key(api: Api) -> None:
    from forecourt.domain.connectors import ConnectorType
    from forecourt.services.network import ConnectorSpec

    await api.services.network.set_connector("CS-A", ConnectorSpec(1, 1, ConnectorType.CCS1))
    answer = await api.client.get("/api/public/sites/S/status")
    assert answer.status_code == 200
    (port,) = answer.json()["ports"]
    assert port["connectors"] == ["ccs1"]
    assert port["status"] == "unknown"  # never reported, not connected
    assert (await api.client.get("/api/public/sites/NOPE/status")).status_code == 404


async def test_thresholds_per_model(api: Api) -> None:
    put = await api.client.put(
        "/api/reliability/thresholds",
        json={"model": "SimDC-150", "overrides": {"derate_ratio": 0.8}},
        headers=api.auth(Role.ADMIN),
    )
    assert put.json()["derate_ratio"] == 0.8
    defaults = await api.client.get("/api/reliability/thresholds", headers=api.auth(Role.VIEWER))
    assert defaults.json()["derate_ratio"] == 0.9
    bad = await api.client.put(
        "/api/reliability/thresholds", json={"overrides": {"nope": 1}}, headers=api.auth(Role.ADMIN)
    )
    assert bad.status_code == 422
    operator = await api.client.put(
        "/api/reliability/thresholds", json={"overrides": {}}, headers=api.auth(Role.OPERATOR)
    )
    assert operator.status_code == 403


async def test_alert_routes(api: Api) -> None:
    body = {
        "channel": "webhook",
        "target": "https://ops.example.com/hook",
        "secret": "s",
        "min_severity": "major",
    }
    created = await api.client.post(
        "/api/reliability/alert-routes", json=body, headers=api.auth(Role.ADMIN)
    )
    assert created.status_code == 201
    assert created.json()["signed"] is True
    assert "secret" not in created.json()
    listed = await api.client.get("/api/reliability/alert-routes", headers=api.auth(Role.OPERATOR))
    assert [r["target"] for r in listed.json()] == ["https://ops.example.com/hook"]
    route_id = created.json()["id"]
    gone = await api.client.delete(
        f"/api/reliability/alert-routes/{route_id}", headers=api.auth(Role.ADMIN)
    )
    assert gone.status_code == 204


async def _session(
    api: Api,
    station: str,
    tag: str,
    start: datetime,
    energy_wh: float,
    reason: StopReason,
    minutes: int = 30,
) -> None:
    transactions = api.services.core.transactions
    begin = MeterSample(
        start, Measurand.ENERGY_IMPORT_REGISTER, 1000.0, "Wh", ReadingContext.TRANSACTION_BEGIN
    )
    soc = MeterSample(start, Measurand.SOC, 20.0, "%", ReadingContext.TRANSACTION_BEGIN)
    outcome = await transactions.start(
        station, TransactionStart(1, 1, start, IdToken(tag), 1000.0, samples=[begin, soc])
    )
    assert outcome.transaction is not None
    stop = start + timedelta(minutes=minutes)
    end_soc = MeterSample(stop, Measurand.SOC, 80.0, "%", ReadingContext.TRANSACTION_END)
    await transactions.stop(
        station,
        TransactionStop(
            outcome.transaction.station_tx_id, stop, 1000.0 + energy_wh, reason, samples=[end_soc]
        ),
    )


async def test_nevi_export_and_kpis_from_real_transactions(api: Api) -> None:
    await api.services.network.add_token(TokenRecord("CARD", TokenKind.RFID))
    base = datetime(2028, 1, 10, 12, 0, tzinfo=UTC)
    await _session(api, "CS-A", "CARD", base, 0.0, StopReason.OTHER)
    await _session(api, "CS-A", "CARD", base + timedelta(minutes=35), 30_000.0, StopReason.LOCAL)
    headers = api.auth(Role.VIEWER)
    report = await api.client.get(
        "/api/reliability/reports/nevi?quarter=2028Q1&file=sessions", headers=headers
    )
    assert report.headers["content-type"].startswith("text/csv")
    rows = list(csv.DictReader(io.StringIO(report.text)))
    assert [(r["successful"], r["error_codes"], r["energy_kwh"]) for r in rows] == [
        ("FALSE", "zero_energy,stop:other", "0.0"),
        ("TRUE", "", "30.0"),
    ]
    evchart = await api.client.get(
        "/api/reliability/reports/nevi?quarter=2028Q1&file=evchart_sessions", headers=headers
    )
    first = next(csv.DictReader(io.StringIO(evchart.text)))
    assert (first["start_soc"], first["end_soc"], first["payment_type"]) == (
        "0.2",
        "0.8",
        "membership",
    )
    document = (
        await api.client.get("/api/reliability/reports/nevi?quarter=2028Q1", headers=headers)
    ).json()
    assert document["quarter"] == "2028Q1"
    assert len(document["evchart_sessions"]) == 2
    warnings = document["validation"]["warnings"]
    assert {(w["row"], w["field"]) for w in warnings} == {(1, "energy_kwh")}  # kept, flagged
    assert document["validation"]["specification"].startswith("EV Charging Use Data")
    bad = await api.client.get("/api/reliability/reports/nevi?quarter=2028Q5", headers=headers)
    assert bad.status_code == 422
    kpis = await api.client.get(
        "/api/reliability/kpis?dimension=station&since=2028-01-01T00:00:00Z&until=2028-02-01T00:00:00Z",
        headers=headers,
    )
    (row,) = kpis.json()
    assert (row["attempts"], row["visits"], row["first_attempt_success_rate"]) == (2, 1, 0.0)
    assert row["failed_visit_rate"] == 0.0


async def test_an_export_that_fails_the_specification_is_refused(api: Api) -> None:
    """A station whose clock jumped back: it stopped the session before it started it. No file
    is written, and the refusal says which file, row, field and value."""
    await api.services.network.add_token(TokenRecord("CARD", TokenKind.RFID))
    base = datetime(2028, 1, 10, 12, 0, tzinfo=UTC)
    await _session(api, "CS-A", "CARD", base, 5_000.0, StopReason.LOCAL, minutes=-5)
    headers = api.auth(Role.VIEWER)
    for file in ("json", "sessions", "evchart_sessions"):
        refused = await api.client.get(
            f"/api/reliability/reports/nevi?quarter=2028Q1&file={file}", headers=headers
        )
        assert refused.status_code == 409, refused.text
        assert refused.headers["content-type"].startswith("application/problem+json")
        detail = refused.json()["detail"]
        assert (
            "evchart_sessions.csv row 1 plug_end_datetime='2028-01-10T11:55:00Z': before plug_start"
            in detail
        )
        assert "clock skew" in detail
        assert "session_duration" not in detail  # no "-1:55:00", no "required, but empty"
