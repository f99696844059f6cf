"""OCPP 2.0.1 end to end with an independent implementation: the `ocpp` package's ChargePoint."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from typing import Any

import pytest
from ocpp.routing import on
from ocpp.v201 import ChargePoint, call, call_result
from ocpp.v201.enums import Action
from websockets.asyncio.client import connect

from forecourt.domain.commands import CommandStatus, RemoteStart, Reset
from forecourt.domain.transactions import StopReason, TransactionState
from forecourt.ports.repositories import TransactionFilter
from tests.e2e.conftest import PASSWORD, STATION, TAG, basic_auth
from tests.support.server import RunningServer

T0 = "2026-11-21T10:00:00.000Z"


class Station201(ChargePoint):  # type: ignore[misc]
    started: list[dict[str, Any]]

    @on(Action.request_start_transaction)  # type: ignore[misc]
    def on_request_start(self, id_token: dict[str, Any], **kwargs: Any) -> Any:
        self.started.append({"id_token": id_token, **kwargs})
        return call_result.RequestStartTransaction(status="Accepted")

    @on(Action.reset)  # type: ignore[misc]
    def on_reset(self, type: str, **_: Any) -> Any:
        return call_result.Reset(status="Scheduled" if type == "OnIdle" else "Accepted")


@asynccontextmanager
async def station(server: RunningServer) -> AsyncIterator[Station201]:
    async with connect(
        f"{server.ws_url}/{STATION}",
        subprotocols=["ocpp2.0.1"],  # type: ignore[list-item]
        additional_headers=basic_auth(STATION, PASSWORD),
    ) as ws:
        cp = Station201(STATION, ws)
        cp.started = []
        runner = asyncio.create_task(cp.start())
        try:
            yield cp
        finally:
            runner.cancel()


def register(kwh: float, at: str, context: str = "Sample.Periodic") -> dict[str, Any]:
    return {
        "timestamp": at,
        "sampled_value": [
            {"value": kwh, "context": context, "unit_of_measure": {"unit": "kWh"}},
            {"value": 120.0, "measurand": "Power.Active.Import", "unit_of_measure": {"unit": "kW"}},
        ],
    }


def event(kind: str, seq: int, at: str, **extra: Any) -> call.TransactionEvent:
    return call.TransactionEvent(
        event_type=kind,
        timestamp=at,
        trigger_reason=extra.pop("trigger", "MeterValuePeriodic"),
        seq_no=seq,
        transaction_info={"transaction_id": "TX-201", **extra.pop("info", {})},
        **extra,
    )


async def boot(cp: Station201) -> Any:
    return await cp.call(
        call.BootNotification(
            charging_station={"model": "E2E", "vendor_name": "Test"}, reason="PowerUp"
        )
    )


async def test_full_transaction_with_offline_queue_and_replay(server: RunningServer) -> None:
    async with station(server) as cp:
        assert (await boot(cp)).status == "Accepted"
        started = await cp.call(
            event("Started", 0, T0, trigger="Authorized", evse={"id": 1, "connector_id": 1},
                  id_token={"id_token": TAG, "type": "ISO14443"},
                  meter_value=[register(100.0, T0, "Transaction.Begin")])
        )  # fmt: skip
        assert started.id_token_info["status"] == "Accepted"
        # offline-queued samples, sent later and out of order, with offline=true
        await cp.call(event("Updated", 2, "2026-11-21T10:20:00Z", offline=True,
                            meter_value=[register(130.0, "2026-11-21T10:20:00Z")]))  # fmt: skip
        await cp.call(event("Updated", 1, "2026-11-21T10:10:00Z", offline=True,
                            meter_value=[register(115.0, "2026-11-21T10:10:00Z")]))  # fmt: skip
        await cp.call(
            event("Started", 0, T0, trigger="Authorized", evse={"id": 1, "connector_id": 1},
                  id_token={"id_token": TAG, "type": "ISO14443"})
        )  # fmt: skip  # replayed after a reconnect: no second transaction
        await cp.call(
            event("Ended", 3, "2026-11-21T10:30:00Z", trigger="EVCommunicationLost",
                  info={"stopped_reason": "EVDisconnected"},
                  meter_value=[register(140.0, "2026-11-21T10:30:00Z", "Transaction.End")])
        )  # fmt: skip
    history = server.forecourt.services.history
    items, total = await history.list(TransactionFilter(station_id=STATION))
    assert total == 1
    tx = items[0]
    assert (tx.state, tx.stop_reason, tx.seen_offline) == (
        TransactionState.ENDED,
        StopReason.EV_DISCONNECTED,
        True,
    )
    assert tx.energy_wh == pytest.approx(40_000)
    assert tx.last_seq_no == 3


async def test_remote_start_and_reset_reach_a_201_station(server: RunningServer) -> None:
    remote = server.forecourt.services.remote
    async with station(server) as cp:
        await boot(cp)
        start = await remote.send(STATION, RemoteStart(id_token=TAG, evse_id=1))
        reset = await remote.send(STATION, Reset(hard=False))
    assert start.status is CommandStatus.ACCEPTED
    assert cp.started[0]["id_token"] == {"id_token": TAG, "type": "ISO14443"}  # an RFID card
    assert cp.started[0]["remote_start_id"] == start.id  # correlates the coming transaction
    assert reset.status is CommandStatus.SCHEDULED
