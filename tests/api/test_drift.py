"""Configuration drift through HTTP against scripted stations; bad input is a precise 4xx."""

from __future__ import annotations

import pytest

from forecourt.domain import commands as cmd
from forecourt.domain.commands import CommandKind, CommandResult, CommandStatus
from forecourt.domain.stations import BootInfo
from forecourt.services.access import Role
from tests.api.conftest import ApiRig


@pytest.fixture
async def online(rig: ApiRig) -> ApiRig:
    await rig.services.network.add_station("CS-1")
    await rig.services.core.provisioning.boot("CS-1", BootInfo("Acme", "AC-22"))
    rig.gateway.connected.add("CS-1")
    values = [{"key": "HeartbeatInterval", "value": "300", "readonly": False}]
    rig.gateway.answers[CommandKind.GET_CONFIGURATION] = CommandResult(
        CommandStatus.ACCEPTED, {"values": values, "unknown": ["Nope"]}
    )
    return rig


async def test_desired_settings_drift_and_correction(online: ApiRig) -> None:
    for key, value in (("HeartbeatInterval", "60"), ("Nope", "1")):
        added = await online.client.post(
            "/api/desired-settings",
            json={"model": "AC-22", "key": key, "value": value},
            headers=online.auth(Role.OPERATOR),
        )
        assert added.status_code == 201, added.text

    checked = await online.client.post(
        "/api/stations/CS-1/drift/check", headers=online.auth(Role.TECHNICIAN)
    )

    assert checked.status_code == 200
    body = checked.json()
    assert body["drifted"] == 2
    assert [(i["key"], i["state"], i["actual"]) for i in body["items"]] == [
        ("HeartbeatInterval", "differs", "300"),
        ("Nope", "missing", None),
    ]
    assert online.gateway.sent[-1][1] == cmd.GetConfiguration(
        (cmd.ConfigKey("HeartbeatInterval"), cmd.ConfigKey("Nope"))
    )

    corrected = await online.client.post("/api/stations/CS-1/drift/correct", headers=online.auth())

    assert corrected.status_code == 200
    [command] = corrected.json()["commands"]
    assert (command["kind"], command["params"]["value"]) == ("set_configuration", "60")
    listed = await online.client.get("/api/drift?drifted=true", headers=online.auth(Role.VIEWER))
    assert [c["station_id"] for c in listed.json()] == ["CS-1"]
    latest = await online.client.get("/api/stations/CS-1/drift", headers=online.auth())
    assert latest.json()["checked_at"] == corrected.json()["check"]["checked_at"]


async def test_a_station_that_does_not_answer_is_an_error(online: ApiRig) -> None:
    online.gateway.answers[CommandKind.GET_CONFIGURATION] = CommandResult(
        CommandStatus.TIMEOUT, error="no answer in 30 s"
    )
    await online.client.post(
        "/api/desired-settings",
        json={"model": "AC-22", "key": "HeartbeatInterval", "value": "60"},
        headers=online.auth(),
    )
    checked = await online.client.post("/api/stations/CS-1/drift/check", headers=online.auth())
    assert (
        checked.json()["error"] == "could not read the configuration: timeout (no answer in 30 s)"
    )
    assert checked.json()["items"] == []


@pytest.mark.parametrize(
    "body",
    [
        {"model": "", "key": "A", "value": "1"},
        {"model": "M", "key": "A.B.C", "value": "1"},
        {"model": "M", "key": "A", "value": "x" * 1001},
        {"model": "M", "key": "A"},
    ],
)
async def test_bad_desired_settings_are_422(online: ApiRig, body: dict[str, str]) -> None:
    response = await online.client.post("/api/desired-settings", json=body, headers=online.auth())
    assert response.status_code == 422


async def test_roles_and_unknowns(online: ApiRig) -> None:
    body = {"model": "M", "key": "A", "value": "1"}
    denied = await online.client.post(
        "/api/desired-settings", json=body, headers=online.auth(Role.TECHNICIAN)
    )
    assert denied.status_code == 403
    assert (
        await online.client.get("/api/stations/NOPE/drift", headers=online.auth())
    ).status_code == 404
    never = await online.client.get("/api/stations/CS-1/drift", headers=online.auth())
    assert never.status_code == 404
    gone = await online.client.delete("/api/desired-settings/99", headers=online.auth())
    assert gone.status_code == 404
