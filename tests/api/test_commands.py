"""Commands to stations through HTTP, against a gateway whose stations answer from a script."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

import pytest

from forecourt.domain import commands as cmd
from forecourt.domain.commands import CommandKind, CommandResult, CommandStatus
from forecourt.domain.tokens import TokenKind
from forecourt.services.access import Role
from tests.api.conftest import ApiRig, start_transaction

CENTRAL = TokenKind.CENTRAL

T0 = datetime(2026, 11, 21, 10, 0, tzinfo=UTC)

COMMANDS = "/api/stations/CS-1/commands"

# request body -> the neutral command the gateway must receive
TRANSLATIONS: list[tuple[dict[str, Any], cmd.Command]] = [
    ({"kind": "reset", "hard": True}, cmd.Reset(hard=True)),
    ({"kind": "reset"}, cmd.Reset(hard=False)),
    ({"kind": "reset", "evse_id": 2}, cmd.Reset(hard=False, evse_id=2)),
    ({"kind": "unlock_connector", "evse_id": 2}, cmd.UnlockConnector(2, 1)),
    (
        {"kind": "change_availability", "operative": False, "evse_id": 1},
        cmd.ChangeAvailability(False, 1, None),
    ),
    (  # without an id of its own, the command record's number becomes the remoteStartId
        {"kind": "remote_start", "id_token": "TAG-1", "evse_id": 1},
        cmd.RemoteStart("TAG-1", 1, remote_start_id=1, token_kind=CENTRAL),  # not registered
    ),
    (
        {"kind": "remote_start", "id_token": "TAG-1", "remote_start_id": 7},
        cmd.RemoteStart("TAG-1", None, remote_start_id=7, token_kind=CENTRAL),
    ),
    ({"kind": "remote_stop", "station_tx_id": "tx-77"}, cmd.RemoteStop("tx-77")),
    (
        {"kind": "trigger_message", "message": "status_notification", "evse_id": 1},
        cmd.TriggerMessage(cmd.TriggerKind.STATUS_NOTIFICATION, 1),
    ),
    (
        {"kind": "get_configuration", "keys": ["HeartbeatInterval", "OCPPCommCtrlr.Retries"]},
        cmd.GetConfiguration(
            (cmd.ConfigKey("HeartbeatInterval"), cmd.ConfigKey("Retries", "OCPPCommCtrlr"))
        ),
    ),
    (
        {"kind": "set_configuration", "key": "HeartbeatInterval", "value": "120"},
        cmd.SetConfiguration(cmd.ConfigKey("HeartbeatInterval"), "120"),
    ),
    (
        {"kind": "get_base_report", "report": "summary_inventory"},
        cmd.GetBaseReport(cmd.ReportKind.SUMMARY_INVENTORY, 0),
    ),
    ({"kind": "clear_cache"}, cmd.ClearCache()),
    (
        {"kind": "data_transfer", "vendor_id": "com.acme", "message_id": "m", "data": "x"},
        cmd.DataTransfer("com.acme", "m", "x"),
    ),
]


@pytest.fixture
async def online(rig: ApiRig) -> ApiRig:
    await rig.services.network.add_station("CS-1")
    rig.gateway.connected.add("CS-1")
    return rig


@pytest.mark.parametrize(("body", "command"), TRANSLATIONS, ids=lambda v: str(v)[:40])
async def test_each_command_reaches_the_station_in_neutral_terms(
    online: ApiRig, body: dict[str, Any], command: cmd.Command
) -> None:
    response = await online.client.post(COMMANDS, json=body, headers=online.auth(Role.TECHNICIAN))

    assert response.status_code == 200, response.text
    record = response.json()
    assert online.gateway.sent[-1][:2] == ("CS-1", command)
    assert (record["kind"], record["status"], record["succeeded"]) == (
        cmd.kind_of(command).value,
        "accepted",
        True,
    )
    assert record["requested_by"].startswith("api-key:technician-key")
    assert record["completed_at"] is not None


async def test_the_station_answer_and_its_data_come_back(online: ApiRig) -> None:
    values = {"configuration": [{"key": "HeartbeatInterval", "value": "300"}]}
    online.gateway.answers[CommandKind.GET_CONFIGURATION] = CommandResult(
        CommandStatus.ACCEPTED, values
    )

    response = await online.client.post(
        COMMANDS, json={"kind": "get_configuration"}, headers=online.auth()
    )

    assert response.json()["result"] == values


@pytest.mark.parametrize(
    "answer",
    [
        CommandResult(CommandStatus.REJECTED),
        CommandResult(CommandStatus.TIMEOUT, error="no answer in 30 s"),
        CommandResult(CommandStatus.NOT_SUPPORTED, error="1.6 has no GetBaseReport"),
    ],
    ids=lambda r: r.status.value,
)
async def test_failures_on_the_station_side_are_200_with_the_record(
    online: ApiRig, answer: CommandResult
) -> None:
    online.gateway.answers[CommandKind.RESET] = answer

    response = await online.client.post(COMMANDS, json={"kind": "reset"}, headers=online.auth())

    assert response.status_code == 200
    record = response.json()
    assert (record["status"], record["succeeded"], record["error"]) == (
        answer.status.value,
        False,
        answer.error,
    )


async def test_a_command_to_an_offline_station_is_recorded_as_offline(rig: ApiRig) -> None:
    await rig.services.network.add_station("CS-1")

    response = await rig.client.post(COMMANDS, json={"kind": "reset"}, headers=rig.auth())

    assert response.status_code == 200
    assert response.json()["status"] == "offline"
    assert response.json()["error"] == "station is not connected"
    assert rig.gateway.sent == []


async def test_a_command_to_an_unknown_station_is_404(rig: ApiRig) -> None:
    response = await rig.client.post(
        "/api/stations/NOPE/commands", json={"kind": "reset"}, headers=rig.auth()
    )

    assert response.status_code == 404
    assert response.json()["detail"] == "station 'NOPE' not found"


@pytest.mark.parametrize(
    ("body", "field", "message"),
    [
        ({"kind": "explode"}, "kind", "Input tag 'explode' found using 'kind' does not match"),
        ({"hard": True}, "kind", "Unable to extract tag using discriminator 'kind'"),
        ({"kind": "reset", "hard": "maybe"}, "hard", "Input should be a valid boolean"),
        ({"kind": "unlock_connector", "evse_id": 0}, "evse_id", "greater than or equal to 1"),
        ({"kind": "remote_start"}, "id_token", "Field required"),
        ({"kind": "remote_stop"}, "(body)", "give exactly one of transaction_id and station_tx_id"),
        ({"kind": "trigger_message", "message": "Heartbeat"}, "message", "'heartbeat'"),
        ({"kind": "set_configuration", "key": "a.b.c", "value": "1"}, "key", "pattern"),
        ({"kind": "clear_cache", "force": True}, "force", "Extra inputs are not permitted"),
    ],
)
async def test_bad_commands_name_the_field(
    online: ApiRig, body: dict[str, Any], field: str, message: str
) -> None:
    response = await online.client.post(COMMANDS, json=body, headers=online.auth())

    assert response.status_code == 422
    [error] = response.json()["errors"]
    assert error["field"] == field
    assert message in error["message"]
    assert online.gateway.sent == []


async def test_remote_stop_by_number_checks_the_station(online: ApiRig) -> None:
    await online.services.network.add_station("CS-2")
    here = await start_transaction(online, "CS-1", "TAG-A", T0)
    elsewhere = await start_transaction(online, "CS-2", "TAG-B", T0)

    stopped = await online.client.post(
        COMMANDS, json={"kind": "remote_stop", "transaction_id": here}, headers=online.auth()
    )
    wrong = await online.client.post(
        COMMANDS, json={"kind": "remote_stop", "transaction_id": elsewhere}, headers=online.auth()
    )

    assert stopped.json()["status"] == "accepted"
    assert online.gateway.sent[-1][1] == cmd.RemoteStop(str(here))
    assert wrong.status_code == 422
    assert wrong.json()["detail"] == f"transaction {elsewhere} runs on station 'CS-2', not 'CS-1'"


async def test_the_command_log(online: ApiRig) -> None:
    first = await online.client.post(COMMANDS, json={"kind": "reset"}, headers=online.auth())
    await online.client.post(COMMANDS, json={"kind": "clear_cache"}, headers=online.auth())

    log = await online.client.get(COMMANDS, headers=online.auth(Role.VIEWER))
    one = await online.client.get(
        f"/api/commands/{first.json()['id']}", headers=online.auth(Role.VIEWER)
    )
    missing = await online.client.get("/api/commands/999", headers=online.auth())
    unknown_station = await online.client.get("/api/stations/NOPE/commands", headers=online.auth())

    assert [r["kind"] for r in log.json()] == ["clear_cache", "reset"]
    assert one.json() == first.json()
    assert missing.status_code == 404
    assert unknown_station.status_code == 404
