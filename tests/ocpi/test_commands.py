"""Commands end to end: the eMSP sends START_SESSION / STOP_SESSION / UNLOCK_CONNECTOR, a
simulated 2.0.1 station carries them out over real OCPP, the CommandResult reaches the eMSP."""

from __future__ import annotations

from typing import Any

import pytest

from forecourt.domain.transactions import Transaction
from tests.ocpi import spec
from tests.ocpi.conftest import add_site, eventually, registered, simulated
from tests.ocpi.emsp import Emsp, running_emsp
from tests.support.server import RunningServer


async def command(emsp: Emsp, name: str, body: dict[str, Any]) -> dict[str, Any]:
    answer = await emsp.call("POST", f"{emsp.cpo_endpoints['commands']}/{name}", body)
    envelope: dict[str, Any] = answer.json()
    if envelope["status_code"] == 1000:
        spec.check(spec.COMMAND_RESPONSE, envelope["data"])
    return {"http": answer.status_code, **envelope}


async def _active(server: RunningServer, uid: str) -> Transaction | None:
    async with server.forecourt.services.ctx.uow() as uow:
        found = await uow.transactions.active_for_tokens([uid])
    return found[0] if found else None


async def _ended(server: RunningServer, uid: str) -> bool:
    return await _active(server, uid) is None


@pytest.mark.parametrize("version", ["2.2.1", "2.3.0"])
async def test_start_session_to_stop_session(server: RunningServer, version: str) -> None:
    async with running_emsp([version]) as emsp:
        await registered(server, emsp)
        await add_site(server.forecourt.services, "SITE-1", "CS-1")
        async with simulated(server, "CS-1") as station:
            start = {
                "response_url": emsp.response_url("start"),
                "token": emsp.issue("APP00001"),
                "location_id": "SITE-1",
                "evse_uid": "CS-1*1",
                # an eMSP's own reference for its Session/CDR: not a terminal payment
                "authorization_reference": "EMSP-REF-0001",
            }
            answer = await command(emsp, "START_SESSION", start)
            assert answer["data"]["result"] == "ACCEPTED"
            result = await eventually(lambda: _got(emsp, "start"))
            assert result["result"] == "ACCEPTED"
            tx = await eventually(lambda: _active(server, "APP00001"))
            assert tx.station_id == "CS-1"
            assert station.active_sessions

            stop = {"response_url": emsp.response_url("stop"), "session_id": str(tx.id)}
            answer = await command(emsp, "STOP_SESSION", stop)
            assert answer["data"]["result"] == "ACCEPTED"
            assert (await eventually(lambda: _got(emsp, "stop")))["result"] == "ACCEPTED"
            await eventually(lambda: _ended(server, "APP00001"))


async def _got(emsp: Emsp, name: str) -> dict[str, Any] | None:
    return emsp.results.get(name)


async def test_unlock_and_what_we_cannot_do(server: RunningServer) -> None:
    async with running_emsp(["2.3.0"]) as emsp:
        await registered(server, emsp)
        await add_site(server.forecourt.services, "SITE-1", "CS-1")
        async with simulated(server, "CS-1"):
            unlock = {
                "response_url": emsp.response_url("unlock"),
                "location_id": "SITE-1",
                "evse_uid": "CS-1*1",
                "connector_id": "1",
            }
            assert (await command(emsp, "UNLOCK_CONNECTOR", unlock))["data"]["result"] == "ACCEPTED"
            assert (await eventually(lambda: _got(emsp, "unlock")))["result"] == "ACCEPTED"
        unknown = {"response_url": emsp.response_url("x"), "session_id": "999999"}
        assert (await command(emsp, "STOP_SESSION", unknown))["data"]["result"] == "UNKNOWN_SESSION"
        elsewhere = {**unlock, "location_id": "SITE-2"}
        assert (await command(emsp, "UNLOCK_CONNECTOR", elsewhere))["data"]["result"] == "REJECTED"
        malformed = {"response_url": emsp.response_url("r"), "reservation_id": "1"}
        bad_reserve = await command(emsp, "RESERVE_NOW", malformed)
        assert (bad_reserve["http"], bad_reserve["status_code"]) == (400, 2001)
        bad = await command(emsp, "START_SESSION", {"response_url": emsp.response_url("b")})
        assert (bad["http"], bad["status_code"]) == (400, 2001)
        wrong = await command(emsp, "FLY_TO_THE_MOON", {})
        assert (wrong["http"], wrong["status_code"]) == (400, 2001)
        assert not {"x", "b"} & set(emsp.results)
