"""The load-management API over HTTP (ASGI) and the rebalance it drives, on real SQLite.

Stations answer through a scripted gateway (a fake at our own port), so refusals, CALLERRORs
and messages per change are exact.
"""

from __future__ import annotations

from collections.abc import AsyncIterator
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import httpx
import pytest
from fastapi import FastAPI

from forecourt.api.install import install_api
from forecourt.bootstrap import build_services, open_database
from forecourt.bus.inprocess import InProcessBus
from forecourt.domain.charging_profiles import ProfileKind, ProfilePurpose, RateUnit
from forecourt.domain.commands import (
    CommandKind,
    CommandResult,
    CommandStatus,
    SetChargingProfile,
)
from forecourt.domain.connectors import ConnectorRating, ConnectorType, PowerType
from forecourt.domain.events import StationEventKind
from forecourt.domain.stations import ProtocolVersion, Site
from forecourt.domain.tokens import IdToken, TokenRecord
from forecourt.features import FEATURES
from forecourt.services.access import Role
from forecourt.services.core import Services
from forecourt.services.network import ConnectorSpec
from forecourt.services.transactions import TransactionStart
from forecourt.smart_charging.keys import SMART_CHARGING
from tests.api.fakes import ScriptedGateway
from tests.support.harness import SteppingClock

NOW = datetime(2026, 12, 7, 9, 0, tzinfo=UTC)
SITE = "DEPOT"


@dataclass
class Api:
    client: httpx.AsyncClient
    services: Services
    gateway: ScriptedGateway
    keys: dict[Role, str]

    def auth(self, role: Role = Role.OPERATOR) -> dict[str, str]:
        return {"Authorization": f"Bearer {self.keys[role]}"}

    async def put(self, path: str, body: dict[str, Any], role: Role = Role.OPERATOR) -> Any:
        return await self.client.put(path, json=body, headers=self.auth(role))

    def profiles_sent(self) -> list[tuple[str, SetChargingProfile]]:
        return [(s, c) for s, c, _ in self.gateway.sent if isinstance(c, SetChargingProfile)]


@pytest.fixture
async def api(tmp_path: Path) -> AsyncIterator[Api]:
    database = open_database(f"sqlite:///{tmp_path / 'load.db'}")
    await database.migrate()
    gateway = ScriptedGateway(connected={"AC-1", "DC-1"})
    services = build_services(database, gateway, clock=SteppingClock(NOW), bus=InProcessBus())
    keys = {role: (await services.api_keys.create(f"{role.value}-key", role))[0] for role in Role}
    await services.network.add_site(Site(SITE, "Depot"))
    await services.network.add_site(Site("EMPTY", "Nothing here"))
    dc = ConnectorRating.from_limits(PowerType.DC, 1000, 500, 150_000)
    ac = ConnectorRating.from_limits(PowerType.AC_3_PHASE, 400, 32)
    plugs = (("DC-1", ConnectorType.CCS1, dc), ("AC-1", ConnectorType.TYPE2, ac))
    for station, plug, rating in plugs:
        await services.network.add_station(station, site_id=SITE)
        await services.network.set_connector(station, ConnectorSpec(1, 1, plug, rating))
        async with services.ctx.uow() as uow:
            await uow.stations.set_connected(station, True, NOW)
            await uow.commit()
    app = FastAPI()
    install_api(app, services, features=FEATURES)
    transport = httpx.ASGITransport(app=app, raise_app_exceptions=False)
    async with httpx.AsyncClient(transport=transport, base_url="http://forecourt.test") as client:
        yield Api(client, services, gateway, keys)
    await database.dispose()


async def start(api: Api, station: str, token: str) -> str:
    await api.services.network.add_token(TokenRecord(token))
    outcome = await api.services.core.transactions.start(
        station, TransactionStart(1, 1, NOW, IdToken(token), 0.0)
    )
    assert outcome.transaction is not None
    return outcome.transaction.station_tx_id


