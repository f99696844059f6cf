"""ADR 0002: only an OcppError keeps its CALLERROR code. Anything else a service raises is a
bug on our side, answered InternalError with the spec's generic text (never the exception's
own words, never a code that blames the station), and the connection keeps working."""

from __future__ import annotations

import json
from typing import Any

import pytest
from websockets.asyncio.client import connect

from forecourt.ocpp.errors import INTERNAL_ERROR_DESCRIPTION
from tests.e2e.conftest import PASSWORD, STATION, basic_auth
from tests.e2e.test_fuzz_findings import BOOT, answer_to
from tests.support.server import RunningServer

BUGS = [ValueError("bad value from a service bug"), KeyError("missing-key")]


@pytest.mark.parametrize("protocol", ["ocpp1.6", "ocpp2.0.1"])
@pytest.mark.parametrize("bug", BUGS, ids=lambda bug: type(bug).__name__)
async def test_a_service_bug_is_an_internal_error_and_the_link_stays_up(
    server: RunningServer, monkeypatch: pytest.MonkeyPatch, protocol: str, bug: Exception
) -> None:
    async def broken(*args: Any, **kwargs: Any) -> bool:
        raise bug

    # The real service of the running server, with one method failing the way a bug would.
    monkeypatch.setattr(server.forecourt.services.core.records, "data_transfer", broken)
    async with connect(
        f"{server.ws_url}/{STATION}",
        subprotocols=[protocol],  # type: ignore[list-item]
        additional_headers=basic_auth(STATION, PASSWORD),
    ) as ws:
        await ws.send(json.dumps([2, "boot", "BootNotification", BOOT[protocol]]))
        assert (await answer_to(ws, "boot"))[2]["status"] == "Accepted"

        await ws.send(json.dumps([2, "bug", "DataTransfer", {"vendorId": "com.example"}]))
        reply = await answer_to(ws, "bug")
        await ws.send(json.dumps([2, "after", "Heartbeat", {}]))
        after = await answer_to(ws, "after")

    assert reply == [4, "bug", "InternalError", INTERNAL_ERROR_DESCRIPTION, {}]
    assert after[0] == 3
    assert "currentTime" in after[2]
