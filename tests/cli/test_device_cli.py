"""``forecourt device``: through a real HTTP server on 127.0.0.1 to scripted stations."""

from __future__ import annotations

import asyncio
from pathlib import Path

from forecourt.bootstrap import build_services, open_database
from forecourt.domain import device as dev
from forecourt.domain.commands import CommandKind, CommandResult, CommandStatus, ConfigKey
from forecourt.domain.events import StationEventKind
from tests.api.fakes import ScriptedGateway
from tests.cli.conftest import Cli

ACCEPTED_MONITOR = CommandResult(
    CommandStatus.ACCEPTED,
    {
        "monitors": [
            {"monitor_id": 4, "key": "ChargingStation.Temperature", "kind": "upper_threshold",
             "severity": 2, "status": "accepted"}
        ],
        "refused": 0,
    },
)  # fmt: skip
REFUSED_MONITOR = CommandResult(
    CommandStatus.REJECTED,
    {
        "monitors": [
            {"monitor_id": None, "key": "ChargingStation.Humidity", "kind": "delta",
             "severity": 8, "status": "unknown_variable"}
        ],
        "refused": 1,
    },
    "1 of 1 monitors refused",
)  # fmt: skip


def test_set_and_list_monitors(remote: Cli, gateway: ScriptedGateway) -> None:
    gateway.answers[CommandKind.SET_MONITORS] = ACCEPTED_MONITOR
    words = ["ChargingStation.Temperature", "upper_threshold", "70", "--severity", "2"]

    result = remote("device", "set-monitor", "CS-1", *words)

    assert result.exit_code == 0, (result.stdout, result.stderr)
    spec = dev.MonitorSpec(
        ConfigKey.parse("ChargingStation.Temperature"), dev.MonitorKind.UPPER_THRESHOLD, 70.0, 2
    )
    assert gateway.sent[-1][:2] == ("CS-1", dev.SetMonitors((spec,)))
    listed = remote.json("device", "monitors", "CS-1", "--json")
    assert [(m["monitor_id"], m["status"], m["value"]) for m in listed] == [(4, "accepted", 70.0)]


def test_a_refused_monitor_exits_1_and_says_why(remote: Cli, gateway: ScriptedGateway) -> None:
    gateway.answers[CommandKind.SET_MONITORS] = REFUSED_MONITOR

    result = remote("device", "set-monitor", "CS-1", "ChargingStation.Humidity", "delta", "5")

    assert result.exit_code == 1
    assert "unknown_variable" in result.stdout
    assert "1 of 1 monitors refused" in result.stdout


def test_bad_input_is_a_usage_error(remote: Cli, gateway: ScriptedGateway) -> None:
    no_component = remote("device", "set-monitor", "CS-1", "Temperature", "delta", "5")
    bad_kind = remote("device", "set-monitor", "CS-1", "A.B", "sideways", "5")
    bad_base = remote("device", "monitoring-base", "CS-1", "most")

    assert no_component.exit_code == 2
    assert "key" in no_component.stderr
    assert bad_kind.exit_code == 2
    assert bad_base.exit_code == 2
    assert gateway.sent == []


def test_monitoring_base_level_report_and_clear(remote: Cli, gateway: ScriptedGateway) -> None:
    assert remote("device", "monitoring-base", "CS-1", "factory_default").exit_code == 0
    assert gateway.sent[-1][1] == dev.SetMonitoringBase(dev.MonitoringBase.FACTORY_DEFAULT)
    assert remote("device", "monitoring-level", "CS-1", "3").exit_code == 0
    assert gateway.sent[-1][1] == dev.SetMonitoringLevel(3)
    assert remote("device", "monitoring-report", "CS-1").exit_code == 0
    assert isinstance(gateway.sent[-1][1], dev.GetMonitoringReport)
    gateway.answers[CommandKind.CLEAR_MONITORS] = CommandResult(
        CommandStatus.ACCEPTED, {"cleared": [{"monitor_id": 4, "status": "accepted"}]}
    )
    assert remote("device", "clear-monitors", "CS-1", "4").exit_code == 0
    assert gateway.sent[-1][1] == dev.ClearMonitors((4,))