async def test_a_limit_rebalances_and_sends_one_profile_per_session(api: Api) -> None:
    ac_tx = await start(api, "AC-1", "TAG-1")
    dc_tx = await start(api, "DC-1", "TAG-2")

    answer = await api.put(f"/api/sites/{SITE}/load", {"limit": 30_000})

    assert answer.status_code == 200, answer.text
    load = answer.json()
    assert load["limit_now_w"] == 30_000
    assert [(a["station_id"], a["planned_w"], a["status"]) for a in load["allocations"]] == [
        ("AC-1", 15_000.0, "accepted"),
        ("DC-1", 15_000.0, "accepted"),
    ]
    sent = dict(api.profiles_sent())
    ac, dc = sent["AC-1"].profile, sent["DC-1"].profile
    # AC in amps per phase (15 kW / (230 V x 3) = 21.7 A), DC in watts; both for the session
    assert (ac.schedule.unit, ac.schedule.periods[0].limit) == (RateUnit.AMPS, 21.7)
    assert (dc.schedule.unit, dc.schedule.periods[0].limit) == (RateUnit.WATTS, 15_000.0)
    assert (ac.purpose, ac.kind, ac.station_tx_id) == (
        ProfilePurpose.TX,
        ProfileKind.RELATIVE,
        ac_tx,
    )
    assert dc.station_tx_id == dc_tx
    # the AC allocation is what the station can apply: 21.7 A, not the 15 kW planned
    assert load["allocations"][0]["accepted_w"] == pytest.approx(21.7 * 230 * 3)

    # nothing changed: a second rebalance sends nothing
    before = len(api.profiles_sent())
    assert (
        await api.client.post(f"/api/sites/{SITE}/load/rebalance", headers=api.auth())
    ).status_code == 200
    assert len(api.profiles_sent()) == before


@pytest.mark.parametrize(
    ("answer", "kind"),
    [
        (CommandResult(CommandStatus.REJECTED), "rejected"),
        (CommandResult(CommandStatus.CALL_ERROR, error="InternalError"), "call_error"),
        (CommandResult(CommandStatus.TIMEOUT), "timeout"),
    ],
)
async def test_refusals_are_recorded_and_resent_next_time(
    api: Api, answer: CommandResult, kind: str
) -> None:
    await start(api, "DC-1", "TAG-1")
    api.gateway.answers[CommandKind.SET_CHARGING_PROFILE] = answer

    load = (await api.put(f"/api/sites/{SITE}/load", {"limit": 50_000})).json()

    [allocation] = [a for a in load["allocations"] if a["station_id"] == "DC-1"]
    assert (allocation["status"], allocation["accepted_w"]) == (kind, None)
    assert kind in [e["kind"] for e in load["events"]]
    del api.gateway.answers[CommandKind.SET_CHARGING_PROFILE]
    before = len(api.profiles_sent())
    load = (await api.client.post(f"/api/sites/{SITE}/load/rebalance", headers=api.auth())).json()
    assert len(api.profiles_sent()) == before + 1  # never accepted: sent again
    assert [a["status"] for a in load["allocations"] if a["station_id"] == "DC-1"] == ["accepted"]


async def test_evse_settings_and_priorities_shape_the_allocation(api: Api) -> None:
    await start(api, "AC-1", "TAG-1")
    await start(api, "DC-1", "TAG-2")
    answer = await api.client.put(
        "/api/stations/DC-1/evses/1/load",
        json={"priority": 5, "max_w": 40_000},
        headers=api.auth(),
    )
    assert answer.status_code == 204, answer.text
    load = (
        await api.put(f"/api/sites/{SITE}/load", {"limit": 50_000, "policy": "priority"})
    ).json()
    planned = {a["station_id"]: a["planned_w"] for a in load["allocations"]}
    assert planned == {"DC-1": 40_000.0, "AC-1": 10_000.0}


async def test_a_signal_lowers_the_limit_until_it_ends(api: Api) -> None:
    await start(api, "DC-1", "TAG-1")
    await api.put(f"/api/sites/{SITE}/load", {"limit": 100, "unit": "A"})
    answer = await api.client.post(
        f"/api/sites/{SITE}/load/signal",
        json={"limit": 40, "until": "2026-12-07T11:00:00+01:00", "source": "utility-dr"},
        headers=api.auth(),
    )
    assert answer.status_code == 200, answer.text
    load = answer.json()
    assert load["limit_now_w"] == 40 * 230 * 3
    assert load["signal"]["source"] == "utility-dr"
    assert [a["planned_w"] for a in load["allocations"] if a["station_id"] == "DC-1"] == [27_600.0]


