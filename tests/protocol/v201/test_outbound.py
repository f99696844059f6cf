"""Rendering neutral commands as 2.0.1 requests (schema-valid) and interpreting answers."""

from __future__ import annotations

from typing import Any, get_args

import pytest

from forecourt.domain.commands import (
    COMMAND_KINDS,
    ChangeAvailability,
    ClearCache,
    Command,
    CommandResult,
    CommandStatus,
    ConfigKey,
    CostUpdate,
    DataTransfer,
    DisplayPrice,
    GetBaseReport,
    GetConfiguration,
    GetMessageLimits,
    GetReport,
    GetTransactionStatus,
    NetworkInterface,
    NetworkProfile,
    RemoteStart,
    RemoteStop,
    ReportCriterion,
    ReportKind,
    Reset,
    SetConfiguration,
    SetConfigurationItems,
    SetNetworkProfile,
    SetStationPassword,
    StationPrice,
    TriggerKind,
    TriggerMessage,
    UnlockConnector,
)
from forecourt.domain.errors import CommandNotSupported
from forecourt.domain.tokens import TokenKind
from forecourt.ocpp.rendering import Ocpp21Command
from forecourt.ocpp.v201 import ADAPTER
from forecourt.ocpp.v201.outbound import remote_start_id
from forecourt.ocpp.validation import validator_for
from forecourt.ocpp.versions import OcppVersion
from tests.protocol.test_certificate_frames import CERTIFICATE_RENDERED
from tests.protocol.test_local_auth_frames import LOCAL_AUTH_RENDERED
from tests.protocol.test_smart_charging_frames import V201_FRAMES
from tests.protocol.v21.test_tariff_frames import TARIFF_COMMANDS
from tests.protocol.v201.test_device import DEVICE_RENDERED
from tests.protocol.v201.test_maintenance_frames import RENDERED as MAINTENANCE_RENDERED

VALIDATOR = validator_for(OcppVersion.V201)
HEARTBEAT = ConfigKey.parse("OCPPCommCtrlr.HeartbeatInterval")

