"""``forecourt drift``: through a real HTTP server on 127.0.0.1 to scripted stations."""

from __future__ import annotations

import asyncio

from forecourt.bootstrap import build_services, open_database
from forecourt.domain import commands as cmd
from forecourt.domain.commands import CommandKind, CommandResult, CommandStatus
from forecourt.domain.stations import BootInfo
from tests.api.fakes import ScriptedGateway
from tests.cli.conftest import Cli


def booted(database_url: str, model: str) -> None:
    """CS-1 as its BootNotification leaves it: its model known."""

    async def run() -> None:
        database = open_database(database_url)
        services = build_services(database, ScriptedGateway())
        await services.core.provisioning.boot("CS-1", BootInfo("Acme", model))
        await database.dispose()

    asyncio.run(run())


def test_drift_found_and_corrected(remote: Cli, gateway: ScriptedGateway) -> None:
    booted(remote.database_url, "AC-22")
    key = remote.json("apikeys", "create", "ops", "--role", "operator")["key"]
    operator = Cli(remote.database_url, {**remote.env, "FORECOURT_API_KEY": key})
    operator.ok("drift", "set", "AC-22", "HeartbeatInterval", "60")
    assert [s["key"] for s in operator.json("drift", "desired", "--json")] == ["HeartbeatInterval"]
    values = [{"key": "HeartbeatInterval", "value": "300", "readonly": False}]
    gateway.answers[CommandKind.GET_CONFIGURATION] = CommandResult(
        CommandStatus.ACCEPTED, {"values": values, "unknown": []}
    )

    checked = remote("drift", "check", "CS-1")

    assert checked.exit_code == 1  # drift found
    assert "differs" in checked.stdout
    corrected = remote("drift", "correct", "CS-1")
    assert "set HeartbeatInterval = 60: accepted" in corrected.stdout
    assert gateway.sent[-2][1] == cmd.SetConfiguration(cmd.ConfigKey("HeartbeatInterval"), "60")
    values[0]["value"] = "60"
    assert remote("drift", "check", "CS-1").exit_code == 0
    assert remote("drift", "show", "CS-1").exit_code == 0
    assert "CS-1" in remote.ok("drift", "list").stdout
    assert remote.json("drift", "list", "--drifted", "--json") == []


def test_bad_input(remote: Cli) -> None:
    key = remote.json("apikeys", "create", "ops", "--role", "operator")["key"]
    operator = Cli(remote.database_url, {**remote.env, "FORECOURT_API_KEY": key})
    bad = operator("drift", "set", "AC-22", "A.B.C", "1")
    assert bad.exit_code == 2
    assert "key" in bad.stderr
    assert operator("drift", "remove", "42").exit_code == 1
    assert remote("drift", "show", "CS-1").exit_code == 1  # never checked: 404
    assert remote("drift", "set", "AC-22", "A", "1").exit_code == 1  # technicians may not
