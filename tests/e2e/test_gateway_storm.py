"""Reconnect storms over a real server: what a reconnect costs (no scrypt for a password already
verified, a full one for every guess) and the boot intervals handed out right after start-up."""

from __future__ import annotations

import asyncio
import json
from pathlib import Path

import pytest
import websockets
from websockets.asyncio.client import connect
from websockets.exceptions import InvalidStatus

from forecourt.services.credentials import scrypt_checks
from tests.e2e.conftest import basic_auth
from tests.support.server import RunningServer, running_server

STATION, PASSWORD = "CP-STORM-1", "storm-station-password-1"
V16 = [websockets.Subprotocol("ocpp1.6")]
BOOT = json.dumps(
    [2, "b", "BootNotification", {"chargePointVendor": "Storm", "chargePointModel": "S1"}]
)


async def login(ws_url: str, password: str, station: str = STATION) -> int:
    """HTTP status of a handshake: 101 when admitted."""
    try:
        async with connect(
            f"{ws_url}/{station}",
            subprotocols=V16,
            additional_headers=basic_auth(station, password),
        ):
            return 101
    except InvalidStatus as refused:
        return refused.response.status_code


async def boot_interval(ws_url: str, station: str) -> int:
    async with connect(f"{ws_url}/{station}", subprotocols=V16) as ws:
        await ws.send(BOOT)
        answer = json.loads(await ws.recv())
    assert answer[2]["status"] == "Accepted"
    return int(answer[2]["interval"])


async def test_a_verified_password_costs_no_scrypt_and_every_guess_costs_one(
    tmp_path: Path,
) -> None:
    async with running_server(tmp_path) as server:
        await server.forecourt.services.network.add_station(STATION, password=PASSWORD)
        before = scrypt_checks()
        assert await login(server.ws_url, PASSWORD) == 101
        assert scrypt_checks() == before + 1  # the first login after start checks it fully
        for _ in range(3):
            assert await login(server.ws_url, PASSWORD) == 101
        assert scrypt_checks() == before + 1  # reconnects: remembered
        for n in range(3):
            assert await login(server.ws_url, f"{PASSWORD}-guess-{n}") == 401
            assert scrypt_checks() == before + 2 + n  # each guess: a full scrypt
        assert await login(server.ws_url, PASSWORD) == 101
        assert scrypt_checks() == before + 4  # guesses did not evict the right password


async def test_a_password_change_forgets_the_verified_password(tmp_path: Path) -> None:
    async with running_server(tmp_path) as server:
        network = server.forecourt.services.network
        await network.add_station(STATION, password=PASSWORD)
        assert await login(server.ws_url, PASSWORD) == 101
        await network.update_station(STATION, password="the-new-station-password")
        before = scrypt_checks()
        assert await login(server.ws_url, PASSWORD) == 401
        assert await login(server.ws_url, "the-new-station-password") == 101
        assert await login(server.ws_url, "the-new-station-password") == 101
        assert scrypt_checks() == before + 2


async def test_boots_right_after_start_get_intervals_spread_below_the_configured_one(
    tmp_path: Path,
) -> None:
    async with running_server(
        tmp_path,
        registration_policy="auto",
        heartbeat_interval=300,
        boot_interval_jitter=0.5,
        boot_interval_jitter_window=3600.0,
    ) as server:
        intervals = [await boot_interval(server.ws_url, f"CP-JITTER-{n}") for n in range(12)]
    assert all(150 <= interval <= 300 for interval in intervals), intervals
    # twelve draws from 151 values all equal: about 1e-26, never by chance
    assert len(set(intervals)) > 1, intervals


@pytest.mark.parametrize(
    ("jitter", "window"), [(0.5, 0.0), (0.0, 3600.0)], ids=["window-over", "jitter-off"]
)
async def test_without_jitter_boots_get_the_configured_interval(
    tmp_path: Path, jitter: float, window: float
) -> None:
    async with running_server(
        tmp_path,
        registration_policy="auto",
        heartbeat_interval=300,
        boot_interval_jitter=jitter,
        boot_interval_jitter_window=window,
    ) as server:
        intervals = [await boot_interval(server.ws_url, f"CP-EXACT-{n}") for n in range(3)]
    assert intervals == [300, 300, 300]


async def stored_hash(server: RunningServer) -> str:
    station = await server.forecourt.services.network.station(STATION)
    assert station.password_hash is not None
    return station.password_hash


async def test_after_a_restart_a_verified_password_costs_no_scrypt(tmp_path: Path) -> None:
    async with running_server(tmp_path) as server:
        await server.forecourt.services.network.add_station(STATION, password=PASSWORD)
        assert await login(server.ws_url, PASSWORD) == 101
        stored = await stored_hash(server)
    assert stored.startswith("scrypt$")
    assert "$b2$" in stored
    assert PASSWORD not in stored
    async with running_server(tmp_path) as server:  # the same database, a new process state
        before = scrypt_checks()
        assert await login(server.ws_url, PASSWORD) == 101
        assert scrypt_checks() == before  # the stored verifier, not scrypt
        assert await login(server.ws_url, f"{PASSWORD}-guess") == 401
        assert scrypt_checks() == before + 1  # a guess: a full scrypt, restart or not
        await server.forecourt.services.network.update_station(STATION, password="new-password-2")
        assert await login(server.ws_url, PASSWORD) == 401  # the old verifier is gone
        assert await login(server.ws_url, "new-password-2") == 101
        assert scrypt_checks() == before + 3


async def test_a_new_secret_key_makes_stored_verifiers_stale(tmp_path: Path) -> None:
    async with running_server(tmp_path, secret_key="first-secret-key-0123456789") as server:
        await server.forecourt.services.network.add_station(STATION, password=PASSWORD)
        assert await login(server.ws_url, PASSWORD) == 101
    async with running_server(tmp_path, secret_key="second-secret-key-0123456789") as server:
        before = scrypt_checks()
        assert await login(server.ws_url, PASSWORD) == 101
        assert scrypt_checks() == before + 1  # stale under the new key: checked fully ...
    async with running_server(tmp_path, secret_key="second-secret-key-0123456789") as server:
        assert await login(server.ws_url, PASSWORD) == 101
        assert scrypt_checks() == before + 1  # ... and stored afresh


async def test_stored_stations_skip_the_pace_and_the_queue_cap_that_newcomers_meet(
    tmp_path: Path,
) -> None:
    known = [f"CP-KNOWN-{n}" for n in range(6)]
    async with running_server(tmp_path) as server:
        for station in known:
            await server.forecourt.services.network.add_station(station, password=PASSWORD)
    caps = {"max_handshakes_per_second": 2.0, "max_queued_handshakes": 1}
    async with running_server(tmp_path, registration_policy="auto", **caps) as server:
        # a restart: every stored station reconnects at once
        burst = await asyncio.gather(*(login(server.ws_url, PASSWORD, s) for s in known))
        assert burst == [101] * 6
        # the control: as many stations never seen before, at once, meet both caps
        newcomers = [f"CP-NEWCOMER-{n}" for n in range(6)]
        burst = await asyncio.gather(*(login(server.ws_url, PASSWORD, s) for s in newcomers))
        assert sorted(burst) == [101, 101, 503, 503, 503, 503]
        # admitted once, a newcomer is known: its reconnects are not paced either
        admitted = [s for s, status in zip(newcomers, burst, strict=True) if status == 101]
        again = await asyncio.gather(*(login(server.ws_url, PASSWORD, s) for s in admitted * 3))
        assert again == [101] * 6
