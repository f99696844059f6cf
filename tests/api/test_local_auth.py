"""Local lists, the authorization cache and reservations through HTTP (stations answer from
the scripted gateway, our own port; the wire is covered in tests/e2e/test_local_auth_*)."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from forecourt.domain.commands import CommandKind, CommandResult, CommandStatus
from forecourt.domain.connectors import ConnectorType
from forecourt.domain.local_auth import GetLocalListLimits, GetLocalListVersion, SendLocalList
from forecourt.domain.stations import Site
from forecourt.domain.tokens import TokenRecord
from forecourt.services.access import Role
from forecourt.services.network import ConnectorSpec
from tests.api.conftest import ApiRig

STATION = "CP-LA-1"


@pytest.fixture
async def station(rig: ApiRig) -> str:
    await rig.services.network.add_site(Site("S1", "Depot"))
    await rig.services.network.add_station(STATION, site_id="S1")
    await rig.services.network.set_connector(STATION, ConnectorSpec(1, 1, ConnectorType.CCS1))
    for value in ("CARD-0001", "CARD-0002"):
        await rig.services.network.add_token(TokenRecord(value))
    rig.gateway.connected.add(STATION)
    rig.gateway.answers[CommandKind.GET_LOCAL_LIST_VERSION] = CommandResult(
        CommandStatus.ACCEPTED, {"version": 0}
    )
    return STATION


def _in(minutes: float) -> str:
    return (datetime.now(UTC) + timedelta(minutes=minutes)).isoformat()


async def test_station_list_is_sent_and_shown(rig: ApiRig, station: str) -> None:
    put = await rig.client.put(
        f"/api/stations/{station}/local-list",
        json={"tokens": ["CARD-0001", "CARD-0002"]},
        headers=rig.auth(),
    )
    assert put.status_code == 200
    body = put.json()
    assert (body["source"], body["version"], body["sync"]) == ("station", 1, "in_sync")
    assert body["on_station"] == ["CARD-0001", "CARD-0002"]
    sent = [command for _, command, _ in rig.gateway.sent]
    assert isinstance(sent[0], GetLocalListVersion)
    assert isinstance(sent[1], GetLocalListLimits)  # before a full update
    assert isinstance(sent[2], SendLocalList)
    assert (sent[2].full, sent[2].version) == (True, 1)

    viewer = await rig.client.get(
        f"/api/stations/{station}/local-list", headers=rig.auth(Role.VIEWER)
    )
    assert viewer.status_code == 200
    assert "CARD-0001" not in viewer.json()["tokens"]  # viewers see masked tokens


async def test_site_list_reaches_its_stations(rig: ApiRig, station: str) -> None:
    put = await rig.client.put(
        "/api/sites/S1/local-list", json={"tokens": ["CARD-0002"]}, headers=rig.auth()
    )
    assert put.json()["stations"] == [station]
    shown = await rig.client.get(f"/api/stations/{station}/local-list", headers=rig.auth())
    assert (shown.json()["source"], shown.json()["tokens"]) == ("site", ["CARD-0002"])
    site = await rig.client.get("/api/sites/S1/local-list", headers=rig.auth())
    assert site.json()["tokens"] == ["CARD-0002"]


async def test_chunked_updates_respect_the_station_limit(rig: ApiRig, station: str) -> None:
    limit = await rig.client.put(
        f"/api/stations/{station}/local-list/limit",
        json={"max_per_message": 1},
        headers=rig.auth(),
    )
    assert limit.json()["max_per_message"] == 1
    await rig.client.put(
        f"/api/stations/{station}/local-list",
        json={"tokens": ["CARD-0001", "CARD-0002"]},
        headers=rig.auth(),
    )
    updates = [c for _, c, _ in rig.gateway.sent if isinstance(c, SendLocalList)]
    assert [(u.version, u.full, len(u.entries)) for u in updates] == [(1, True, 1), (2, False, 1)]


async def test_the_station_limits_are_read_and_respected(rig: ApiRig, station: str) -> None:
    rig.gateway.answers[CommandKind.GET_LOCAL_LIST_LIMITS] = CommandResult(
        CommandStatus.ACCEPTED, {"per_message": 1, "entries": 1}
    )
    put = await rig.client.put(
        f"/api/stations/{station}/local-list",
        json={"tokens": ["CARD-0001", "CARD-0002"]},
        headers=rig.auth(),
    )
    body = put.json()
    assert (body["sync"], body["version"], body["max_per_message"]) == ("failed", 0, 1)
    assert body["detail"] == "the list has 2 tokens; the station holds at most 1"
    assert not [c for _, c, _ in rig.gateway.sent if isinstance(c, SendLocalList)]


async def test_list_errors(rig: ApiRig, station: str) -> None:
    unknown = await rig.client.put(
        f"/api/stations/{station}/local-list", json={"tokens": ["NOPE"]}, headers=rig.auth()
    )
    missing = await rig.client.put(
        "/api/stations/NOPE/local-list", json={"tokens": []}, headers=rig.auth()
    )
    bad_limit = await rig.client.put(
        f"/api/stations/{station}/local-list/limit",
        json={"max_per_message": 0},
        headers=rig.auth(),
    )
    forbidden = await rig.client.put(
        f"/api/stations/{station}/local-list", json={"tokens": []}, headers=rig.auth(Role.VIEWER)
    )
    assert (unknown.status_code, missing.status_code) == (422, 404)
    assert "unknown tokens: NOPE" in unknown.json()["detail"]
    assert (bad_limit.status_code, forbidden.status_code) == (422, 403)


async def test_unsupported_station_is_shown_as_such(rig: ApiRig, station: str) -> None:
    rig.gateway.answers[CommandKind.GET_LOCAL_LIST_VERSION] = CommandResult(
        CommandStatus.NOT_SUPPORTED
    )
    put = await rig.client.put(
        f"/api/stations/{station}/local-list", json={"tokens": ["CARD-0001"]}, headers=rig.auth()
    )
    assert put.json()["sync"] == "not_supported"


async def test_auth_cache_switch(rig: ApiRig, station: str) -> None:
    put = await rig.client.put(
        f"/api/stations/{station}/auth-cache", json={"enabled": False}, headers=rig.auth()
    )
    assert (put.json()["kind"], put.json()["status"]) == ("set_auth_cache", "accepted")
    shown = await rig.client.get(f"/api/stations/{station}/local-list", headers=rig.auth())
    assert shown.json()["auth_cache_enabled"] is False


async def test_reservation_lifecycle_and_conflict(rig: ApiRig, station: str) -> None:
    body = {"station_id": station, "id_token": "CARD-0001", "expires_at": _in(30), "evse_id": 1}
    made = await rig.client.post("/api/reservations", json=body, headers=rig.auth())
    assert made.status_code == 201
    reservation = made.json()
    assert (reservation["state"], reservation["answer"]) == ("active", "accepted")

    clash = {**body, "id_token": "CARD-0002"}
    conflict = await rig.client.post("/api/reservations", json=clash, headers=rig.auth())
    assert conflict.status_code == 409
    assert "already reserved" in conflict.json()["detail"]

    listed = await rig.client.get(
        "/api/reservations", params={"station_id": station}, headers=rig.auth(Role.VIEWER)
    )
    assert [r["id"] for r in listed.json()] == [reservation["id"]]
    assert listed.json()[0]["id_token"] != "CARD-0001"  # masked for viewers

    cancel = f"/api/reservations/{reservation['id']}/cancel"
    cancelled = await rig.client.post(cancel, headers=rig.auth())
    again = await rig.client.post(cancel, headers=rig.auth())
    assert cancelled.json()["state"] == "cancelled"
    assert again.status_code == 409


async def test_station_answers_are_recorded(rig: ApiRig, station: str) -> None:
    rig.gateway.answers[CommandKind.RESERVE_NOW] = CommandResult(CommandStatus.OCCUPIED)
    body = {"station_id": station, "id_token": "CARD-0001", "expires_at": _in(30), "evse_id": 1}
    made = await rig.client.post("/api/reservations", json=body, headers=rig.auth())
    assert (made.json()["state"], made.json()["answer"]) == ("refused", "occupied")
    # a refused reservation holds nothing: the EVSE can be reserved again
    rig.gateway.answers.pop(CommandKind.RESERVE_NOW)
    retry = await rig.client.post("/api/reservations", json=body, headers=rig.auth())
    assert retry.json()["state"] == "active"


@pytest.mark.parametrize(
    ("change", "status", "words"),
    [
        ({"expires_at": "2020-01-01T00:00:00Z"}, 422, "in the future"),
        ({"expires_at": "2030-01-01T00:00:00"}, 422, "timezone"),
        ({"station_id": "NOPE"}, 404, "NOPE"),
        ({"id_token": "UNKNOWN"}, 404, "UNKNOWN"),
        ({"evse_id": 9}, 404, "9"),
        ({"evse_id": -1}, 422, "evse_id"),
        ({"colour": "red"}, 422, "colour"),
    ],
)
async def test_reservation_errors(
    rig: ApiRig, station: str, change: dict[str, object], status: int, words: str
) -> None:
    body = {"station_id": station, "id_token": "CARD-0001", "expires_at": _in(30), **change}
    answer = await rig.client.post("/api/reservations", json=body, headers=rig.auth())
    assert answer.status_code == status
    assert words in answer.text


async def test_unknown_reservation_is_404(rig: ApiRig) -> None:
    shown = await rig.client.get("/api/reservations/999", headers=rig.auth())
    cancelled = await rig.client.post("/api/reservations/999/cancel", headers=rig.auth())
    assert (shown.status_code, cancelled.status_code) == (404, 404)


async def test_a_whole_station_reservation_holds_every_evse(rig: ApiRig, station: str) -> None:
    body = {"station_id": station, "id_token": "CARD-0001", "expires_at": _in(30), "evse_id": 0}
    whole = await rig.client.post("/api/reservations", json=body, headers=rig.auth())
    one = await rig.client.post(
        "/api/reservations", json={**body, "evse_id": 1}, headers=rig.auth()
    )
    assert (whole.status_code, one.status_code) == (201, 409)
    assert "the station of CP-LA-1 is already reserved" in one.json()["detail"]
