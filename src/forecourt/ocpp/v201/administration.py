"""OCPP 2.0.1 administration commands: station password, custom reports, network profiles
and transaction status (B05, B08, B09, E14), rendered and their answers interpreted."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any, assert_never

from forecourt.domain.commands import (
    CommandResult,
    CommandStatus,
    ConfigKey,
    GetMessageLimits,
    GetReport,
    GetTransactionStatus,
    NetworkInterface,
    ReportCriterion,
    SetConfigurationItems,
    SetNetworkProfile,
    SetStationPassword,
)
from forecourt.domain.errors import InvalidInput
from forecourt.ocpp.adapter import Payload
from forecourt.ocpp.rendering import AdministrationCommand, Rendered
from forecourt.ocpp.v201.device_model import get_variable_data, set_variable_data
from forecourt.ocpp.v201.mapping import REPORT_STATUS, SET_VARIABLE_STATUS
from forecourt.ocpp.v201.wire_types.administration import (
    ComponentCriterionEnumType,
    GetReportRequest,
    GetTransactionStatusRequest,
    NetworkConnectionProfileType,
    OCPPInterfaceEnumType,
    SetNetworkProfileRequest,
)
from forecourt.ocpp.v201.wire_types.common import (
    ComponentType,
    ComponentVariableType,
    EVSEType,
    VariableType,
)
from forecourt.ocpp.v201.wire_types.variables import (
    GetVariablesRequest,
    SetVariableDataType,
    SetVariablesRequest,
)

#: Where a 2.0.1 station keeps its HTTP Basic password (A01).
PASSWORD_KEY = ConfigKey("BasicAuthPassword", "SecurityCtrlr")

CRITERION: Mapping[ReportCriterion, ComponentCriterionEnumType] = {
    ReportCriterion.ACTIVE: "Active",
    ReportCriterion.AVAILABLE: "Available",
    ReportCriterion.ENABLED: "Enabled",
    ReportCriterion.PROBLEM: "Problem",
}

INTERFACE: Mapping[NetworkInterface, OCPPInterfaceEnumType] = {
    NetworkInterface.WIRED0: "Wired0",
    NetworkInterface.WIRED1: "Wired1",
    NetworkInterface.WIRED2: "Wired2",
    NetworkInterface.WIRED3: "Wired3",
    NetworkInterface.WIRELESS0: "Wireless0",
    NetworkInterface.WIRELESS1: "Wireless1",
    NetworkInterface.WIRELESS2: "Wireless2",
    NetworkInterface.WIRELESS3: "Wireless3",
}

#: The device model's limits on GetVariables / SetVariables, and their neutral names.
_LIMIT_NAMES: Mapping[tuple[str, str], str] = {
    ("ItemsPerMessage", "GetVariables"): "get_items",
    ("ItemsPerMessage", "SetVariables"): "set_items",
    ("BytesPerMessage", "GetVariables"): "get_bytes",
    ("BytesPerMessage", "SetVariables"): "set_bytes",
}
LIMITS = tuple(
    ConfigKey(variable, "DeviceDataCtrlr", instance=instance) for variable, instance in _LIMIT_NAMES
)

#: SetNetworkProfileStatusEnumType.
NETWORK_PROFILE_STATUS: Mapping[str, CommandStatus] = {
    "Accepted": CommandStatus.ACCEPTED,
    "Rejected": CommandStatus.REJECTED,
    "Failed": CommandStatus.REJECTED,
}


def render_administration(command: AdministrationCommand) -> Rendered:
    match command:
        case SetStationPassword():  # A01: the new password, set like any variable
            item = SetVariableDataType(
                component=ComponentType(name=str(PASSWORD_KEY.component)),
                variable=VariableType(name=PASSWORD_KEY.variable),
                attributeValue=command.password,
            )
            return "SetVariables", SetVariablesRequest(setVariableData=[item])
        case GetReport():  # B08
            return "GetReport", _report(command)
        case SetNetworkProfile():  # B09
            return "SetNetworkProfile", _network_profile(command)
        case GetTransactionStatus():  # E14
            request = GetTransactionStatusRequest()
            if command.station_tx_id is not None:
                request["transactionId"] = command.station_tx_id
            return "GetTransactionStatus", request
        case SetConfigurationItems():  # B05: many variables in one message
            data = [set_variable_data(item) for item in command.items]
            return "SetVariables", SetVariablesRequest(setVariableData=data)
        case GetMessageLimits():  # B06: the device model's own limits
            return "GetVariables", GetVariablesRequest(getVariableData=get_variable_data(LIMITS))
        case _:
            assert_never(command)


def interpret_administration(command: AdministrationCommand, response: Payload) -> CommandResult:
    match command:
        case SetStationPassword():
            results = response.get("setVariableResult") or [{}]
            return _status(SET_VARIABLE_STATUS, results[0].get("attributeStatus"))
        case GetReport():
            result = _status(REPORT_STATUS, response.get("status"))
            result.data["request_id"] = command.request_id
            result.data["empty"] = response.get("status") == "EmptyResultSet"
            return result
        case SetNetworkProfile():
            result = _status(NETWORK_PROFILE_STATUS, response.get("status"))
            result.data["slot"] = command.slot
            return result
        case GetTransactionStatus():
            data: dict[str, Any] = {"messages_in_queue": bool(response.get("messagesInQueue"))}
            if "ongoingIndicator" in response:
                data["ongoing"] = bool(response["ongoingIndicator"])
            return CommandResult(CommandStatus.ACCEPTED, data)
        case SetConfigurationItems():
            return _items_set(command, response)
        case GetMessageLimits():
            return CommandResult(CommandStatus.ACCEPTED, _limits(response))
        case _:
            assert_never(command)


def _items_set(command: SetConfigurationItems, response: Payload) -> CommandResult:
    """One result per item, in the order sent (B05.FR.02: the station answers each)."""
    results = response.get("setVariableResult") or []
    items: list[dict[str, Any]] = []
    for sent, answer in zip(command.items, results, strict=False):
        status = SET_VARIABLE_STATUS.get(answer.get("attributeStatus"), CommandStatus.REJECTED)
        items.append({"key": str(sent.key), "status": status.value})
    if len(items) != len(command.items):
        error = f"{len(results)} results for {len(command.items)} variables"
        return CommandResult(CommandStatus.REJECTED, {"items": items}, error)
    return CommandResult(CommandStatus.ACCEPTED, {"items": items})


def _limits(response: Payload) -> dict[str, int]:
    limits: dict[str, int] = {}
    for item in response.get("getVariableResult", []):
        variable = item.get("variable", {})
        name = _LIMIT_NAMES.get((variable.get("name"), variable.get("instance")))
        value = item.get("attributeValue")
        if name and item.get("attributeStatus") == "Accepted" and str(value).isdigit():
            limits[name] = int(str(value))
    return limits


def _status(table: Mapping[str, CommandStatus], raw: object) -> CommandResult:
    data = {"status": raw}
    if not isinstance(raw, str) or raw not in table:
        return CommandResult(CommandStatus.REJECTED, data, f"unexpected status {raw!r}")
    return CommandResult(table[raw], data)


def _report(command: GetReport) -> GetReportRequest:
    request = GetReportRequest(requestId=command.request_id)
    if command.criteria:
        request["componentCriteria"] = [CRITERION[c] for c in command.criteria]
    if command.keys:
        request["componentVariable"] = [_component_variable(key) for key in command.keys]
    return request


def _component_variable(key: ConfigKey) -> ComponentVariableType:
    if not key.component:
        raise InvalidInput(f"a report names a component: Component or Component.Variable ({key})")
    component = ComponentType(name=key.component)
    if key.evse_id:
        component["evse"] = EVSEType(id=key.evse_id)
    item = ComponentVariableType(component=component)
    if key.variable:
        item["variable"] = VariableType(name=key.variable)
    return item


def _network_profile(command: SetNetworkProfile) -> SetNetworkProfileRequest:
    profile = command.profile
    connection = NetworkConnectionProfileType(
        ocppVersion="OCPP20",
        ocppTransport="JSON",
        ocppCsmsUrl=profile.csms_url,
        messageTimeout=profile.message_timeout_s,
        securityProfile=profile.security_profile,
        ocppInterface=INTERFACE[profile.interface],
    )
    return SetNetworkProfileRequest(configurationSlot=command.slot, connectionData=connection)
