"""Device management through HTTP: monitors (refusals kept), templates, display messages and
presets, customer information; bad input is a precise 4xx."""

from __future__ import annotations

from typing import Any

import pytest

from forecourt.domain import device as dev
from forecourt.domain.commands import CommandKind, CommandResult, CommandStatus, ConfigKey
from forecourt.domain.events import StationEvent, StationEventKind
from forecourt.domain.stations import BootInfo
from forecourt.services.access import Role
from tests.api.conftest import ApiRig

STATION = "/api/stations/CS-1"
TEMPERATURE = {"key": "ChargingStation.Temperature", "kind": "upper_threshold", "value": 70}


@pytest.fixture
async def online(rig: ApiRig) -> ApiRig:
    await rig.services.network.add_station("CS-1")
    await rig.services.core.provisioning.boot("CS-1", BootInfo("Acme", "DC-150"))
    rig.gateway.connected.add("CS-1")
    return rig


def monitor_answer(*statuses: str) -> CommandResult:
    monitors = [
        {
            "monitor_id": i + 1 if status == "accepted" else None,
            "key": "ChargingStation.Temperature" if i == 0 else "ChargingStation.Humidity",
            "kind": "upper_threshold",
            "severity": 8,
            "status": status,
        }
        for i, status in enumerate(statuses)
    ]
    refused = sum(s != "accepted" for s in statuses)
    status = CommandStatus.REJECTED if refused else CommandStatus.ACCEPTED
    return CommandResult(status, {"monitors": monitors, "refused": refused})


async def test_set_monitors_keeps_accepted_and_refused(online: ApiRig) -> None:
    online.gateway.answers[CommandKind.SET_MONITORS] = monitor_answer(
        "accepted", "unknown_variable"
    )
    humidity = {**TEMPERATURE, "key": "ChargingStation.Humidity", "evse_id": 2, "severity": 3}
    body = {"monitors": [TEMPERATURE, humidity]}

    response = await online.client.post(
        f"{STATION}/monitors", json=body, headers=online.auth(Role.TECHNICIAN)
    )

    assert response.status_code == 200, response.text
    answer = response.json()
    assert answer["command"]["status"] == "rejected"
    assert [(m["key"], m["status"], m["monitor_id"]) for m in answer["monitors"]] == [
        ("ChargingStation.Temperature", "accepted", 1),
        ("ChargingStation.Humidity", "unknown_variable", None),
    ]
    _, sent, _ = online.gateway.sent[-1]
    assert sent == dev.SetMonitors(
        (
            dev.MonitorSpec(ConfigKey.parse("ChargingStation.Temperature"),
                            dev.MonitorKind.UPPER_THRESHOLD, 70.0),
            dev.MonitorSpec(ConfigKey("Humidity", "ChargingStation", 2),
                            dev.MonitorKind.UPPER_THRESHOLD, 70.0, severity=3),
        )
    )  # fmt: skip
    listed = await online.client.get(f"{STATION}/monitors", headers=online.auth(Role.VIEWER))
    assert [m["status"] for m in listed.json()] == ["accepted", "unknown_variable"]


@pytest.mark.parametrize(
    ("body", "where"),
    [
        ({"monitors": []}, "monitors"),
        ({"monitors": [{**TEMPERATURE, "key": "Temperature"}]}, "key"),
        ({"monitors": [{**TEMPERATURE, "kind": "sideways"}]}, "kind"),
        ({"monitors": [{**TEMPERATURE, "severity": 10}]}, "severity"),
    ],
)
async def test_bad_monitors_are_422(online: ApiRig, body: dict[str, Any], where: str) -> None:
    response = await online.client.post(f"{STATION}/monitors", json=body, headers=online.auth())
    assert response.status_code == 422
    assert where in response.text
    assert online.gateway.sent == []


async def test_viewers_cannot_set_monitors_and_unknown_stations_are_404(online: ApiRig) -> None:
    body = {"monitors": [TEMPERATURE]}
    denied = await online.client.post(
        f"{STATION}/monitors", json=body, headers=online.auth(Role.VIEWER)
    )
    assert denied.status_code == 403
    missing = await online.client.get("/api/stations/NOPE/monitors", headers=online.auth())
    assert missing.status_code == 404


async def test_templates_are_added_applied_and_removed(online: ApiRig) -> None:
    online.gateway.answers[CommandKind.SET_MONITORS] = monitor_answer("accepted")
    template = {"model": "DC-150", **TEMPERATURE, "value": 80}
    added = await online.client.post("/api/monitor-templates", json=template, headers=online.auth())
    assert added.status_code == 201, added.text

    applied = await online.client.post(
        f"{STATION}/monitors/apply-templates", headers=online.auth(Role.TECHNICIAN)
    )

    assert applied.status_code == 200
    [monitor] = applied.json()["monitors"]
    assert (monitor["source"], monitor["value"]) == ("template", 80.0)
    listed = await online.client.get("/api/monitor-templates?model=DC-150", headers=online.auth())
    assert [t["key"] for t in listed.json()] == ["ChargingStation.Temperature"]
    template_id = added.json()["id"]
    path = f"/api/monitor-templates/{template_id}"
    assert (await online.client.delete(path, headers=online.auth())).status_code == 204
    assert (await online.client.delete(path, headers=online.auth())).status_code == 404