async def test_listing_and_clearing(api: Api) -> None:
    await api.put(f"/api/sites/{SITE}/load", {"limit": 10_000})
    listed = (await api.client.get("/api/load/sites", headers=api.auth(Role.VIEWER))).json()
    assert [s["site_id"] for s in listed] == [SITE]
    answer = await api.client.delete(f"/api/sites/{SITE}/load", headers=api.auth())
    assert answer.status_code == 204
    answer = await api.client.get(f"/api/sites/{SITE}/load", headers=api.auth(Role.VIEWER))
    assert answer.status_code == 404


BAD = [
    ("PUT", "/api/sites/NOPE/load", {"limit": 1}, Role.OPERATOR, 404),
    ("PUT", f"/api/sites/{SITE}/load", {"limit": -1}, Role.OPERATOR, 422),
    ("PUT", f"/api/sites/{SITE}/load", {"limit": 1, "unit": "kW"}, Role.OPERATOR, 422),
    ("PUT", f"/api/sites/{SITE}/load", {"limit": 1, "phases": 4}, Role.OPERATOR, 422),
    ("PUT", f"/api/sites/{SITE}/load", {"limit": 1, "policy": "random"}, Role.OPERATOR, 422),
    ("PUT", f"/api/sites/{SITE}/load", {"limit": 1, "surprise": 1}, Role.OPERATOR, 422),
    (
        "PUT",
        f"/api/sites/{SITE}/load",
        {"limit": 1, "windows": [{"start_minute": 600, "end_minute": 60, "limit": 1}]},
        Role.OPERATOR,
        422,
    ),
    ("PUT", f"/api/sites/{SITE}/load", {"limit": 1}, Role.VIEWER, 403),
    ("GET", "/api/sites/EMPTY/load", None, Role.VIEWER, 404),
    ("DELETE", "/api/sites/EMPTY/load", None, Role.OPERATOR, 404),
    ("POST", "/api/sites/EMPTY/load/signal", {"limit": 1, "until": "2030-01-01T00:00:00Z"},
     Role.OPERATOR, 404),
    ("POST", f"/api/sites/{SITE}/load/signal", {"limit": 1, "until": "2030-01-01T00:00:00"},
     Role.OPERATOR, 422),
    ("PUT", "/api/stations/DC-1/evses/0/load", {}, Role.OPERATOR, 422),
    ("PUT", "/api/stations/DC-1/evses/9/load", {}, Role.OPERATOR, 404),
    ("PUT", "/api/stations/DC-1/evses/1/load", {"max_w": 0}, Role.OPERATOR, 422),
]  # fmt: skip


@pytest.mark.parametrize(("method", "path", "body", "role", "status"), BAD)
async def test_bad_requests_get_precise_problems(
    api: Api, method: str, path: str, body: dict[str, Any] | None, role: Role, status: int
) -> None:
    answer = await api.client.request(method, path, json=body, headers=api.auth(role))
    assert answer.status_code == status, answer.text
    assert answer.headers["content-type"].startswith("application/problem+json")


async def test_without_a_key_nothing_is_shown(api: Api) -> None:
    answer = await api.client.get(f"/api/sites/{SITE}/load")
    assert answer.status_code == 401


async def test_the_service_is_found_through_its_key(api: Api) -> None:
    assert api.services.feature(SMART_CHARGING).retry_s > 0


async def test_a_cars_stated_needs_cap_its_share(api: Api) -> None:
    """2.0.1 NotifyEVChargingNeeds (kept as a station event) says what the car can take."""
    async with api.services.ctx.uow() as uow:
        await uow.stations.set_connected("DC-1", True, NOW, ProtocolVersion.V201)
        await uow.commit()
    await start(api, "AC-1", "TAG-1")
    await start(api, "DC-1", "TAG-2")
    needs = {"evse_id": 1, "transfer": "DC", "max_current_a": 100, "max_voltage_v": 400}
    await api.services.core.records.record("DC-1", StationEventKind.EV_CHARGING_NEEDS, needs)

    load = (await api.put(f"/api/sites/{SITE}/load", {"limit": 80_000})).json()

    planned = {a["station_id"]: (a["planned_w"], a["reason"]) for a in load["allocations"]}
    assert planned == {"DC-1": (40_000.0, "car_limit"), "AC-1": (38_400.0, "share")}