def test_templates(remote: Cli, gateway: ScriptedGateway) -> None:
    key = remote.json("apikeys", "create", "ops", "--role", "operator")["key"]
    operator = Cli(remote.database_url, {**remote.env, "FORECOURT_API_KEY": key})
    added = operator("device", "add-template", "DC-150", "ChargingStation.Temperature",
                     "upper_threshold", "80")  # fmt: skip
    assert added.exit_code == 0, added.stderr
    listed = operator.json("device", "templates", "--model", "DC-150", "--json")
    assert [(t["key"], t["value"]) for t in listed] == [("ChargingStation.Temperature", 80.0)]

    nothing = remote("device", "apply-templates", "CS-1")  # CS-1 never booted: no model
    assert nothing.exit_code == 0
    assert "nothing sent" in nothing.stdout
    assert gateway.sent == []

    assert operator("device", "remove-template", str(listed[0]["id"])).exit_code == 0
    assert operator("device", "remove-template", str(listed[0]["id"])).exit_code == 1


def test_display_messages(remote: Cli, gateway: ScriptedGateway) -> None:
    shown = remote("device", "show-message", "CS-1", "--preset", "other_port", "--detail", "EVSE 2")
    assert shown.exit_code == 0, shown.stderr
    sent = gateway.sent[-1][1]
    assert isinstance(sent, dev.SetDisplayMessage)
    assert sent.text == "Please use EVSE 2: this one is out of order"

    own = remote("device", "show-message", "CS-1", "--id", "5", "--text", "Hello",
                 "--priority", "in_front", "--state", "charging")  # fmt: skip
    assert own.exit_code == 0
    assert gateway.sent[-1][1] == dev.SetDisplayMessage(
        5, "Hello", dev.MessagePriority.IN_FRONT, dev.MessageState.CHARGING
    )
    listed = remote.json("device", "messages", "CS-1", "--json")
    assert [m["message_id"] for m in listed] == [5, 7003]

    assert remote("device", "clear-message", "CS-1", "5").exit_code == 0
    assert remote("device", "refresh-messages", "CS-1").exit_code == 0
    assert isinstance(gateway.sent[-1][1], dev.GetDisplayMessages)
    neither = remote("device", "show-message", "CS-1", "--text", "no id")
    assert neither.exit_code == 2
    assert "preset" in neither.stderr


def test_customer_information(remote: Cli, gateway: ScriptedGateway, tmp_path: Path) -> None:
    key = remote.json("apikeys", "create", "ops", "--role", "operator")["key"]
    operator = Cli(remote.database_url, {**remote.env, "FORECOURT_API_KEY": key})

    asked = operator("device", "customer-info", "CS-1", "--id-token", "CARD-1", "--clear")

    assert asked.exit_code == 0, asked.stderr
    sent = gateway.sent[-1][1]
    assert isinstance(sent, dev.CustomerInformation)
    assert (sent.id_token, sent.clear, sent.report) == ("CARD-1", True, True)
    assert f"request {sent.request_id}: accepted" in asked.stdout
    missing = operator("device", "customer-report", "CS-1", str(sent.request_id))
    assert missing.exit_code == 1
    assert "not found" in missing.stderr.lower()
    both = operator("device", "customer-info", "CS-1", "--id-token", "A", "--customer-id", "B")
    assert both.exit_code == 2

    station_reports(remote.database_url, sent.request_id, ["CARD-1: ", "3 sessions"])
    shown = operator("device", "customer-report", "CS-1", str(sent.request_id))
    assert shown.exit_code == 0
    assert "2 part(s), complete" in shown.stdout
    assert "CARD-1: 3 sessions" in shown.stdout
    out = tmp_path / "report.txt"
    operator.ok("device", "customer-report", "CS-1", str(sent.request_id), "--output", str(out))
    assert out.read_text() == "CARD-1: 3 sessions"


def station_reports(database_url: str, request_id: int, parts: list[str]) -> None:
    """The NotifyCustomerInformation parts as the station's messages leave them."""

    async def run() -> None:
        database = open_database(database_url)
        services = build_services(database, ScriptedGateway())
        for seq, text in enumerate(parts):
            data = {"requestId": request_id, "seqNo": seq, "data": text,
                    "tbc": seq < len(parts) - 1}  # fmt: skip
            await services.core.records.record("CS-1", StationEventKind.CUSTOMER_INFORMATION, data)
        await database.dispose()

    asyncio.run(run())