#: (command, expected action, expected payload)
RENDERED: list[tuple[Command, str, dict[str, Any]]] = [
    (Reset(hard=True), "Reset", {"type": "Immediate"}),
    (Reset(hard=False), "Reset", {"type": "OnIdle"}),
    (Reset(hard=True, evse_id=2), "Reset", {"type": "Immediate", "evseId": 2}),
    (
        SetStationPassword("s3cret-but-long-enough"),
        "SetVariables",
        {
            "setVariableData": [
                {
                    "component": {"name": "SecurityCtrlr"},
                    "variable": {"name": "BasicAuthPassword"},
                    "attributeValue": "s3cret-but-long-enough",
                }
            ]
        },
    ),
    (
        GetReport(
            (ReportCriterion.PROBLEM, ReportCriterion.ENABLED),
            (ConfigKey("", "EVSE", evse_id=1), HEARTBEAT),
            request_id=5,
        ),
        "GetReport",
        {
            "requestId": 5,
            "componentCriteria": ["Problem", "Enabled"],
            "componentVariable": [
                {"component": {"name": "EVSE", "evse": {"id": 1}}},
                {"component": {"name": "OCPPCommCtrlr"}, "variable": {"name": "HeartbeatInterval"}},
            ],
        },
    ),
    (
        SetNetworkProfile(
            2, NetworkProfile("wss://csms.example/ocpp", 2, NetworkInterface.WIRELESS0, 45)
        ),
        "SetNetworkProfile",
        {
            "configurationSlot": 2,
            "connectionData": {
                "ocppVersion": "OCPP20",
                "ocppTransport": "JSON",
                "ocppCsmsUrl": "wss://csms.example/ocpp",
                "messageTimeout": 45,
                "securityProfile": 2,
                "ocppInterface": "Wireless0",
            },
        },
    ),
    (GetTransactionStatus("TX-9"), "GetTransactionStatus", {"transactionId": "TX-9"}),
    (GetTransactionStatus(), "GetTransactionStatus", {}),
    (
        SetConfigurationItems(
            (
                SetConfiguration(HEARTBEAT, "30"),
                SetConfiguration(ConfigKey("Enabled", "EVSE", evse_id=2), "false"),
            )
        ),
        "SetVariables",
        {
            "setVariableData": [
                {
                    "component": {"name": "OCPPCommCtrlr"},
                    "variable": {"name": "HeartbeatInterval"},
                    "attributeValue": "30",
                },
                {
                    "component": {"name": "EVSE", "evse": {"id": 2}},
                    "variable": {"name": "Enabled"},
                    "attributeValue": "false",
                },
            ]
        },
    ),
    (
        GetMessageLimits(),
        "GetVariables",
        {
            "getVariableData": [
                {
                    "component": {"name": "DeviceDataCtrlr"},
                    "variable": {"name": name, "instance": instance},
                }
                for name in ("ItemsPerMessage", "BytesPerMessage")
                for instance in ("GetVariables", "SetVariables")
            ]
        },
    ),
    (UnlockConnector(2, 1), "UnlockConnector", {"evseId": 2, "connectorId": 1}),
    (ChangeAvailability(False), "ChangeAvailability", {"operationalStatus": "Inoperative"}),
    (
        ChangeAvailability(True, evse_id=1),
        "ChangeAvailability",
        {"operationalStatus": "Operative", "evse": {"id": 1}},
    ),
    (
        ChangeAvailability(False, evse_id=1, connector_id=2),
        "ChangeAvailability",
        {"operationalStatus": "Inoperative", "evse": {"id": 1, "connectorId": 2}},
    ),
    (
        RemoteStart("APP-1", evse_id=1, remote_start_id=17),
        "RequestStartTransaction",
        {"idToken": {"idToken": "APP-1", "type": "Central"}, "remoteStartId": 17, "evseId": 1},
    ),
    (
        RemoteStart("CARD-1", remote_start_id=18, token_kind=TokenKind.RFID),
        "RequestStartTransaction",
        {"idToken": {"idToken": "CARD-1", "type": "ISO14443"}, "remoteStartId": 18},
    ),
    (RemoteStop("TX-1"), "RequestStopTransaction", {"transactionId": "TX-1"}),
    (
        TriggerMessage(TriggerKind.STATUS_NOTIFICATION, evse_id=1),
        "TriggerMessage",
        {"requestedMessage": "StatusNotification", "evse": {"id": 1}},
    ),
    (
        TriggerMessage(TriggerKind.BOOT_NOTIFICATION),
        "TriggerMessage",
        {"requestedMessage": "BootNotification"},
    ),
    (
        GetConfiguration((HEARTBEAT, ConfigKey("Enabled", "EVSE", evse_id=1))),
        "GetVariables",
        {
            "getVariableData": [
                {"component": {"name": "OCPPCommCtrlr"}, "variable": {"name": "HeartbeatInterval"}},
                {"component": {"name": "EVSE", "evse": {"id": 1}}, "variable": {"name": "Enabled"}},
            ]
        },
    ),
    (
        SetConfiguration(HEARTBEAT, "120"),
        "SetVariables",
        {
            "setVariableData": [
                {
                    "component": {"name": "OCPPCommCtrlr"},
                    "variable": {"name": "HeartbeatInterval"},
                    "attributeValue": "120",
                }
            ]
        },
    ),
    (
        GetBaseReport(ReportKind.CONFIGURATION_INVENTORY, request_id=5),
        "GetBaseReport",
        {"requestId": 5, "reportBase": "ConfigurationInventory"},
    ),
    (ClearCache(), "ClearCache", {}),
    (DataTransfer("com.example"), "DataTransfer", {"vendorId": "com.example"}),
    (
        DataTransfer("com.example", "Ping", "hello"),
        "DataTransfer",
        {"vendorId": "com.example", "messageId": "Ping", "data": "hello"},
    ),
    (
        DisplayPrice("$0.45/kWh", message_id=1),
        "SetDisplayMessage",
        {
            "message": {
                "id": 1,
                "priority": "NormalCycle",
                "state": "Idle",
                "message": {"format": "UTF8", "language": "en", "content": "$0.45/kWh"},
            }
        },
    ),
    (CostUpdate("TX-1", "3.31"), "CostUpdated", {"totalCost": 3.31, "transactionId": "TX-1"}),
    (
        StationPrice(2, "$0.45/kWh", "0.45", "1.00"),
        "SetDisplayMessage",
        {
            "message": {
                "id": 7102,
                "priority": "NormalCycle",
                "state": "Idle",
                "message": {"format": "UTF8", "language": "en", "content": "EVSE 2: $0.45/kWh"},
            }
        },
    ),
    *MAINTENANCE_RENDERED,  # golden frames in test_maintenance_frames.py
]


