"""Simultaneous reservations of one EVSE through HTTP on PostgreSQL (the database cluster
nodes share): the clash check and the insert are one step, so exactly one is made and every
other request gets 409, however the requests interleave."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from datetime import UTC, datetime, timedelta

import httpx
import pytest
from fastapi import FastAPI

from forecourt.api.install import install_api
from forecourt.bootstrap import build_services, open_database
from forecourt.bus.inprocess import InProcessBus
from forecourt.domain.connectors import ConnectorType
from forecourt.domain.tokens import TokenRecord
from forecourt.features import FEATURES
from forecourt.services.access import Role
from forecourt.services.network import ConnectorSpec
from tests.api.conftest import ApiRig
from tests.api.fakes import ScriptedGateway
from tests.support.cluster import fresh_postgres
from tests.support.harness import SteppingClock

pytestmark = [pytest.mark.asyncio, pytest.mark.postgres]

STATION = "CP-RACE-1"
CARDS = [f"CARD-{n:04d}" for n in range(6)]


@pytest.fixture
async def pg_rig() -> AsyncIterator[ApiRig]:
    async with fresh_postgres() as url:
        database = open_database(url)
        gateway = ScriptedGateway({STATION})
        services = build_services(database, gateway, clock=SteppingClock(), bus=InProcessBus())
        await services.network.add_station(STATION)
        for evse in (1, 2):
            spec = ConnectorSpec(evse, 1, ConnectorType.CCS1)
            await services.network.set_connector(STATION, spec)
        for card in CARDS:
            await services.network.add_token(TokenRecord(card))
        key, _ = await services.api_keys.create("admin-key", Role.ADMIN)
        app = FastAPI()
        install_api(app, services, live_status=gateway.connected_ids, features=FEATURES)
        transport = httpx.ASGITransport(app=app, raise_app_exceptions=False)
        try:
            async with httpx.AsyncClient(transport=transport, base_url="http://fc.test") as client:
                yield ApiRig(client, services, gateway, {Role.ADMIN: key})
        finally:
            await database.dispose()


async def reserve_at_once(rig: ApiRig, evse_ids: list[int]) -> list[httpx.Response]:
    """One request per EVSE id, each for another card, all in flight together."""
    expires = (datetime.now(UTC) + timedelta(minutes=30)).isoformat()
    bodies = [
        {"station_id": STATION, "id_token": card, "expires_at": expires, "evse_id": evse}
        for card, evse in zip(CARDS, evse_ids, strict=False)
    ]
    posts = (rig.client.post("/api/reservations", json=b, headers=rig.auth()) for b in bodies)
    return list(await asyncio.gather(*posts))


async def listed(rig: ApiRig) -> list[dict[str, object]]:
    answer = await rig.client.get(
        "/api/reservations", params={"station_id": STATION}, headers=rig.auth()
    )
    made: list[dict[str, object]] = answer.json()
    return made


async def test_simultaneous_reservations_of_one_evse_make_exactly_one(pg_rig: ApiRig) -> None:
    answers = await reserve_at_once(pg_rig, [1, 1, 1, 1])
    codes = sorted(answer.status_code for answer in answers)
    assert codes == [201, 409, 409, 409], [a.text for a in answers]
    made = await listed(pg_rig)
    assert [(r["evse_id"], r["state"]) for r in made] == [(1, "active")]


async def test_a_whole_station_reservation_races_an_evse_one(pg_rig: ApiRig) -> None:
    """EVSEs 1 and 2 do not clash with each other; the whole station clashes with both."""
    answers = await reserve_at_once(pg_rig, [0, 1, 2])
    made = sorted(int(str(r["evse_id"])) for r in await listed(pg_rig))
    assert made in ([0], [1, 2]), made
    assert sorted(a.status_code for a in answers) == sorted(
        [201] * len(made) + [409] * (3 - len(made))
    )
