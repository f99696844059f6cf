"""OCPP 2.0.1 device management: monitors (N02-N06), display messages (O01-O06) and customer
information (N09/N10), rendered from neutral commands and their answers made neutral.

Every rendered payload validates against the 2.0.1 request schema (tested).
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any, Final, assert_never

from forecourt.domain.commands import CommandResult, CommandStatus, ConfigKey
from forecourt.domain.device import (
    CertificateHash,
    ClearDisplayMessage,
    ClearMonitors,
    CustomerInformation,
    DeviceCommand,
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
from forecourt.ocpp.adapter import Payload
from forecourt.ocpp.rendering import Rendered
from forecourt.ocpp.v201.wire_types.common import (
    CertificateHashDataType,
    ComponentType,
    ComponentVariableType,
    EVSEType,
    IdTokenType,
    MessageContentType,
    MessageInfoType,
    MessagePriorityEnumType,
    MessageStateEnumType,
    VariableType,
)
from forecourt.ocpp.v201.wire_types.device_messages import (
    ClearDisplayMessageRequest,
    CustomerInformationRequest,
    GetDisplayMessagesRequest,
)
from forecourt.ocpp.v201.wire_types.display import SetDisplayMessageRequest
from forecourt.ocpp.v201.wire_types.monitoring import (
    ClearVariableMonitoringRequest,
    GetMonitoringReportRequest,
    MonitorEnumType,
    MonitoringBaseEnumType,
    MonitoringCriterionEnumType,
    SetMonitoringBaseRequest,
    SetMonitoringDataType,
    SetMonitoringLevelRequest,
    SetVariableMonitoringRequest,
)

MONITOR_TYPE: Final[Mapping[MonitorKind, MonitorEnumType]] = {
    MonitorKind.UPPER_THRESHOLD: "UpperThreshold",
    MonitorKind.LOWER_THRESHOLD: "LowerThreshold",
    MonitorKind.DELTA: "Delta",
    MonitorKind.PERIODIC: "Periodic",
    MonitorKind.PERIODIC_CLOCK_ALIGNED: "PeriodicClockAligned",
}
MONITOR_KIND: Final[Mapping[str, MonitorKind]] = {v: k for k, v in MONITOR_TYPE.items()}

MONITORING_BASE: Final[Mapping[MonitoringBase, MonitoringBaseEnumType]] = {
    MonitoringBase.ALL: "All",
    MonitoringBase.FACTORY_DEFAULT: "FactoryDefault",
    MonitoringBase.HARD_WIRED_ONLY: "HardWiredOnly",
}

MONITORING_CRITERION: Final[Mapping[MonitoringCriterion, MonitoringCriterionEnumType]] = {
    MonitoringCriterion.THRESHOLD: "ThresholdMonitoring",
    MonitoringCriterion.DELTA: "DeltaMonitoring",
    MonitoringCriterion.PERIODIC: "PeriodicMonitoring",
}

MESSAGE_PRIORITY: Final[Mapping[MessagePriority, MessagePriorityEnumType]] = {
    MessagePriority.ALWAYS_FRONT: "AlwaysFront",
    MessagePriority.IN_FRONT: "InFront",
    MessagePriority.NORMAL_CYCLE: "NormalCycle",
}
PRIORITY_OF: Final[Mapping[str, MessagePriority]] = {v: k for k, v in MESSAGE_PRIORITY.items()}

MESSAGE_STATE: Final[Mapping[MessageState, MessageStateEnumType]] = {
    MessageState.CHARGING: "Charging",
    MessageState.FAULTED: "Faulted",
    MessageState.IDLE: "Idle",
    MessageState.UNAVAILABLE: "Unavailable",
}
STATE_OF: Final[Mapping[str, MessageState]] = {v: k for k, v in MESSAGE_STATE.items()}

#: SetMonitoringStatusEnumType -> the neutral word shown for a set (or refused) monitor.
SET_MONITOR_STATUS: Final[Mapping[str, str]] = {
    "Accepted": "accepted",
    "UnknownComponent": "unknown_component",
    "UnknownVariable": "unknown_variable",
    "UnsupportedMonitorType": "unsupported_monitor_type",
    "Rejected": "rejected",
    "Duplicate": "duplicate",
}
#: ClearMonitoringStatusEnumType -> neutral word.
CLEAR_MONITOR_STATUS: Final[Mapping[str, str]] = {
    "Accepted": "accepted",
    "Rejected": "rejected",
    "NotFound": "not_found",
}
#: GenericDeviceModelStatusEnumType (SetMonitoringBase, GetMonitoringReport).
DEVICE_MODEL_STATUS: Final[Mapping[str, CommandStatus]] = {
    "Accepted": CommandStatus.ACCEPTED,
    "Rejected": CommandStatus.REJECTED,
    "NotSupported": CommandStatus.NOT_SUPPORTED,
    "EmptyResultSet": CommandStatus.ACCEPTED,
}
#: GenericStatusEnumType (SetMonitoringLevel).
GENERIC_STATUS: Final[Mapping[str, CommandStatus]] = {
    "Accepted": CommandStatus.ACCEPTED,
    "Rejected": CommandStatus.REJECTED,
}
#: DisplayMessageStatusEnumType (SetDisplayMessage).
DISPLAY_MESSAGE_STATUS: Final[Mapping[str, CommandStatus]] = {
    "Accepted": CommandStatus.ACCEPTED,
    "NotSupportedMessageFormat": CommandStatus.NOT_SUPPORTED,
    "NotSupportedPriority": CommandStatus.NOT_SUPPORTED,
    "NotSupportedState": CommandStatus.NOT_SUPPORTED,
    "Rejected": CommandStatus.REJECTED,
    "UnknownTransaction": CommandStatus.REJECTED,
}
#: GetDisplayMessagesStatusEnumType: Unknown = no message matches (an empty answer).
GET_MESSAGES_STATUS: Final[Mapping[str, CommandStatus]] = {
    "Accepted": CommandStatus.ACCEPTED,
    "Unknown": CommandStatus.ACCEPTED,
}
#: ClearMessageStatusEnumType.
CLEAR_MESSAGE_STATUS: Final[Mapping[str, CommandStatus]] = {
    "Accepted": CommandStatus.ACCEPTED,
    "Unknown": CommandStatus.REJECTED,
}
#: CustomerInformationStatusEnumType.
CUSTOMER_INFORMATION_STATUS: Final[Mapping[str, CommandStatus]] = {
    "Accepted": CommandStatus.ACCEPTED,
    "Rejected": CommandStatus.REJECTED,
    "Invalid": CommandStatus.REJECTED,
}


# --- rendering -----------------------------------------------------------------------------


def render_device(command: DeviceCommand) -> Rendered:
    match command:
        case SetMonitors():  # N04
            data = [_monitor(spec) for spec in command.monitors]
            return "SetVariableMonitoring", SetVariableMonitoringRequest(setMonitoringData=data)
        case SetMonitoringBase():  # N03
            base = MONITORING_BASE[command.base]
            return "SetMonitoringBase", SetMonitoringBaseRequest(monitoringBase=base)
        case SetMonitoringLevel():  # N05
            return "SetMonitoringLevel", SetMonitoringLevelRequest(severity=command.severity)
        case ClearMonitors():  # N06
            ids = list(command.monitor_ids)
            return "ClearVariableMonitoring", ClearVariableMonitoringRequest(id=ids)
        case GetMonitoringReport():  # N02
            return "GetMonitoringReport", _monitoring_report(command)
        case SetDisplayMessage():  # O01-O03
            return "SetDisplayMessage", SetDisplayMessageRequest(message=_message(command))
        case GetDisplayMessages():  # O04
            return "GetDisplayMessages", _get_messages(command)
        case ClearDisplayMessage():  # O05
            return "ClearDisplayMessage", ClearDisplayMessageRequest(id=command.message_id)
        case CustomerInformation():  # N09/N10
            return "CustomerInformation", _customer_information(command)
        case _:
            assert_never(command)


def _component(key: ConfigKey) -> ComponentType:
    if key.component is None:
        raise CommandNotSupported(
            f"OCPP 2.0.1 monitors watch a component's variable: use Component.Variable "
            f"(got {key.variable!r})"
        )
    component = ComponentType(name=key.component)
    if key.evse_id:
        component["evse"] = EVSEType(id=key.evse_id)
    return component


def _monitor(spec: MonitorSpec) -> SetMonitoringDataType:
    data = SetMonitoringDataType(
        value=spec.value,
        type=MONITOR_TYPE[spec.kind],
        severity=spec.severity,
        component=_component(spec.key),
        variable=VariableType(name=spec.key.variable),
    )
    if spec.monitor_id is not None:
        data["id"] = spec.monitor_id
    if spec.transaction:
        data["transaction"] = True
    return data


def _monitoring_report(command: GetMonitoringReport) -> GetMonitoringReportRequest:
    request = GetMonitoringReportRequest(requestId=command.request_id)
    if command.criteria:
        request["monitoringCriteria"] = [MONITORING_CRITERION[c] for c in command.criteria]
    if command.keys:
        request["componentVariable"] = [
            ComponentVariableType(component=_component(k), variable=VariableType(name=k.variable))
            for k in command.keys
        ]
    return request


def _message(command: SetDisplayMessage) -> MessageInfoType:
    content = MessageContentType(
        format="URI" if command.qr_code else "UTF8",  # 2.0.1 has no QR format
        language=command.language[:8],
        content=command.text[:512],
    )
    info = MessageInfoType(
        id=command.message_id, priority=MESSAGE_PRIORITY[command.priority], message=content
    )
    if command.state is not None:
        info["state"] = MESSAGE_STATE[command.state]
    if command.start:
        info["startDateTime"] = command.start
    if command.end:
        info["endDateTime"] = command.end
    if command.station_tx_id:
        info["transactionId"] = command.station_tx_id
    return info


def _get_messages(command: GetDisplayMessages) -> GetDisplayMessagesRequest:
    request = GetDisplayMessagesRequest(requestId=command.request_id)
    if command.message_ids:
        request["id"] = list(command.message_ids)
    if command.priority is not None:
        request["priority"] = MESSAGE_PRIORITY[command.priority]
    if command.state is not None:
        request["state"] = MESSAGE_STATE[command.state]
    return request


def _customer_information(command: CustomerInformation) -> CustomerInformationRequest:
    request = CustomerInformationRequest(
        requestId=command.request_id, report=command.report, clear=command.clear
    )
    if command.id_token is not None:
        request["idToken"] = IdTokenType(idToken=command.id_token, type="Central")
    if command.customer_identifier is not None:
        request["customerIdentifier"] = command.customer_identifier
    if command.certificate is not None:
        request["customerCertificate"] = _certificate(command.certificate)
    return request


def _certificate(cert: CertificateHash) -> CertificateHashDataType:
    return CertificateHashDataType(
        hashAlgorithm=cert.algorithm,  # type: ignore[typeddict-item]  # checked by the API
        issuerNameHash=cert.issuer_name_hash,
        issuerKeyHash=cert.issuer_key_hash,
        serialNumber=cert.serial_number,
    )


# --- answers -------------------------------------------------------------------------------


def interpret_device(command: DeviceCommand, response: Payload) -> CommandResult:
    """The station's answer to a device command -> neutral result."""
    match command:
        case SetMonitors():
            return _monitors_set(response)
        case ClearMonitors():
            return _monitors_cleared(response)
        case SetMonitoringBase():
            return _status(DEVICE_MODEL_STATUS, response)
        case SetMonitoringLevel():
            return _status(GENERIC_STATUS, response)
        case GetMonitoringReport():
            return _requested(_status(DEVICE_MODEL_STATUS, response), command.request_id)
        case SetDisplayMessage():
            return _status(DISPLAY_MESSAGE_STATUS, response)
        case GetDisplayMessages():
            return _requested(_status(GET_MESSAGES_STATUS, response), command.request_id)
        case ClearDisplayMessage():
            return _status(CLEAR_MESSAGE_STATUS, response)
        case CustomerInformation():
            return _requested(_status(CUSTOMER_INFORMATION_STATUS, response), command.request_id)
        case _:
            assert_never(command)


