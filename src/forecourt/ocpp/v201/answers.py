"""OCPP 2.0.1 station -> CSMS answers to our commands, as neutral results.

A ``CommandResult``'s ``data`` uses neutral keys only.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any, assert_never

from forecourt.domain.commands import (
    ChangeAvailability,
    ClearCache,
    Command,
    CommandResult,
    CommandStatus,
    ConfigKey,
    CostUpdate,
    DataTransfer,
    DisplayPrice,
    FetchLog,
    GetBaseReport,
    GetConfiguration,
    RemoteStart,
    RemoteStop,
    Reset,
    SetConfiguration,
    StationPrice,
    TriggerMessage,
    UnlockConnector,
    UpdateFirmware,
)
from forecourt.domain.device import DEVICE_COMMANDS
from forecourt.domain.firmware_publishing import PublishFirmware, UnpublishFirmware
from forecourt.ocpp.adapter import Payload
from forecourt.ocpp.maintenance_status import REQUEST_STATUS
from forecourt.ocpp.rendering import (
    AdministrationCommand,
    CertificateCommand,
    ConfigurationCommand,
    ControlCommand,
    LocalAuthCommand,
    MessageCommand,
    Ocpp21Command,
    SmartChargingCommand,
)
from forecourt.ocpp.v201 import certificates, local_auth, maintenance, smart_charging
from forecourt.ocpp.v201.administration import interpret_administration
from forecourt.ocpp.v201.device import DISPLAY_MESSAGE_STATUS, interpret_device
from forecourt.ocpp.v201.mapping import (
    CHANGE_AVAILABILITY_STATUS,
    CLEAR_CACHE_STATUS,
    DATA_TRANSFER_STATUS,
    GET_VARIABLE_STATUS,
    REPORT_STATUS,
    RESET_STATUS,
    SET_VARIABLE_STATUS,
    START_STOP_STATUS,
    TRIGGER_STATUS,
    UNLOCK_STATUS,
)
from forecourt.ocpp.v201.outbound import remote_start_id

#: The commands whose answers this module reads itself (device commands have their module).
CoreCommand = ControlCommand | ConfigurationCommand | MessageCommand | UpdateFirmware | FetchLog


def interpret(command: Command, response: Payload) -> CommandResult:
    """The station's response payload -> neutral result."""
    if isinstance(command, LocalAuthCommand):  # blocks C, D and H: their own module
        return local_auth.interpret(command, response)
    if isinstance(command, DEVICE_COMMANDS):
        return interpret_device(command, response)
    if isinstance(command, AdministrationCommand):
        return interpret_administration(command, response)
    if isinstance(command, SmartChargingCommand):
        return smart_charging.interpret(command, response)
    if isinstance(command, CertificateCommand):  # blocks A and M: their own module
        return certificates.interpret(command, response)
    if isinstance(command, Ocpp21Command):  # never sent: rendering refuses them (2.1 only)
        return CommandResult(CommandStatus.NOT_SUPPORTED, error="OCPP 2.1 only")
    if isinstance(command, PublishFirmware | UnpublishFirmware):  # L03/L04: their own words
        return maintenance.interpret_publishing(command, response)
    return _interpret_core(command, response)


def _interpret_core(command: CoreCommand, response: Payload) -> CommandResult:
    match command:
        case GetConfiguration():
            return _variable_values(response)
        case SetConfiguration():
            return _variable_set(command, response)
        case RemoteStart():
            result = _status(START_STOP_STATUS, response)
            result.data["remote_start_id"] = remote_start_id(command)
            if "transactionId" in response:  # the transaction had already started (F01)
                result.data["station_tx_id"] = response["transactionId"]
            return result
        case GetBaseReport():
            result = _status(REPORT_STATUS, response)
            result.data["request_id"] = command.request_id
            result.data["empty"] = response.get("status") == "EmptyResultSet"
            return result
        case DataTransfer():
            result = _status(DATA_TRANSFER_STATUS, response)
            if "data" in response:
                result.data["data"] = response["data"]
            return result
        case CostUpdate():  # CostUpdatedResponse has no status: received is all it says
            return CommandResult(CommandStatus.ACCEPTED)
        case (
            Reset()
            | UnlockConnector()
            | ChangeAvailability()
            | RemoteStop()
            | TriggerMessage()
            | ClearCache()
            | DisplayPrice()
            | StationPrice()
            | UpdateFirmware()
            | FetchLog()
        ):
            return _status(_STATUS_TABLES[type(command)], response)
        case _:
            assert_never(command)


def _status(table: Mapping[str, CommandStatus], response: Payload) -> CommandResult:
    raw = response.get("status")
    data = status_info(response.get("statusInfo"))
    if not isinstance(raw, str) or raw not in table:
        return CommandResult(CommandStatus.REJECTED, data, f"unexpected status {raw!r}")
    return CommandResult(table[raw], data)


def status_info(info: Any) -> dict[str, Any]:
    """StatusInfoType -> {"reason", "info"}: the station's own words, for operators."""
    if not isinstance(info, dict):
        return {}
    data = {"reason": info.get("reasonCode", "")}
    if "additionalInfo" in info:
        data["info"] = info["additionalInfo"]
    return data


def _variable_values(response: Payload) -> CommandResult:
    """GetVariablesResponse -> {"values": [{key, value, status}], "unknown": [keys]}."""
    values: list[dict[str, Any]] = []
    for item in response.get("getVariableResult", []):
        status = GET_VARIABLE_STATUS.get(item["attributeStatus"], CommandStatus.REJECTED)
        entry: dict[str, Any] = {
            "key": _key_of(item),
            "value": item.get("attributeValue"),
            "status": status.value,
        }
        evse = item["component"].get("evse")
        if evse is not None:
            entry["evse_id"] = evse["id"]
        values.append(entry)
    unknown = [v["key"] for v in values if v["status"] == CommandStatus.NOT_SUPPORTED.value]
    return CommandResult(CommandStatus.ACCEPTED, {"values": values, "unknown": unknown})


def _variable_set(command: SetConfiguration, response: Payload) -> CommandResult:
    results = response.get("setVariableResult") or [{}]
    item = results[0]
    raw = item.get("attributeStatus")
    data = {"key": str(command.key), **status_info(item.get("attributeStatusInfo"))}
    if raw not in SET_VARIABLE_STATUS:
        return CommandResult(CommandStatus.REJECTED, data, f"unexpected status {raw!r}")
    return CommandResult(SET_VARIABLE_STATUS[raw], data)


def _key_of(item: Payload) -> str:
    variable, component = item["variable"], item["component"]
    key = ConfigKey(variable["name"], component["name"], instance=variable.get("instance"))
    return str(key)


#: Command type -> the status table of its answer (commands whose answer is only a ``status``;
#: the others have their own case in ``interpret``).
_STATUS_TABLES: Mapping[type[Any], Mapping[str, CommandStatus]] = {
    Reset: RESET_STATUS,
    UnlockConnector: UNLOCK_STATUS,
    ChangeAvailability: CHANGE_AVAILABILITY_STATUS,
    RemoteStop: START_STOP_STATUS,
    TriggerMessage: TRIGGER_STATUS,
    ClearCache: CLEAR_CACHE_STATUS,
    DisplayPrice: DISPLAY_MESSAGE_STATUS,
    StationPrice: DISPLAY_MESSAGE_STATUS,
    UpdateFirmware: REQUEST_STATUS,
    FetchLog: REQUEST_STATUS,
}
