"""``forecourt command``: through a real HTTP server on 127.0.0.1 to scripted stations."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
from fastapi import FastAPI

import forecourt
from forecourt.domain import commands as cmd
from forecourt.domain.commands import CommandKind, CommandResult, CommandStatus
from tests.api.fakes import ScriptedGateway
from tests.cli.conftest import Cli, ServerThread, static
from tests.cli.test_database_commands import start_transactions

# CLI words -> the neutral command the station receives
TRANSLATIONS: list[tuple[list[str], cmd.Command]] = [
    (["reset"], cmd.Reset(hard=False)),
    (["reset", "--hard"], cmd.Reset(hard=True)),
    (["reset", "--evse", "2"], cmd.Reset(hard=False, evse_id=2)),
    (
        ["report", "--criterion", "problem", "--key", "EVSE", "--key", "A.B", "--request-id", "3"],
        cmd.GetReport(
            (cmd.ReportCriterion.PROBLEM,),
            (cmd.ConfigKey("", "EVSE"), cmd.ConfigKey("B", "A")),
            3,
        ),
    ),
    (
        ["network-profile", "1", "wss://csms.example/ocpp", "--security-profile", "2"],
        cmd.SetNetworkProfile(1, cmd.NetworkProfile("wss://csms.example/ocpp", 2)),
    ),
    (["transaction-status", "TX-1"], cmd.GetTransactionStatus("TX-1")),
    (["transaction-status"], cmd.GetTransactionStatus()),
    (["unlock", "--evse", "2"], cmd.UnlockConnector(2, 1)),
    (["availability", "--inoperative"], cmd.ChangeAvailability(False, 0)),
    (["availability", "--operative", "--evse", "1"], cmd.ChangeAvailability(True, 1)),
    (
        ["trigger", "meter_values", "--evse", "1"],
        cmd.TriggerMessage(cmd.TriggerKind.METER_VALUES, 1),
    ),
    (["get-config"], cmd.GetConfiguration(())),
    (
        ["get-config", "HeartbeatInterval", "OCPPCommCtrlr.Retries"],
        cmd.GetConfiguration(
            (cmd.ConfigKey("HeartbeatInterval"), cmd.ConfigKey("Retries", "OCPPCommCtrlr"))
        ),
    ),
    (
        ["set-config", "HeartbeatInterval", "120"],
        cmd.SetConfiguration(cmd.ConfigKey("HeartbeatInterval"), "120"),
    ),
    (["base-report", "--report", "summary"], cmd.GetBaseReport(cmd.ReportKind.SUMMARY_INVENTORY)),
    (["clear-cache"], cmd.ClearCache()),
    (
        ["data-transfer", "com.acme", "--message-id", "ping", "--data", "{}"],
        cmd.DataTransfer("com.acme", "ping", "{}"),
    ),
]


@pytest.mark.parametrize(
    ("words", "command"), TRANSLATIONS, ids=[" ".join(words) for words, _ in TRANSLATIONS]
)
def test_each_command_reaches_the_station(
    remote: Cli, gateway: ScriptedGateway, words: list[str], command: cmd.Command
) -> None:
    result = remote("command", "CS-1", *words)

    assert result.exit_code == 0, (result.stdout, result.stderr)
    assert gateway.sent[-1][:2] == ("CS-1", command)
    assert "accepted" in result.stdout


def test_remote_start_and_stop(remote: Cli, gateway: ScriptedGateway) -> None:
    remote.ok("stations", "add", "CS-2")
    start_transactions(remote.database_url)  # 1: CS-1, 2: CS-1, 3: CS-2

    started = remote("command", "CS-1", "start", "--token", "TAG-9", "--evse", "1")
    started_command = gateway.sent[-1][1]
    stopped = remote("command", "CS-1", "stop", "--transaction", "2")
    elsewhere = remote("command", "CS-1", "stop", "--transaction", "3")

    assert started.exit_code == 0
    assert isinstance(started_command, cmd.RemoteStart)
    assert (started_command.id_token, started_command.evse_id) == ("TAG-9", 1)
    assert stopped.exit_code == 0
    assert gateway.sent[-1][1] == cmd.RemoteStop("2")
    assert elsewhere.exit_code == 2
    assert "transaction 3 runs on station 'CS-2', not 'CS-1'" in elsewhere.stderr


def test_the_json_output_is_the_command_record(remote: Cli) -> None:
    result = remote("command", "CS-1", "reset", "--hard", "--json")

    record = json.loads(result.stdout)
    assert result.exit_code == 0
    assert (record["kind"], record["params"], record["status"]) == (
        "reset",
        {"hard": True, "evse_id": None},
        "accepted",
    )
    assert record["requested_by"].startswith("api-key:tech")


def test_the_answer_data_is_shown_as_a_table(remote: Cli, gateway: ScriptedGateway) -> None:
    gateway.answers[CommandKind.GET_CONFIGURATION] = CommandResult(
        CommandStatus.ACCEPTED,
        {
            "values": [{"key": "HeartbeatInterval", "value": "300", "readonly": False}],
            "unknown": ["Nope"],
        },
    )

    result = remote("command", "CS-1", "get-config", "HeartbeatInterval", "Nope")

    assert result.exit_code == 0
    assert "HeartbeatInterval" in result.stdout
    assert "300" in result.stdout
    assert "Nope" in result.stdout


@pytest.mark.parametrize(
    "answer",
    [
        CommandResult(CommandStatus.REJECTED),
        CommandResult(CommandStatus.TIMEOUT, error="no answer within 30 s"),
        CommandResult(CommandStatus.UNLOCK_FAILED),
    ],
    ids=lambda a: a.status.value,
)
def test_a_refusal_exits_1(remote: Cli, gateway: ScriptedGateway, answer: CommandResult) -> None:
    gateway.answers[CommandKind.UNLOCK_CONNECTOR] = answer

    result = remote("command", "CS-1", "unlock")

    assert result.exit_code == 1
    assert answer.status.value in result.stdout


def test_an_offline_station_exits_1(remote: Cli, gateway: ScriptedGateway) -> None:
    gateway.connected.clear()

    result = remote("command", "CS-1", "reset", "--json")

    assert result.exit_code == 1
    assert json.loads(result.stdout)["status"] == "offline"


def test_server_problems_are_printed_as_their_detail(remote: Cli) -> None:
    unknown = remote("command", "NOPE", "reset")
    invalid = remote("command", "CS-1", "set-config", "a.b.c", "1")

    assert unknown.exit_code == 1
    assert "station 'NOPE' not found" in unknown.stderr
    assert invalid.exit_code == 2
    assert "key: String should match pattern" in invalid.stderr
    assert "Traceback" not in unknown.output + invalid.output


@pytest.mark.usefixtures("remote")  # registers station CS-1
def test_keys_are_checked(cli: Cli, server: ServerThread) -> None:
    viewer_key = cli.json("apikeys", "create", "view", "--role", "viewer")["key"]
    base = ["command", "--server", server.url]

    missing = Cli(cli.database_url)(*base, "CS-1", "reset")
    wrong = cli(*base, "--api-key", "fc_00000000_wrong", "CS-1", "reset")
    too_weak = cli(*base, "--api-key", viewer_key, "CS-1", "reset")

    assert missing.exit_code == 2
    assert "an API key is needed" in missing.stderr
    assert wrong.exit_code == 1
    assert "the API key is not valid" in wrong.stderr
    assert too_weak.exit_code == 1
    assert "this needs the technician role" in too_weak.stderr


def test_an_unreachable_server_is_reported(cli: Cli) -> None:
    result = cli("command", "--server", "http://127.0.0.1:9", "--api-key", "k", "CS-1", "reset")

    assert result.exit_code == 1
    assert "cannot reach the Forecourt server at http://127.0.0.1:9" in result.stderr


@pytest.mark.parametrize(
    "words",
    [
        ["trigger", "coffee"],
        ["availability"],
        ["start"],
        ["stop", "--transaction", "zero"],
        ["unlock", "--evse", "0"],
        ["base-report", "--report", "everything"],
        ["explode"],
    ],
)
def test_usage_errors_exit_2_without_calling_the_server(remote: Cli, words: list[str]) -> None:
    result = remote("command", "CS-1", *words)

    assert result.exit_code == 2, result.output


def test_an_unknown_trigger_lists_the_valid_ones(remote: Cli) -> None:
    result = remote("command", "CS-1", "trigger", "coffee")

    assert "'coffee' is not one of 'boot_notification', 'heartbeat'" in result.stderr


def entry_point() -> list[str]:
    """The installed ``forecourt`` script beside this interpreter, else the module."""
    script = shutil.which("forecourt", path=str(Path(sys.executable).parent))
    return [script] if script else [sys.executable, "-m", "forecourt.cli.main"]


def test_the_cli_runs_in_its_own_process(remote: Cli) -> None:
    source = str(Path(forecourt.__file__).parents[1])
    env = {**os.environ, **remote.env, "FORECOURT_DATABASE_URL": remote.database_url}
    env["PYTHONPATH"] = os.pathsep.join(filter(None, [source, env.get("PYTHONPATH")]))

    def run(*words: str) -> subprocess.CompletedProcess[str]:
        command = [*entry_point(), *words]
        return subprocess.run(command, env=env, capture_output=True, text=True, timeout=60)

    accepted = run("command", "CS-1", "clear-cache")
    unknown = run("command", "NOPE", "clear-cache")
    usage = run("command", "CS-1", "trigger", "coffee")

    assert accepted.returncode == 0, accepted.stderr
    assert "clear_cache" in accepted.stdout
    assert unknown.returncode == 1
    assert unknown.stderr.strip() == "error: station 'NOPE' not found"
    assert usage.returncode == 2


def test_a_server_that_is_not_forecourt_is_reported(cli: Cli) -> None:
    app = FastAPI()

    @app.post("/api/stations/{station_id}/commands")
    async def imposter(station_id: str) -> dict[str, str]:
        return {"hello": station_id}

    with ServerThread(static(app)) as imposter_server:
        url = imposter_server.url
        result = cli("command", "--server", url, "--api-key", "k", "CS-1", "reset")

    assert result.exit_code == 1
    assert "did not answer like a Forecourt server" in result.stderr


def test_rotate_password_needs_a_password_then_sends_one(
    cli: Cli, remote: Cli, gateway: ScriptedGateway
) -> None:
    without = remote("command", "CS-1", "rotate-password")
    cli.ok("stations", "set-password", "CS-1", "--password", "first-password-123")
    rotated = remote("command", "CS-1", "rotate-password", "--json")

    assert without.exit_code == 1
    assert "connects without a password" in without.stderr
    assert rotated.exit_code == 0, rotated.stderr
    sent = gateway.sent[-1][1]
    assert isinstance(sent, cmd.SetStationPassword)
    assert sent.password not in rotated.stdout
    assert json.loads(rotated.stdout)["kind"] == "set_station_password"


def test_configure_needs_get_or_set(remote: Cli) -> None:
    neither = remote("command", "CS-1", "configure")
    malformed = remote("command", "CS-1", "configure", "--set", "NoEquals")

    assert neither.exit_code == 2
    assert "--get KEY" in neither.stderr
    assert malformed.exit_code == 2
    assert "KEY=VALUE" in malformed.stderr
