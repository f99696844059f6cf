"""ADR 0002: only an OcppError keeps its CALLERROR code. Anything else a service raises is a
bug on our side, answered InternalError with the spec's generic text (never the exception's
own words, never a code that blames the station), and the connection keeps working."""

from __future__ import annotations

from typing import Any

import pytest

from forecourt.ocpp.errors import INTERNAL_ERROR_DESCRIPTION
from tests.e2e.test_fuzz_findings import call_after_boot
from tests.support.server import RunningServer

BUGS = [ValueError("bad value from a service bug"), KeyError("missing-key")]


@pytest.mark.parametrize("protocol", ["ocpp1.6", "ocpp2.0.1"])
@pytest.mark.parametrize("bug", BUGS, ids=lambda bug: type(bug).__name__)
async def test_a_service_bug_is_an_internal_error_and_the_link_stays_up(
    server: RunningServer, monkeypatch: pytest.MonkeyPatch, protocol: str, bug: Exception
) -> None:
    async def broken(*_args: Any, **_kwargs: Any) -> bool:
        raise bug

    # The real service of the running server, with one method failing the way a bug would.
    monkeypatch.setattr(server.forecourt.services.core.records, "data_transfer", broken)
    payload = {"vendorId": "com.example"}
    reply, after = await call_after_boot(server, protocol, "DataTransfer", payload)

    assert reply == [4, "call", "InternalError", INTERNAL_ERROR_DESCRIPTION, {}]
    assert after[0] == 3
    assert "currentTime" in after[2]