# The local-authorization block's golden frames live in tests/protocol/test_local_auth_frames.py.
RENDERED += [(command, action, payload) for command, _, _, action, payload in LOCAL_AUTH_RENDERED]


@pytest.mark.parametrize(("command", "action", "payload"), RENDERED)
def test_render_golden_and_schema_valid(
    command: Command, action: str, payload: dict[str, Any]
) -> None:
    assert ADAPTER.render(command) == (action, payload)
    VALIDATOR.validate_request(action, payload)


def test_every_command_kind_renders_something_schema_valid() -> None:
    rendered = {type(command) for command, _, _ in [*RENDERED, *DEVICE_RENDERED, *V201_FRAMES]}
    rendered |= {type(command) for command, *_ in CERTIFICATE_RENDERED}  # both versions' file
    only_21 = set(get_args(Ocpp21Command))  # refused below (and in v21/test_web_payment_frames)
    assert rendered == set(COMMAND_KINDS) - only_21
    for trigger in TriggerKind:
        action, payload = ADAPTER.render(TriggerMessage(trigger))
        VALIDATOR.validate_request(action, payload)
    for report in ReportKind:
        action, payload = ADAPTER.render(GetBaseReport(report))
        VALIDATOR.validate_request(action, payload)


@pytest.mark.parametrize("command", TARIFF_COMMANDS, ids=lambda c: type(c).__name__)
def test_tariff_commands_are_refused_before_anything_is_sent(command: Command) -> None:
    with pytest.raises(CommandNotSupported, match="do not hold tariffs"):
        ADAPTER.render(command)


def test_remote_start_without_an_id_derives_a_stable_positive_one() -> None:
    command = RemoteStart("APP-1")
    action, payload = ADAPTER.render(command)
    VALIDATOR.validate_request(action, payload)
    assert payload["remoteStartId"] == remote_start_id(command) > 0
    assert ADAPTER.render(RemoteStart("APP-1")) == (action, payload)
    assert "evseId" not in payload
    assert remote_start_id(RemoteStart("APP-2")) != payload["remoteStartId"]


def test_get_variables_needs_explicit_keys() -> None:
    with pytest.raises(CommandNotSupported, match="use GetBaseReport"):
        ADAPTER.render(GetConfiguration())


def test_variables_need_a_component() -> None:
    with pytest.raises(CommandNotSupported, match=r"Component\.Variable"):
        ADAPTER.render(GetConfiguration((ConfigKey("HeartbeatInterval"),)))
    with pytest.raises(CommandNotSupported, match=r"Component\.Variable"):
        ADAPTER.render(SetConfiguration(ConfigKey("HeartbeatInterval"), "60"))


