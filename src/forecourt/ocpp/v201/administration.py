"""OCPP 2.0.1 administration commands: station password, custom reports, network profiles
and transaction status (B05, B08, B09, E14), rendered and their answers interpreted."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any, assert_never

from forecourt.domain.commands import (
    CommandResult,
    CommandStatus,
    ConfigKey,
    GetReport,
    GetTransactionStatus,
    NetworkInterface,
    ReportCriterion,
    SetNetworkProfile,
    SetStationPassword,
)
from forecourt.domain.errors import InvalidInput
from forecourt.ocpp.adapter import Payload
from forecourt.ocpp.rendering import AdministrationCommand, Rendered
from forecourt.ocpp.v201.mapping import REPORT_STATUS, SET_VARIABLE_STATUS
from forecourt.ocpp.v201.wire_types.administration import (
    ComponentCriterionEnumType,
    ComponentVariableType,
    GetReportRequest,
    GetTransactionStatusRequest,
    NetworkConnectionProfileType,
    OCPPInterfaceEnumType,
    SetNetworkProfileRequest,
)
from forecourt.ocpp.v201.wire_types.common import ComponentType, EVSEType, VariableType
from forecourt.ocpp.v201.wire_types.variables import SetVariableDataType, SetVariablesRequest

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
        case _:
            assert_never(command)


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
