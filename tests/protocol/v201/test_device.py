"""Device management on 2.0.1: golden request frames (schema-valid), answers made neutral."""

from __future__ import annotations

from typing import Any

import pytest

from forecourt.domain.commands import Command, CommandResult, CommandStatus, ConfigKey
from forecourt.domain.device import (
    CertificateHash,
    ClearDisplayMessage,
    ClearMonitors,
    CustomerInformation,
    GetDisplayMessages,
    GetMonitoringReport,
    MessagePriority,
    MessageState,
    MonitoringBase,
    MonitoringCriterion,
    MonitorKind,
    MonitorSpec,
    SetDisplayMessage,
    SetMonitoringBase,
    SetMonitoringLevel,
    SetMonitors,
)
from forecourt.domain.errors import CommandNotSupported
from forecourt.ocpp.v16 import ADAPTER as ADAPTER16
from forecourt.ocpp.v201 import ADAPTER
from forecourt.ocpp.validation import validator_for
from forecourt.ocpp.versions import OcppVersion

VALIDATOR = validator_for(OcppVersion.V201)
POWER = ConfigKey("Power", "EVSE", evse_id=1)
TEMPERATURE = ConfigKey.parse("ChargingStation.Temperature")

DEVICE_RENDERED: list[tuple[Command, str, dict[str, Any]]] = [
    (
        SetMonitors(
            (
                MonitorSpec(TEMPERATURE, MonitorKind.UPPER_THRESHOLD, 70.0, severity=4),
                MonitorSpec(POWER, MonitorKind.DELTA, 1000.0, monitor_id=12, transaction=True),
            )
        ),
        "SetVariableMonitoring",
        {
            "setMonitoringData": [
                {
                    "value": 70.0,
                    "type": "UpperThreshold",
                    "severity": 4,
                    "component": {"name": "ChargingStation"},
                    "variable": {"name": "Temperature"},
                },
                {
                    "value": 1000.0,
                    "type": "Delta",
                    "severity": 8,
                    "component": {"name": "EVSE", "evse": {"id": 1}},
                    "variable": {"name": "Power"},
                    "id": 12,
                    "transaction": True,
                },
            ]
        },
    ),
    (
        SetMonitoringBase(MonitoringBase.FACTORY_DEFAULT),
        "SetMonitoringBase",
        {"monitoringBase": "FactoryDefault"},
    ),
    (SetMonitoringLevel(3), "SetMonitoringLevel", {"severity": 3}),
    (ClearMonitors((1, 2)), "ClearVariableMonitoring", {"id": [1, 2]}),
    (GetMonitoringReport(5), "GetMonitoringReport", {"requestId": 5}),
    (
        GetMonitoringReport(6, (MonitoringCriterion.THRESHOLD,), (TEMPERATURE,)),
        "GetMonitoringReport",
        {
            "requestId": 6,
            "monitoringCriteria": ["ThresholdMonitoring"],
            "componentVariable": [
                {"component": {"name": "ChargingStation"}, "variable": {"name": "Temperature"}}
            ],
        },
    ),
    (
        SetDisplayMessage(
            9,
            "Closed for maintenance until 14:00",
            MessagePriority.ALWAYS_FRONT,
            MessageState.IDLE,
            language="en",
            start="2026-11-21T12:00:00Z",
            end="2026-11-21T14:00:00Z",
        ),
        "SetDisplayMessage",
        {
            "message": {
                "id": 9,
                "priority": "AlwaysFront",
                "message": {
                    "format": "UTF8",
                    "language": "en",
                    "content": "Closed for maintenance until 14:00",
                },
                "state": "Idle",
                "startDateTime": "2026-11-21T12:00:00Z",
                "endDateTime": "2026-11-21T14:00:00Z",
            }
        },
    ),
    (GetDisplayMessages(3), "GetDisplayMessages", {"requestId": 3}),
    (
        GetDisplayMessages(4, (9, 10), MessagePriority.IN_FRONT, MessageState.CHARGING),
        "GetDisplayMessages",
        {"requestId": 4, "id": [9, 10], "priority": "InFront", "state": "Charging"},
    ),
    (ClearDisplayMessage(9), "ClearDisplayMessage", {"id": 9}),
    (
        CustomerInformation(11, report=True, clear=True, id_token="CARD-1"),
        "CustomerInformation",
        {
            "requestId": 11,
            "report": True,
            "clear": True,
            "idToken": {"idToken": "CARD-1", "type": "Central"},
        },
    ),
    (
        CustomerInformation(
            12,
            customer_identifier="cust-7",
            certificate=CertificateHash("SHA256", "aa", "bb", "01"),
        ),
        "CustomerInformation",
        {
            "requestId": 12,
            "report": True,
            "clear": False,
            "customerIdentifier": "cust-7",
            "customerCertificate": {
                "hashAlgorithm": "SHA256",
                "issuerNameHash": "aa",
                "issuerKeyHash": "bb",
                "serialNumber": "01",
            },
        },
    ),
]