#: (command, response, expected result) — responses are valid 2.0.1 responses.
INTERPRETED: list[tuple[Command, str, dict[str, Any], CommandResult]] = [
    (Reset(), "Reset", {"status": "Scheduled"}, CommandResult(CommandStatus.SCHEDULED)),
    (
        Reset(hard=True),
        "Reset",
        {"status": "Rejected", "statusInfo": {"reasonCode": "Busy", "additionalInfo": "fw"}},
        CommandResult(CommandStatus.REJECTED, {"reason": "Busy", "info": "fw"}),
    ),
    (
        UnlockConnector(1),
        "UnlockConnector",
        {"status": "Unlocked"},
        CommandResult(CommandStatus.UNLOCKED),
    ),
    (
        UnlockConnector(1),
        "UnlockConnector",
        {"status": "OngoingAuthorizedTransaction"},
        CommandResult(CommandStatus.ONGOING_TRANSACTION),
    ),
    (
        ChangeAvailability(True),
        "ChangeAvailability",
        {"status": "Accepted"},
        CommandResult(CommandStatus.ACCEPTED),
    ),
    (
        RemoteStart("APP-1", remote_start_id=9),
        "RequestStartTransaction",
        {"status": "Accepted", "transactionId": "TX-7"},
        CommandResult(CommandStatus.ACCEPTED, {"remote_start_id": 9, "station_tx_id": "TX-7"}),
    ),
    (
        RemoteStop("TX-7"),
        "RequestStopTransaction",
        {"status": "Rejected"},
        CommandResult(CommandStatus.REJECTED),
    ),
    (
        TriggerMessage(TriggerKind.METER_VALUES),
        "TriggerMessage",
        {"status": "NotImplemented"},
        CommandResult(CommandStatus.NOT_SUPPORTED),
    ),
    (
        GetConfiguration((HEARTBEAT, ConfigKey("Nope", "Foo"))),
        "GetVariables",
        {
            "getVariableResult": [
                {
                    "attributeStatus": "Accepted",
                    "attributeValue": "300",
                    "component": {"name": "OCPPCommCtrlr"},
                    "variable": {"name": "HeartbeatInterval"},
                },
                {
                    "attributeStatus": "UnknownComponent",
                    "component": {"name": "Foo", "evse": {"id": 2}},
                    "variable": {"name": "Nope"},
                },
            ]
        },
        CommandResult(
            CommandStatus.ACCEPTED,
            {
                "values": [
                    {
                        "key": "OCPPCommCtrlr.HeartbeatInterval",
                        "value": "300",
                        "status": "accepted",
                    },
                    {"key": "Foo.Nope", "value": None, "status": "not_supported", "evse_id": 2},
                ],
                "unknown": ["Foo.Nope"],
            },
        ),
    ),
    (
        SetConfiguration(HEARTBEAT, "60"),
        "SetVariables",
        {
            "setVariableResult": [
                {
                    "attributeStatus": "RebootRequired",
                    "component": {"name": "OCPPCommCtrlr"},
                    "variable": {"name": "HeartbeatInterval"},
                }
            ]
        },
        CommandResult(CommandStatus.REBOOT_REQUIRED, {"key": "OCPPCommCtrlr.HeartbeatInterval"}),
    ),
    (
        GetBaseReport(request_id=3),
        "GetBaseReport",
        {"status": "EmptyResultSet"},
        CommandResult(CommandStatus.ACCEPTED, {"request_id": 3, "empty": True}),
    ),
    (ClearCache(), "ClearCache", {"status": "Rejected"}, CommandResult(CommandStatus.REJECTED)),
    (
        DataTransfer("com.example"),
        "DataTransfer",
        {"status": "Accepted", "data": {"pong": True}},
        CommandResult(CommandStatus.ACCEPTED, {"data": {"pong": True}}),
    ),
    (
        DataTransfer("com.example", "Ping"),
        "DataTransfer",
        {"status": "UnknownMessageId"},
        CommandResult(CommandStatus.UNKNOWN_MESSAGE),
    ),
    (
        DataTransfer("x"),
        "DataTransfer",
        {"status": "UnknownVendorId"},
        CommandResult(CommandStatus.UNKNOWN_VENDOR),
    ),
]


@pytest.mark.parametrize(("command", "action", "response", "expected"), INTERPRETED)
def test_interpret(
    command: Command, action: str, response: dict[str, Any], expected: CommandResult
) -> None:
    VALIDATOR.validate_response(action, response)
    assert ADAPTER.render(command)[0] == action
    assert ADAPTER.interpret(command, response) == expected


def test_an_unexpected_status_is_rejected_with_an_error() -> None:
    result = ADAPTER.interpret(Reset(), {"status": "Maybe"})
    assert result.status is CommandStatus.REJECTED
    assert "Maybe" in result.error
