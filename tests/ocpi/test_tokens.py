"""Tokens end to end: the eMSP pushes tokens and answers real-time authorization; simulated
stations present them over real OCPP 2.0.1 and our one authorization rule decides."""

from __future__ import annotations

from typing import Any

import httpx
import pytest

from forecourt.domain.transactions import Transaction
from forecourt.simulator import SimulatedStation
from tests.ocpi.conftest import add_site, eventually, registered, roaming, simulated
from tests.ocpi.emsp import Emsp, running_emsp, token_header
from tests.support.server import RunningServer


async def tap(station: SimulatedStation, uid: str) -> str:
    """An OCPP 2.0.1 Authorize for an RFID card; the status the CSMS answered."""
    answer = await station.call("Authorize", {"idToken": {"idToken": uid, "type": "ISO14443"}})
    return str(answer["idTokenInfo"]["status"])


async def stored(server: RunningServer, uid: str) -> dict[str, Any] | None:
    party = (await roaming(server.forecourt.services).credentials.parties())[0]
    from forecourt.ocpi.domain.tokens import TokenType

    found = await roaming(server.forecourt.services).tokens.get(
        party, "NL", "EMS", uid, TokenType.RFID
    )
    return None if found is None else found.raw


@pytest.mark.parametrize("version", ["2.2.1", "2.3.0"])
async def test_pushed_token_starts_a_session_without_asking(
    server: RunningServer, version: str
) -> None:
    async with running_emsp([version]) as emsp:
        await registered(server, emsp)
        await add_site(server.forecourt.services, "SITE-1", "CS-1")
        answer = await emsp.push_token(emsp.issue("04A1B2C3D4E5F6", "ALWAYS"))
        assert answer.json()["status_code"] == 1000
        async with simulated(server, "CS-1") as station:
            session = station.start_session(1, id_token="04A1B2C3D4E5F6")
            assert session is not None
            started = await eventually(lambda: _active(server, "04A1B2C3D4E5F6"))
            assert started.station_id == "CS-1"
            await station.stop_session(1, timeout=30)
        assert emsp.authorize_calls == []  # ALWAYS: the pushed copy decides


async def _active(server: RunningServer, uid: str) -> Transaction | None:
    async with server.forecourt.services.ctx.uow() as uow:
        found = await uow.transactions.active_for_tokens([uid])
    return found[0] if found else None


async def test_unknown_token_is_authorized_in_real_time_and_cached(server: RunningServer) -> None:
    async with running_emsp(["2.3.0"]) as emsp:
        await registered(server, emsp)
        await add_site(server.forecourt.services, "SITE-1", "CS-1")
        emsp.issue("RT000001")  # issued, never pushed
        emsp.allowed["RT000002"] = "BLOCKED"
        emsp.issue("RT000002")
        async with simulated(server, "CS-1") as station:
            assert await tap(station, "RT000001") == "Accepted"
            assert await tap(station, "RT000001") == "Accepted"
            assert emsp.authorize_calls == [("RT000001", "RFID")]  # the second from the cache
            assert await tap(station, "RT000002") == "Blocked"
            assert await tap(station, "NOBODY01") == "Unknown"  # no eMSP knows it
            session = station.start_session(1, id_token="RT000001")
            assert session is not None
            await eventually(lambda: _active(server, "RT000001"))
            await station.stop_session(1, timeout=30)


@pytest.mark.parametrize(
    ("whitelist", "expected"), [("ALLOWED_OFFLINE", "Accepted"), ("NEVER", "Blocked")]
)
async def test_whitelist_decides_when_the_emsp_is_unreachable(
    server: RunningServer, whitelist: str, expected: str
) -> None:
    async with running_emsp(["2.2.1"]) as emsp:
        await registered(server, emsp)
        await add_site(server.forecourt.services, "SITE-1", "CS-1")
        await emsp.push_token(emsp.issue("WL000001", whitelist))
        emsp.authorize_down = True
        async with simulated(server, "CS-1") as station:
            assert await tap(station, "WL000001") == expected
        assert emsp.authorize_calls == [("WL000001", "RFID")]


async def test_patch_invalidates_a_token_at_once(server: RunningServer) -> None:
    async with running_emsp(["2.3.0"]) as emsp:
        await registered(server, emsp)
        await add_site(server.forecourt.services, "SITE-1", "CS-1")
        token = emsp.issue("PT000001", "ALWAYS")
        await emsp.push_token(token)
        async with simulated(server, "CS-1") as station:
            assert await tap(station, "PT000001") == "Accepted"
            patch = {"valid": False, "last_updated": token["last_updated"]}
            answer = await emsp.push_token({**patch, "uid": "PT000001"}, "PATCH")
            assert answer.json()["status_code"] == 1000
            assert await tap(station, "PT000001") == "Blocked"
        got = await emsp.call("GET", f"{emsp.cpo_endpoints['tokens']}/NL/EMS/PT000001")
        assert got.json()["data"]["valid"] is False


async def _put(emsp: Emsp, path: str, body: Any, token: str | None = None) -> httpx.Response:
    headers = token_header(token or emsp.cpo_token)
    async with httpx.AsyncClient(timeout=60) as client:
        return await client.put(
            f"{emsp.cpo_endpoints['tokens']}/{path}", json=body, headers=headers
        )


async def test_bad_token_pushes_are_refused_and_nothing_is_stored(server: RunningServer) -> None:
    async with running_emsp(["2.2.1"]) as emsp:
        await registered(server, emsp)
        good = emsp.issue("BAD00001")
        cases = [
            ("NL/EMS/BAD00001", {**good, "whitelist": "SOMETIMES"}, None, 400, 2001),
            ("NL/EMS/BAD00001", {**good, "uid": "OTHER001"}, None, 400, 2001),
            ("NL/EMS/BAD00001", {**good, "uid": "X" * 37}, None, 400, 2001),
            ("NL/EMS/BAD00001", {k: v for k, v in good.items() if k != "valid"}, None, 400, 2001),
            ("DE/ABC/BAD00001", {**good, "country_code": "DE", "party_id": "ABC"}, None, 400, 2001),
            ("NL/EMS/BAD00001", good, "not-a-token", 401, 2001),
            ("NL/EMS/BAD00001?type=CARD", good, None, 400, 2001),
        ]
        for path, body, token, http, code in cases:
            answer = await _put(emsp, path, body, token)
            assert (answer.status_code, answer.json()["status_code"]) == (http, code), path
        async with httpx.AsyncClient(timeout=60) as client:
            broken = await client.put(
                f"{emsp.cpo_endpoints['tokens']}/NL/EMS/BAD00001",
                content=b"{not json",
                headers=token_header(emsp.cpo_token),
            )
        assert broken.json()["status_code"] == 2001
        assert await stored(server, "BAD00001") is None
        missing = await emsp.push_token(
            {"valid": False, "last_updated": good["last_updated"], "uid": "BAD00001"}, "PATCH"
        )
        assert (missing.status_code, missing.json()["status_code"]) == (404, 2004)