@pytest.mark.parametrize(("command", "action", "payload"), DEVICE_RENDERED)
def test_device_commands_render_golden_and_schema_valid(
    command: Command, action: str, payload: dict[str, Any]
) -> None:
    assert ADAPTER.render(command) == (action, payload)
    VALIDATOR.validate_request(action, payload)


@pytest.mark.parametrize("command", [command for command, _, _ in DEVICE_RENDERED])
def test_device_commands_are_not_supported_on_16(command: Command) -> None:
    with pytest.raises(CommandNotSupported, match=r"not supported on OCPP 1\.6"):
        ADAPTER16.render(command)


def test_a_monitor_needs_a_component() -> None:
    spec = MonitorSpec(ConfigKey("Temperature"), MonitorKind.DELTA, 1.0)
    with pytest.raises(CommandNotSupported, match=r"Component\.Variable"):
        ADAPTER.render(SetMonitors((spec,)))


def _result(status: str, monitor_id: int, variable: str, **extra: Any) -> dict[str, Any]:
    return {
        "id": monitor_id,
        "status": status,
        "type": "UpperThreshold",
        "severity": 4,
        "component": {"name": "ChargingStation"},
        "variable": {"name": variable},
        **extra,
    }


def test_refused_monitors_are_listed_with_their_reason() -> None:
    command = DEVICE_RENDERED[0][0]
    response = {
        "setMonitoringResult": [
            _result("Accepted", 1, "Temperature"),
            _result("UnknownVariable", 0, "Humidity", statusInfo={"reasonCode": "NoSuchVar"}),
        ]
    }
    VALIDATOR.validate_response("SetVariableMonitoring", response)
    result = ADAPTER.interpret(command, response)
    assert result.status is CommandStatus.REJECTED
    assert result.error == "1 of 2 monitors refused"
    assert result.data["refused"] == 1
    accepted, refused = result.data["monitors"]
    assert accepted == {
        "monitor_id": 1,
        "key": "ChargingStation.Temperature",
        "kind": "upper_threshold",
        "severity": 4,
        "status": "accepted",
    }
    assert refused["status"] == "unknown_variable"
    assert refused["reason"] == "NoSuchVar"


def test_all_monitors_accepted() -> None:
    response = {"setMonitoringResult": [_result("Accepted", 1, "Temperature")]}
    result = ADAPTER.interpret(DEVICE_RENDERED[0][0], response)
    assert result.status is CommandStatus.ACCEPTED
    assert result.error == ""


INTERPRETED: list[tuple[Command, dict[str, Any], CommandStatus, dict[str, Any]]] = [
    (SetMonitoringBase(MonitoringBase.ALL), {"status": "NotSupported"},
     CommandStatus.NOT_SUPPORTED, {"status": "NotSupported"}),
    (SetMonitoringLevel(2), {"status": "Accepted"}, CommandStatus.ACCEPTED, {"status": "Accepted"}),
    (
        ClearMonitors((1, 5)),
        {"clearMonitoringResult": [{"id": 1, "status": "Accepted"},
                                   {"id": 5, "status": "NotFound"}]},
        CommandStatus.REJECTED,
        {"cleared": [{"monitor_id": 1, "status": "accepted"},
                     {"monitor_id": 5, "status": "not_found"}]},
    ),
    (GetMonitoringReport(5), {"status": "EmptyResultSet"}, CommandStatus.ACCEPTED,
     {"status": "EmptyResultSet", "request_id": 5, "empty": True}),
    (SetDisplayMessage(1, "x"), {"status": "NotSupportedPriority"}, CommandStatus.NOT_SUPPORTED,
     {"status": "NotSupportedPriority"}),
    (GetDisplayMessages(3), {"status": "Unknown"}, CommandStatus.ACCEPTED,
     {"status": "Unknown", "request_id": 3, "empty": True}),
    (ClearDisplayMessage(4), {"status": "Unknown"}, CommandStatus.REJECTED, {"status": "Unknown"}),
    (CustomerInformation(7, id_token="A"), {"status": "Invalid"}, CommandStatus.REJECTED,
     {"status": "Invalid", "request_id": 7, "empty": False}),
]  # fmt: skip


@pytest.mark.parametrize(("command", "response", "status", "data"), INTERPRETED)
def test_interpret_device_answers(
    command: Command, response: dict[str, Any], status: CommandStatus, data: dict[str, Any]
) -> None:
    action = ADAPTER.render(command)[0]
    VALIDATOR.validate_response(action, response)
    result = ADAPTER.interpret(command, response)
    assert (result.status, result.data) == (status, data)


def test_an_unexpected_device_status_is_rejected() -> None:
    result = ADAPTER.interpret(SetMonitoringLevel(1), {"status": "Perhaps"})
    assert result == CommandResult(
        CommandStatus.REJECTED, {"status": "Perhaps"}, "unexpected status 'Perhaps'"
    )
