"""Transactions through HTTP: search, detail with samples, remote stop."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from forecourt.domain.commands import CommandKind, CommandResult, CommandStatus, RemoteStop
from forecourt.services.access import Role
from forecourt.services.transactions import TransactionStop
from tests.api.conftest import ApiRig, start_transaction

T0 = datetime(2026, 11, 21, 10, 0, tzinfo=UTC)


async def seed(rig: ApiRig) -> list[int]:
    for station_id in ("CS-1", "CS-2"):
        await rig.services.network.add_station(station_id)
    first = await start_transaction(rig, "CS-1", "TAG-A", T0)
    await rig.services.core.transactions.stop(
        "CS-1", TransactionStop(str(first), T0 + timedelta(minutes=30), meter_stop_wh=21_000.0)
    )
    second = await start_transaction(rig, "CS-1", "TAG-B", T0 + timedelta(hours=1))
    third = await start_transaction(rig, "CS-2", "TAG-A", T0 + timedelta(hours=2))
    return [first, second, third]


async def test_transactions_are_filtered_and_paged(rig: ApiRig) -> None:
    first, second, third = await seed(rig)

    async def ids(**params: str | int) -> tuple[list[int], int]:
        response = await rig.client.get(
            "/api/transactions", params=params, headers=rig.auth(Role.VIEWER)
        )
        assert response.status_code == 200, response.text
        page = response.json()
        return [tx["id"] for tx in page["items"]], page["total"]

    assert await ids() == ([third, second, first], 3)
    assert await ids(station_id="CS-1") == ([second, first], 2)
    assert await ids(state="ended") == ([first], 1)
    assert await ids(id_token="TAG-A") == ([third, first], 2)
    assert await ids(since="2026-11-21T10:30:00Z") == ([third, second], 2)
    assert await ids(until="2026-11-21T11:30:00Z") == ([second, first], 2)
    assert await ids(limit=1, offset=1) == ([second], 3)


async def test_bad_filters_are_named(rig: ApiRig) -> None:
    response = await rig.client.get(
        "/api/transactions",
        params={"state": "paused", "limit": 0, "since": "yesterday"},
        headers=rig.auth(),
    )

    assert response.status_code == 422
    assert [(e["location"], e["field"]) for e in response.json()["errors"]] == [
        ("query", "state"),
        ("query", "since"),
        ("query", "limit"),
    ]


async def test_transaction_detail_carries_energy_and_samples(rig: ApiRig) -> None:
    first, *_ = await seed(rig)

    response = await rig.client.get(f"/api/transactions/{first}", headers=rig.auth())
    missing = await rig.client.get("/api/transactions/999", headers=rig.auth())

    detail = response.json()
    assert detail["state"] == "ended"
    assert detail["energy_wh"] == 20_000
    assert detail["id_token"] == "TAG-A"
    assert detail["samples"][0]["measurand"] == "energy_import_register"
    assert detail["samples"][0]["unit"] == "Wh"
    assert missing.status_code == 404
    assert missing.json()["detail"] == "transaction 999 not found"


async def test_remote_stop_by_transaction_number(rig: ApiRig) -> None:
    first, second, _ = await seed(rig)
    rig.gateway.connected.add("CS-1")

    stopped = await rig.client.post(
        f"/api/transactions/{second}/stop", headers=rig.auth(Role.TECHNICIAN)
    )
    ended = await rig.client.post(f"/api/transactions/{first}/stop", headers=rig.auth())

    assert stopped.status_code == 200
    assert stopped.json()["kind"] == "remote_stop"
    assert stopped.json()["status"] == "accepted"
    assert rig.gateway.sent[-1][:2] == ("CS-1", RemoteStop(str(second)))
    assert ended.status_code == 409
    assert ended.json()["detail"] == f"transaction {first} has already ended"


async def test_a_rejected_remote_stop_is_still_200(rig: ApiRig) -> None:
    _, second, _ = await seed(rig)
    rig.gateway.connected.add("CS-1")
    rig.gateway.answers[CommandKind.REMOTE_STOP] = CommandResult(CommandStatus.REJECTED)

    response = await rig.client.post(f"/api/transactions/{second}/stop", headers=rig.auth())

    assert response.status_code == 200
    assert (response.json()["status"], response.json()["succeeded"]) == ("rejected", False)
