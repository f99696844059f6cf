"""Local lists and reservations against an independent implementation: the `ocpp` package's
ChargePoint for 1.6 and 2.0.1 (answers chosen by the test: VersionMismatch, Removed)."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
from ocpp.routing import on
from ocpp.v16 import ChargePoint as ChargePoint16
from ocpp.v16 import call as call16
from ocpp.v16 import call_result as result16
from ocpp.v16.enums import Action as Action16
from ocpp.v201 import ChargePoint as ChargePoint201
from ocpp.v201 import call as call201
from ocpp.v201 import call_result as result201
from ocpp.v201.enums import Action as Action201
from websockets.asyncio.client import connect

from forecourt.domain.errors import InvalidInput
from forecourt.domain.local_auth import ListSync, ReservationState
from forecourt.domain.tokens import TokenRecord
from forecourt.services.core import Services
from tests.e2e.conftest import PASSWORD, STATION, TAG, basic_auth
from tests.support.server import RunningServer

OTHER = "RFID-0002"
T0 = "2026-12-07T10:00:00.000Z"


class ListStation16(ChargePoint16):  # type: ignore[misc]
    """Keeps a list version; refuses differential updates while ``mismatch`` is set."""

    version = 0
    mismatch = False
    updates: list[tuple[str, int, list[str]]]
    reserved: list[dict[str, Any]]

    @on(Action16.get_local_list_version)  # type: ignore[misc]
    def on_version(self, **_: Any) -> Any:
        return result16.GetLocalListVersion(list_version=self.version)

    @on(Action16.send_local_list)  # type: ignore[misc]
    def on_send(self, list_version: int, update_type: str, **kw: Any) -> Any:
        tags = [item["id_tag"] for item in kw.get("local_authorization_list") or []]
        self.updates.append((update_type, list_version, tags))
        if self.mismatch and update_type == "Differential":
            return result16.SendLocalList(status="VersionMismatch")
        self.version = list_version
        return result16.SendLocalList(status="Accepted")

    @on(Action16.reserve_now)  # type: ignore[misc]
    def on_reserve(self, **kw: Any) -> Any:
        self.reserved.append(kw)
        return result16.ReserveNow(status="Accepted")


class ListStation201(ChargePoint201):  # type: ignore[misc]
    reserved: list[dict[str, Any]]
    updates: list[tuple[str, int]]

    @on(Action201.get_local_list_version)  # type: ignore[misc]
    def on_version(self, **_: Any) -> Any:
        return result201.GetLocalListVersion(version_number=0)

    @on(Action201.send_local_list)  # type: ignore[misc]
    def on_send(self, version_number: int, update_type: str, **_: Any) -> Any:
        self.updates.append((update_type, version_number))
        return result201.SendLocalList(status="Failed")  # a station that cannot store it

    @on(Action201.reserve_now)  # type: ignore[misc]
    def on_reserve(self, **kw: Any) -> Any:
        self.reserved.append(kw)
        return result201.ReserveNow(status="Accepted")


@asynccontextmanager
async def connected(server: RunningServer, kind: type[Any], protocol: str) -> AsyncIterator[Any]:
    async with connect(
        f"{server.ws_url}/{STATION}",
        subprotocols=[protocol],  # type: ignore[list-item]
        additional_headers=basic_auth(STATION, PASSWORD),
    ) as ws:
        cp = kind(STATION, ws)
        cp.updates, cp.reserved = [], []
        runner = asyncio.create_task(cp.start())
        try:
            yield cp
        finally:
            runner.cancel()


async def test_16_mismatch_answer_falls_back_to_a_full_update_and_reservations_hold(
    server: RunningServer,
) -> None:
    services: Services = server.forecourt.services
    await services.network.add_token(TokenRecord(OTHER))
    async with connected(server, ListStation16, "ocpp1.6") as cp:
        boot = call16.BootNotification(charge_point_model="E2E", charge_point_vendor="Test")
        assert (await cp.call(boot)).status == "Accepted"
        await cp.call(
            call16.StatusNotification(connector_id=1, error_code="NoError", status="Available")
        )
        await services.local_lists.set_members("station", STATION, [TAG])
        cp.mismatch = True
        await services.local_lists.set_members("station", STATION, [TAG, OTHER])
        assert cp.updates == [
            ("Full", 1, [TAG]),
            ("Differential", 2, [OTHER]),
            ("Full", 3, [TAG, OTHER]),
        ]
        assert (await services.local_lists.view(STATION)).state.version == 3

        until = datetime.now(UTC) + timedelta(minutes=10)
        held = await services.core.reservations.reserve(STATION, TAG, until, evse_id=1)
        assert held.state is ReservationState.ACTIVE
        assert cp.reserved[0]["reservation_id"] == held.id

        intruder = call16.StartTransaction(
            connector_id=1, id_tag=OTHER, meter_start=0, timestamp=T0
        )
        assert (await cp.call(intruder)).id_tag_info["status"] == "Invalid"
        mine = call16.StartTransaction(
            connector_id=1, id_tag=TAG, meter_start=0, timestamp=T0, reservation_id=held.id
        )
        started = await cp.call(mine)
        assert started.id_tag_info["status"] == "Accepted"
        used = await services.core.reservations.get(held.id)
        assert (used.state, used.transaction_id) == (ReservationState.USED, started.transaction_id)


async def test_201_failed_update_and_station_removed_reservation(server: RunningServer) -> None:
    services: Services = server.forecourt.services
    await services.network.add_token(TokenRecord(OTHER))
    async with connected(server, ListStation201, "ocpp2.0.1") as cp:
        boot = call201.BootNotification(
            charging_station={"model": "E2E", "vendor_name": "Test"}, reason="PowerUp"
        )
        assert (await cp.call(boot)).status == "Accepted"
        await cp.call(
            call201.StatusNotification(
                timestamp=T0, connector_status="Available", evse_id=1, connector_id=1
            )
        )
        await services.local_lists.set_members("station", STATION, [TAG])
        state = (await services.local_lists.view(STATION)).state
        assert cp.updates == [("Full", 1)]
        assert (state.sync, state.version) == (ListSync.FAILED, 0)
        assert "failed" in state.detail

        until = datetime.now(UTC) + timedelta(minutes=10)
        with pytest.raises(InvalidInput, match="connector type"):  # 2.0.1 cannot carry it
            await services.core.reservations.reserve(
                STATION, TAG, until, evse_id=1, connector_type="Schuko"
            )
        held = await services.core.reservations.reserve(STATION, TAG, until, evse_id=1)
        assert cp.reserved[0]["id"] == held.id  # the refused one never reached the station
        assert cp.reserved[0]["id_token"] == {"id_token": TAG, "type": "ISO14443"}

        started = call201.TransactionEvent(
            event_type="Started",
            timestamp=T0,
            trigger_reason="Authorized",
            seq_no=0,
            transaction_info={"transaction_id": "TX-R"},
            evse={"id": 1, "connector_id": 1},
            id_token={"id_token": OTHER, "type": "ISO14443"},
        )
        answer = await cp.call(started)
        assert answer.id_token_info["status"] == "NotAtThisTime"  # reserved for another

        removed = call201.ReservationStatusUpdate(
            reservation_id=held.id, reservation_update_status="Removed"
        )
        await cp.call(removed)
        ended = await services.core.reservations.get(held.id)
        assert (ended.state, ended.answer) == (ReservationState.REMOVED, "station: removed")