async def test_clear_monitors_forgets_the_cleared_ones(online: ApiRig) -> None:
    online.gateway.answers[CommandKind.SET_MONITORS] = monitor_answer("accepted")
    await online.client.post(
        f"{STATION}/monitors", json={"monitors": [TEMPERATURE]}, headers=online.auth()
    )
    cleared = {"cleared": [{"monitor_id": 1, "status": "accepted"}]}
    online.gateway.answers[CommandKind.CLEAR_MONITORS] = CommandResult(
        CommandStatus.ACCEPTED, cleared
    )

    response = await online.client.post(
        f"{STATION}/monitors/clear", json={"monitor_ids": [1]}, headers=online.auth()
    )

    assert response.json()["monitors"] == []
    assert online.gateway.sent[-1][1] == dev.ClearMonitors((1,))


async def test_display_message_presets_and_clear(online: ApiRig) -> None:
    body = {"preset": "maintenance", "detail": "14:00"}
    response = await online.client.post(
        f"{STATION}/display-messages", json=body, headers=online.auth(Role.TECHNICIAN)
    )

    assert response.status_code == 200, response.text
    [message] = response.json()["messages"]
    assert (message["message_id"], message["priority"], message["status"]) == (
        7001,
        "always_front",
        "accepted",
    )
    assert message["text"] == "Out of service for maintenance until 14:00"

    cleared = await online.client.delete(f"{STATION}/display-messages/7001", headers=online.auth())
    assert cleared.json()["messages"] == []
    assert online.gateway.sent[-1][1] == dev.ClearDisplayMessage(7001)


async def test_a_refused_message_is_kept_with_the_reason(online: ApiRig) -> None:
    online.gateway.answers[CommandKind.SET_DISPLAY_MESSAGE] = CommandResult(
        CommandStatus.NOT_SUPPORTED, error="SetDisplayMessage (display messages) is not"
        " supported on OCPP 1.6"
    )  # fmt: skip
    body = {"message_id": 5, "text": "Hello", "priority": "in_front", "state": "idle"}
    response = await online.client.post(
        f"{STATION}/display-messages", json=body, headers=online.auth()
    )

    [message] = response.json()["messages"]
    assert message["status"] == "refused"
    assert "not supported on OCPP 1.6" in message["reason"]


@pytest.mark.parametrize(
    "body",
    [
        {"text": "no id"},
        {"preset": "maintenance", "text": "both"},
        {"preset": "teleport"},
        {"message_id": 1, "text": "x" * 513},
        {"message_id": 1, "text": "x", "priority": "top"},
    ],
)
async def test_bad_display_messages_are_422(online: ApiRig, body: dict[str, Any]) -> None:
    response = await online.client.post(
        f"{STATION}/display-messages", json=body, headers=online.auth()
    )
    assert response.status_code == 422


async def test_a_price_change_preset_needs_the_price(online: ApiRig) -> None:
    response = await online.client.post(
        f"{STATION}/display-messages", json={"preset": "price_change"}, headers=online.auth()
    )
    assert response.status_code == 422
    assert "new price" in response.text


async def test_customer_information_request_and_report(online: ApiRig) -> None:
    body = {"request_id": 9, "id_token": "CARD-1", "clear": True}
    response = await online.client.post(
        f"{STATION}/customer-information", json=body, headers=online.auth(Role.OPERATOR)
    )
    assert response.status_code == 200, response.text
    assert online.gateway.sent[-1][1] == dev.CustomerInformation(
        9, report=True, clear=True, id_token="CARD-1"
    )
    now = online.services.ctx.clock.now()
    async with online.services.ctx.uow() as uow:
        for seq, (text, tbc) in enumerate([("part one, ", True), ("part two", False)]):
            data = {"requestId": 9, "seqNo": seq, "data": text, "tbc": tbc}
            await uow.events.add(
                StationEvent("CS-1", StationEventKind.CUSTOMER_INFORMATION, now, data)
            )
        await uow.commit()

    report = await online.client.get(f"{STATION}/customer-information/9", headers=online.auth())
    assert report.json() == {"request_id": 9, "text": "part one, part two", "parts": 2,
                             "complete": True}  # fmt: skip
    download = await online.client.get(
        f"{STATION}/customer-information/9?download=true", headers=online.auth()
    )
    assert download.text == "part one, part two"
    assert "attachment" in download.headers["content-disposition"]
    missing = await online.client.get(f"{STATION}/customer-information/10", headers=online.auth())
    assert missing.status_code == 404


@pytest.mark.parametrize(
    "body",
    [
        {"id_token": "A", "customer_identifier": "B"},
        {},
        {"id_token": "A", "report": False, "clear": False},
        {"certificate": {"algorithm": "MD5", "issuer_name_hash": "a", "issuer_key_hash": "b",
                         "serial_number": "1"}},
    ],
)  # fmt: skip
async def test_bad_customer_information_is_422(online: ApiRig, body: dict[str, Any]) -> None:
    response = await online.client.post(
        f"{STATION}/customer-information", json=body, headers=online.auth()
    )
    assert response.status_code == 422
    assert online.gateway.sent == []


async def test_technicians_cannot_read_customer_information(online: ApiRig) -> None:
    response = await online.client.post(
        f"{STATION}/customer-information",
        json={"id_token": "A"},
        headers=online.auth(Role.TECHNICIAN),
    )
    assert response.status_code == 403
