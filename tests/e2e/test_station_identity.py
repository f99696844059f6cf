"""One station id rule at the websocket, the API and self-registration; a cap on pending ones."""

from __future__ import annotations

import re
from pathlib import Path

import httpx
import pytest
import websockets
from websockets.asyncio.client import connect

from forecourt.domain.stations import Station
from tests.support.server import RunningServer, running_server

#: URL path segments (percent-encoded as a station would send them) that are no OCPP identity.
BAD_IDS = {
    "too long": "L" * 49,
    "8,000 characters": "L" * 8000,
    "NUL": "a%00b",
    "CR/LF": "a%0D%0Ab",
    "tab": "a%09b",
    "colon": "a%3Ab",
    "space": "a%20b",
    "html": "%3Cscript%3Ealert(1)%3C",
    "non-ascii": "caf%C3%A9",
}


async def handshake_status(server: RunningServer, segment: str) -> int:
    """The HTTP status of the handshake's answer (101 when the station is admitted)."""
    try:
        async with connect(f"{server.ws_url}/{segment}", subprotocols=["ocpp1.6"]):  # type: ignore[list-item]
            return 101
    except websockets.exceptions.InvalidStatus as refused:
        return refused.response.status_code


async def api(server: RunningServer) -> httpx.AsyncClient:
    key, _ = await server.forecourt.services.api_keys.create("ops")
    return httpx.AsyncClient(base_url=server.http_url, headers={"Authorization": f"Bearer {key}"})


async def station_ids(client: httpx.AsyncClient) -> list[str]:
    return sorted(s["id"] for s in (await client.get("/api/stations")).json())


async def refused_metric(client: httpx.AsyncClient, reason: str) -> float:
    text = (await client.get("/metrics")).text
    found = re.search(
        rf'forecourt_station_registrations_refused_total{{reason="{reason}"}} (\S+)', text
    )
    return float(found.group(1)) if found else 0.0


async def test_self_registration_refuses_what_is_no_ocpp_identity(tmp_path: Path) -> None:
    async with running_server(tmp_path, registration_policy="pending") as server:
        statuses = {name: await handshake_status(server, seg) for name, seg in BAD_IDS.items()}
        assert statuses == dict.fromkeys(BAD_IDS, 400)
        assert await handshake_status(server, "Good_ID-1.a*b=c+d|e@f") == 101
        async with await api(server) as client:
            assert await station_ids(client) == ["Good_ID-1.a*b=c+d|e@f"]
            assert await refused_metric(client, "invalid_id") == len(BAD_IDS)


@pytest.mark.parametrize("bad", ["a:b", "a\tb", "<b>x</b>", "L" * 49, "caf\u00e9", ""])
async def test_the_api_applies_the_same_rule(tmp_path: Path, bad: str) -> None:
    async with running_server(tmp_path) as server, await api(server) as client:
        created = await client.post("/api/stations", json={"id": bad})
        assert created.status_code == 422
        assert await station_ids(client) == []


async def test_ids_differing_only_in_case_are_one_identity(tmp_path: Path) -> None:
    async with running_server(tmp_path, registration_policy="pending") as server:
        assert await handshake_status(server, "sec-a") == 101
        assert await handshake_status(server, "SEC-A") == 401
        async with await api(server) as client:
            created = await client.post("/api/stations", json={"id": "Sec-A"})
            assert created.status_code == 409
            assert "differs only in letter case from station 'sec-a'" in created.json()["detail"]
            assert await station_ids(client) == ["sec-a"]
            assert await refused_metric(client, "id_case_clash") == 1
        assert await handshake_status(server, "sec-a") == 101  # the exact id still connects


async def test_pending_registrations_are_capped_until_an_operator_decides(tmp_path: Path) -> None:
    async with running_server(
        tmp_path, registration_policy="pending", max_pending_stations=2
    ) as server:
        assert [await handshake_status(server, f"P-{n}") for n in (1, 2)] == [101, 101]
        assert await handshake_status(server, "P-3") == 503
        assert await handshake_status(server, "P-1") == 101  # known stations still connect
        async with await api(server) as client:
            assert await station_ids(client) == ["P-1", "P-2"]
            assert await refused_metric(client, "pending_full") == 1
            approved = await client.patch("/api/stations/P-1", json={"registration": "accepted"})
            assert approved.status_code == 200
            assert await handshake_status(server, "P-3") == 101
            assert await station_ids(client) == ["P-1", "P-2", "P-3"]


async def test_a_station_stored_before_the_rule_still_connects(tmp_path: Path) -> None:
    async with running_server(tmp_path) as server:
        async with server.forecourt.database.unit_of_work() as uow:
            await uow.stations.add(Station("old station"))  # written before the rule existed
            await uow.commit()
        assert await handshake_status(server, "old%20station") == 101
        assert await handshake_status(server, "new%20station") == 400
