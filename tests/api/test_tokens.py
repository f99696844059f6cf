"""Tokens through HTTP."""

from __future__ import annotations

from tests.api.conftest import ApiRig


async def test_tokens_are_added_listed_and_shown(rig: ApiRig) -> None:
    card = {"value": "04A2B3C4", "group": "fleet-7", "expires_at": "2027-01-01T00:00:00Z"}
    created = await rig.client.post("/api/tokens", json=card, headers=rig.auth())
    await rig.client.post(
        "/api/tokens", json={"value": "EMAID-1", "kind": "emaid"}, headers=rig.auth()
    )

    listed = await rig.client.get("/api/tokens", headers=rig.auth())
    shown = await rig.client.get("/api/tokens/04A2B3C4", headers=rig.auth())

    assert created.status_code == 201
    assert shown.json() == {
        "value": "04A2B3C4",
        "kind": "rfid",
        "blocked": False,
        "expires_at": "2027-01-01T00:00:00Z",
        "group": "fleet-7",
        "allow_concurrent": False,
        "label": "",
    }
    assert sorted(t["value"] for t in listed.json()) == ["04A2B3C4", "EMAID-1"]


async def test_tokens_are_blocked_unblocked_and_regrouped(rig: ApiRig) -> None:
    await rig.client.post("/api/tokens", json={"value": "T1", "group": "g"}, headers=rig.auth())

    blocked = await rig.client.patch("/api/tokens/T1", json={"blocked": True}, headers=rig.auth())
    ungrouped = await rig.client.patch("/api/tokens/T1", json={"group": ""}, headers=rig.auth())
    unblocked = await rig.client.patch(
        "/api/tokens/T1",
        json={"blocked": False, "expires_at": "2030-05-01T08:00:00+02:00", "kind": "central"},
        headers=rig.auth(),
    )

    assert blocked.json()["blocked"] is True
    assert ungrouped.json()["group"] is None
    assert unblocked.json()["blocked"] is False
    assert unblocked.json()["kind"] == "central"
    assert unblocked.json()["expires_at"] == "2030-05-01T06:00:00Z"


async def test_token_errors(rig: ApiRig) -> None:
    await rig.client.post("/api/tokens", json={"value": "T1"}, headers=rig.auth())

    duplicate = await rig.client.post("/api/tokens", json={"value": "T1"}, headers=rig.auth())
    missing = await rig.client.patch("/api/tokens/NOPE", json={"blocked": True}, headers=rig.auth())
    bad_kind = await rig.client.post(
        "/api/tokens", json={"value": "T2", "kind": "magic"}, headers=rig.auth()
    )
    empty = await rig.client.post("/api/tokens", json={"value": ""}, headers=rig.auth())

    assert duplicate.status_code == 409
    assert missing.status_code == 404
    assert missing.json()["detail"] == "token 'NOPE' not found"
    assert bad_kind.status_code == 422
    assert bad_kind.json()["errors"][0]["field"] == "kind"
    assert empty.json()["errors"][0]["message"] == "String should have at least 1 character"