def _status(table: Mapping[str, CommandStatus], response: Payload) -> CommandResult:
    raw = response.get("status")
    data: dict[str, Any] = {"status": raw, **_status_info(response.get("statusInfo"))}
    if not isinstance(raw, str) or raw not in table:
        return CommandResult(CommandStatus.REJECTED, data, f"unexpected status {raw!r}")
    return CommandResult(table[raw], data)


def _requested(result: CommandResult, request_id: int) -> CommandResult:
    result.data["request_id"] = request_id
    result.data["empty"] = result.data.get("status") in ("EmptyResultSet", "Unknown")
    return result


def _status_info(info: Any) -> dict[str, Any]:
    if not isinstance(info, dict):
        return {}
    data = {"reason": info.get("reasonCode", "")}
    if "additionalInfo" in info:
        data["info"] = info["additionalInfo"]
    return data


def _monitors_set(response: Payload) -> CommandResult:
    """One entry per monitor; the command succeeded only when every monitor was accepted."""
    monitors = [_monitor_result(item) for item in response.get("setMonitoringResult", [])]
    refused = [m for m in monitors if m["status"] != "accepted"]
    status = CommandStatus.REJECTED if refused or not monitors else CommandStatus.ACCEPTED
    error = f"{len(refused)} of {len(monitors)} monitors refused" if refused else ""
    return CommandResult(status, {"monitors": monitors, "refused": len(refused)}, error)


def _monitor_result(item: Payload) -> dict[str, Any]:
    key = ConfigKey(item["variable"]["name"], item["component"]["name"])
    entry: dict[str, Any] = {
        "monitor_id": item.get("id"),
        "key": str(key),
        "kind": MONITOR_KIND[item["type"]].value,
        "severity": item["severity"],
        "status": SET_MONITOR_STATUS.get(item["status"], "rejected"),
        **_status_info(item.get("statusInfo")),
    }
    evse = item["component"].get("evse")
    if evse is not None:
        entry["evse_id"] = evse["id"]
    return entry


def _monitors_cleared(response: Payload) -> CommandResult:
    cleared = [
        {
            "monitor_id": item["id"],
            "status": CLEAR_MONITOR_STATUS.get(item["status"], "rejected"),
            **_status_info(item.get("statusInfo")),
        }
        for item in response.get("clearMonitoringResult", [])
    ]
    failed = [c for c in cleared if c["status"] != "accepted"]
    status = CommandStatus.REJECTED if failed or not cleared else CommandStatus.ACCEPTED
    error = f"{len(failed)} of {len(cleared)} monitors not cleared" if failed else ""
    return CommandResult(status, {"cleared": cleared}, error)
