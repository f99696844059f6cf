"""OCPP 2.1 on the same endpoint as 1.6 and 2.0.1, with the `ocpp` package's 2.1 ChargePoint.

Negotiation follows the server's preference (``FORECOURT_PROTOCOLS``); a 2.1 station then runs
every 2.0.1 message through the same services (the adapter's tables are derived).
"""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from pathlib import Path
from typing import Any

import pytest
import websockets
from ocpp.routing import on
from ocpp.v21 import ChargePoint, call, call_result
from ocpp.v21.enums import Action
from websockets.asyncio.client import connect

from forecourt.domain.commands import CommandStatus, RemoteStart, Reset
from forecourt.domain.stations import ProtocolVersion
from forecourt.domain.tokens import TokenRecord
from forecourt.domain.transactions import StopReason, TransactionState
from forecourt.ports.repositories import TransactionFilter
from tests.e2e.conftest import PASSWORD, STATION, TAG, basic_auth
from tests.support.server import RunningServer, running_server

T0 = "2026-11-21T10:00:00Z"


class Station21(ChargePoint):  # type: ignore[misc]
    started: list[dict[str, Any]]

    @on(Action.request_start_transaction)  # type: ignore[misc]
    def on_request_start(self, id_token: dict[str, Any], **kwargs: Any) -> Any:
        self.started.append({"id_token": id_token, **kwargs})
        return call_result.RequestStartTransaction(status="Accepted")

    @on(Action.reset)  # type: ignore[misc]
    def on_reset(self, type: str, **_: Any) -> Any:
        return call_result.Reset(status="Scheduled" if type == "OnIdle" else "Accepted")


@asynccontextmanager
async def station(server: RunningServer, offered: list[str]) -> AsyncIterator[Station21]:
    async with connect(
        f"{server.ws_url}/{STATION}",
        subprotocols=offered,  # type: ignore[arg-type]
        additional_headers=basic_auth(STATION, PASSWORD),
    ) as ws:
        cp = Station21(STATION, ws)
        cp.started = []
        cp.subprotocol = ws.subprotocol
        runner = asyncio.create_task(cp.start())
        try:
            yield cp
        finally:
            runner.cancel()


async def boot(cp: Station21) -> Any:
    return await cp.call(
        call.BootNotification(
            charging_station={"model": "E2E-21", "vendor_name": "Test"}, reason="PowerUp"
        )
    )


def register(kwh: float, at: str, context: str) -> list[dict[str, Any]]:
    sample = {"value": kwh, "context": context, "unit_of_measure": {"unit": "kWh"}}
    return [{"timestamp": at, "sampled_value": [sample]}]


@pytest.mark.parametrize(
    "offered", [["ocpp2.1"], ["ocpp1.6", "ocpp2.0.1", "ocpp2.1"], ["ocpp2.0.1", "ocpp2.1"]]
)
async def test_21_is_preferred_by_default(server: RunningServer, offered: list[str]) -> None:
    async with station(server, offered) as cp:
        assert cp.subprotocol == "ocpp2.1"
        assert (await boot(cp)).status == "Accepted"
    found = await server.forecourt.services.network.station(STATION)
    assert found.protocol is ProtocolVersion.V21


async def test_the_preference_is_configurable(tmp_path: Path) -> None:
    async with running_server(tmp_path, protocols=["ocpp2.0.1", "ocpp1.6"]) as server:
        await server.forecourt.services.network.add_station(STATION, password=PASSWORD)
        async with station(server, ["ocpp2.1", "ocpp2.0.1"]) as cp:
            assert cp.subprotocol == "ocpp2.0.1"
        with pytest.raises(websockets.exceptions.InvalidStatus) as refused:
            async with station(server, ["ocpp2.1"]):
                pass
        assert refused.value.response.status_code == 400


async def test_a_21_transaction_and_commands_run_on_the_201_services(
    server: RunningServer,
) -> None:
    async with station(server, ["ocpp2.1"]) as cp:
        await boot(cp)
        started = await cp.call(
            call.TransactionEvent(
                event_type="Started", timestamp=T0, trigger_reason="Authorized", seq_no=0,
                transaction_info={"transaction_id": "TX-21"},
                evse={"id": 1, "connector_id": 1},
                id_token={"id_token": TAG, "type": "ISO14443"},
                meter_value=register(100.0, T0, "Transaction.Begin"),
            )
        )  # fmt: skip
        assert started.id_token_info["status"] == "Accepted"
        assert started.transaction_limit is None  # no prepaid hold behind an RFID card
        at = "2026-11-21T10:30:00Z"
        info = {"transaction_id": "TX-21", "stopped_reason": "ReqEnergyTransferRejected"}
        ended = call.TransactionEvent(
            event_type="Ended", timestamp=at, trigger_reason="AbnormalCondition", seq_no=1,
            transaction_info=info, meter_value=register(130.0, at, "Transaction.End"),
        )  # fmt: skip
        await cp.call(ended)
        await cp.call(ended)  # replayed: nothing changes
        remote = server.forecourt.services.remote
        start = await remote.send(STATION, RemoteStart(id_token=TAG, evse_id=1))
        reset = await remote.send(STATION, Reset(hard=False))
    assert start.status is CommandStatus.ACCEPTED
    # the token's registered type travels with it (an RFID card: ISO14443)
    assert cp.started[0]["id_token"] == {"id_token": TAG, "type": "ISO14443"}
    assert reset.status is CommandStatus.SCHEDULED
    items, total = await server.forecourt.services.history.list(
        TransactionFilter(station_id=STATION)
    )
    assert total == 1
    assert (items[0].state, items[0].stop_reason) == (TransactionState.ENDED, StopReason.OTHER)
    assert items[0].energy_wh == pytest.approx(30_000)


async def test_a_direct_payment_without_a_tariff_is_not_accepted(
    server: RunningServer,
) -> None:
    await server.forecourt.services.network.add_token(TokenRecord("SOME-CARD"))
    async with station(server, ["ocpp2.1"]) as cp:
        await boot(cp)
        answer = await cp.call(
            call.Authorize(id_token={"id_token": "PSP-NO-TARIFF", "type": "DirectPayment"})
        )
    assert answer.id_token_info["status"] != "Accepted"  # no price, no hold
