"""Admission at the websocket edge, end to end: password guessing is throttled per address and
per station id, the real station keeps connecting from its usual address, and reconnect loops
wait. Loopback has many addresses (127.0.0.0/8): clients bind 127.0.0.x to look like different
sources."""

from __future__ import annotations

import asyncio
import logging
from pathlib import Path

import httpx
import pytest
import websockets
from websockets.asyncio.client import connect

from forecourt.domain.events import StationEventKind
from tests.e2e.conftest import basic_auth
from tests.support.server import RunningServer, running_server

STATION, PASSWORD = "CP-ADMIT-1", "the-right-password-123"
STATION_ADDRESS, ATTACKER, ELSEWHERE = "127.0.0.1", "127.0.0.2", "127.0.0.3"


async def attempt(server: RunningServer, password: str, source: str, station: str = STATION) -> int:
    """Status of one handshake from ``source``: 101 when admitted."""
    try:
        async with connect(
            f"{server.ws_url}/{station}",
            subprotocols=[websockets.Subprotocol("ocpp1.6")],
            additional_headers=basic_auth(station, password),
            local_addr=(source, 0),
            open_timeout=10,
        ):
            return 101
    except websockets.exceptions.InvalidStatus as refused:
        return refused.response.status_code


def metric(text: str, name: str, **labels: str) -> float:
    wanted = name + ("{" + ",".join(f'{k}="{v}"' for k, v in labels.items()) + "}")
    for line in text.splitlines():
        if line.startswith(wanted + " "):
            return float(line.split()[-1])
    return 0.0


async def metrics_text(server: RunningServer) -> str:
    async with httpx.AsyncClient() as client:
        return (await client.get(f"{server.http_url}/metrics")).text


async def test_guessing_is_throttled_while_the_station_keeps_connecting(tmp_path: Path) -> None:
    async with running_server(
        tmp_path, login_failures_before_backoff=3, login_backoff_initial=60.0
    ) as server:
        await server.forecourt.services.network.add_station(STATION, password=PASSWORD)
        assert await attempt(server, PASSWORD, STATION_ADDRESS) == 101  # its usual address

        guesses = [await attempt(server, f"guess-{i}", ATTACKER) for i in range(6)]
        # three wrong answers, then refused before any password check
        assert guesses == [401, 401, 401, 429, 429, 429]
        assert await attempt(server, PASSWORD, ATTACKER) == 429  # even the right one, from there
        assert await attempt(server, PASSWORD, ELSEWHERE) == 429  # the id is throttled too
        assert await attempt(server, PASSWORD, STATION_ADDRESS) == 101  # but not the station

        text = await metrics_text(server)
        assert metric(text, "forecourt_gateway_refused_total", reason="bad_credentials") == 3
        assert metric(text, "forecourt_gateway_refused_total", reason="throttled_address") == 4
        assert metric(text, "forecourt_gateway_refused_total", reason="throttled_station") == 1
        assert metric(text, "forecourt_gateway_login_backoffs_total", scope="address") == 1
        assert metric(text, "forecourt_gateway_login_backoffs_total", scope="station") == 1
        events = await server.forecourt.services.network.station_events(
            STATION, StationEventKind.SECURITY
        )
        assert [e.data["type"] for e in events] == ["CsmsLoginThrottled"] * 2


async def test_throttled_refusal_says_when_to_retry(tmp_path: Path) -> None:
    async with running_server(
        tmp_path, login_failures_before_backoff=1, login_backoff_initial=30.0
    ) as server:
        await server.forecourt.services.network.add_station(STATION, password=PASSWORD)
        assert await attempt(server, "wrong", ATTACKER) == 401
        with pytest.raises(websockets.exceptions.InvalidStatus) as refused:
            async with connect(
                f"{server.ws_url}/{STATION}",
                subprotocols=[websockets.Subprotocol("ocpp1.6")],
                additional_headers=basic_auth(STATION, "wrong"),
                local_addr=(ATTACKER, 0),
            ):
                pass
        assert refused.value.response.status_code == 429
        assert 1 <= int(refused.value.response.headers["Retry-After"]) <= 30


async def test_username_other_than_the_station_id_counts_as_a_failure(tmp_path: Path) -> None:
    async with running_server(tmp_path, login_failures_before_backoff=2) as server:
        await server.forecourt.services.network.add_station(STATION, password=PASSWORD)
        statuses = []
        for _ in range(3):
            try:
                async with connect(
                    f"{server.ws_url}/{STATION}",
                    subprotocols=[websockets.Subprotocol("ocpp1.6")],
                    additional_headers=basic_auth("someone-else", PASSWORD),
                    local_addr=(ATTACKER, 0),
                ):
                    statuses.append(101)
            except websockets.exceptions.InvalidStatus as refused:
                statuses.append(refused.response.status_code)
        assert statuses == [401, 401, 429]


async def test_a_station_reconnecting_in_a_loop_waits(tmp_path: Path) -> None:
    async with running_server(tmp_path, station_reconnects_per_minute=3) as server:
        await server.forecourt.services.network.add_station(STATION, password=PASSWORD)
        statuses = [await attempt(server, PASSWORD, STATION_ADDRESS) for _ in range(4)]
        assert statuses == [101, 101, 101, 429]
        text = await metrics_text(server)
        assert metric(text, "forecourt_gateway_refused_total", reason="reconnecting_too_often") == 1


async def test_a_refused_handshake_logs_one_line_and_no_error(
    tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    async with running_server(tmp_path) as server:
        await server.forecourt.services.network.add_station(STATION, password=PASSWORD)
        caplog.clear()
        with caplog.at_level(logging.INFO):
            assert await attempt(server, "wrong", ATTACKER) == 401
        refusals = [r for r in caplog.records if "refused" in r.getMessage()]
        assert len(refusals) == 1
        assert refusals[0].levelno == logging.WARNING
        assert [r.getMessage() for r in caplog.records if r.levelno >= logging.ERROR] == []
        assert not [r for r in caplog.records if "WebSocket /ocpp" in r.getMessage()]


async def test_newcomers_wait_their_turn_and_beyond_the_queue_are_refused(tmp_path: Path) -> None:
    async with running_server(
        tmp_path, registration_policy="auto", max_handshakes_per_second=2.0, max_queued_handshakes=1
    ) as server:
        # stations not stored yet: one at a time, each waits for its turn (half a second apart)
        ids = iter(f"CP-NEW-{n}" for n in range(100))
        firsts = [await attempt(server, PASSWORD, STATION_ADDRESS, next(ids)) for _ in range(3)]
        assert firsts == [101] * 3
        await asyncio.sleep(0.6)  # past the last turn
        # at once: two fit (the one whose turn it is, one queued), the rest are refused
        burst = await asyncio.gather(
            *(attempt(server, PASSWORD, STATION_ADDRESS, next(ids)) for _ in range(4))
        )
        assert sorted(burst) == [101, 101, 503, 503]
        text = await metrics_text(server)
        assert metric(text, "forecourt_gateway_refused_total", reason="busy") == 2
