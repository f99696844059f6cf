"""OCPP 1.6 CSMS -> station: render neutral commands, interpret the answers."""

from __future__ import annotations

from collections.abc import Mapping
from typing import assert_never, cast

from forecourt.domain.commands import (
    CancelReservation,
    ChangeAvailability,
    ChangeTransactionTariff,
    ClearCache,
    ClearChargingProfile,
    ClearTariffs,
    Command,
    CommandResult,
    CommandStatus,
    CostUpdate,
    DataTransfer,
    DisplayPrice,
    FetchLog,
    GetBaseReport,
    GetChargingProfiles,
    GetCompositeSchedule,
    GetConfiguration,
    GetLocalListLimits,
    GetLocalListVersion,
    GetMessageLimits,
    GetReport,
    GetTariffs,
    GetTransactionStatus,
    RemoteStart,
    RemoteStop,
    ReserveNow,
    Reset,
    SendLocalList,
    SetAuthCache,
    SetChargingProfile,
    SetConfiguration,
    SetConfigurationItems,
    SetDefaultTariff,
    SetNetworkProfile,
    SetStationPassword,
    StationPrice,
    TriggerMessage,
    UnlockConnector,
    UpdateFirmware,
)
from forecourt.domain.device import (
    ClearDisplayMessage,
    ClearMonitors,
    CustomerInformation,
    DeviceCommand,
    GetDisplayMessages,
    GetMonitoringReport,
    SetDisplayMessage,
    SetMonitoringBase,
    SetMonitoringLevel,
    SetMonitors,
)
from forecourt.domain.errors import CommandNotSupported, InvalidInput
from forecourt.domain.firmware_publishing import PublishFirmware, UnpublishFirmware
from forecourt.ocpp.adapter import Payload
from forecourt.ocpp.rendering import (
    CertificateCommand,
    ConfigurationCommand,
    ControlCommand,
    CoreCommand,
    FamilyRenderers,
    MessageCommand,
    Ocpp21Command,
    Rendered,
    tariffs_not_supported,
)
from forecourt.ocpp.v16 import certificates, local_auth, maintenance, pricing, smart_charging
from forecourt.ocpp.v16.administration import administration_result, render_administration
from forecourt.ocpp.v16.mapping import COMMAND_STATUS, EXTENDED_TRIGGER, TRIGGER
from forecourt.ocpp.v16.wire_types.authorization import ClearCacheRequest
from forecourt.ocpp.v16.wire_types.configuration import (
    ChangeConfigurationRequest,
    GetConfigurationRequest,
    GetConfigurationResponse,
    ResetRequest,
)
from forecourt.ocpp.v16.wire_types.core import ChangeAvailabilityRequest
from forecourt.ocpp.v16.wire_types.diagnostics import (
    DataTransferRequest,
    ExtendedTriggerMessageRequest,
    TriggerMessageRequest,
)
from forecourt.ocpp.v16.wire_types.transactions import (
    RemoteStartTransactionRequest,
    RemoteStopTransactionRequest,
    UnlockConnectorRequest,
)


def render(command: Command) -> tuple[str, Payload]:
    """Neutral command -> (action, payload). Raises CommandNotSupported when 1.6 cannot."""
    return _RENDERERS.render(command)


def _render_control(command: ControlCommand) -> Rendered:
    match command:
        case Reset():  # §5.13
            if command.evse_id is not None:
                raise InvalidInput(
                    "Reset of a single EVSE is not supported by OCPP 1.6: reset the whole station"
                )
            return "Reset", ResetRequest(type="Hard" if command.hard else "Soft")
        case UnlockConnector():  # §5.18
            connector_id = _connector(command.evse_id, command.connector_id)
            return "UnlockConnector", UnlockConnectorRequest(connectorId=connector_id)
        case ChangeAvailability():  # §5.2
            return "ChangeAvailability", ChangeAvailabilityRequest(
                connectorId=command.evse_id,
                type="Operative" if command.operative else "Inoperative",
            )
        case RemoteStart():  # §5.11
            return "RemoteStartTransaction", _remote_start(command)
        case RemoteStop():  # §5.12
            return "RemoteStopTransaction", _remote_stop(command)
        case _:
            assert_never(command)


def _render_configuration(command: ConfigurationCommand) -> Rendered:
    match command:
        case TriggerMessage():  # §5.17, and ExtendedTriggerMessage (security whitepaper)
            return _trigger(command)
        case GetConfiguration():  # §5.8
            return "GetConfiguration", _get_configuration(command)
        case SetConfiguration():  # §5.3
            key = command.key.variable
            return "ChangeConfiguration", ChangeConfigurationRequest(key=key, value=command.value)
        case GetBaseReport():
            raise CommandNotSupported("OCPP 1.6 has no base report; use get-config instead")
        case ClearCache():  # §5.4
            return "ClearCache", ClearCacheRequest()
        case _:
            assert_never(command)


def _render_messages(command: MessageCommand) -> Rendered:
    match command:
        case DataTransfer():  # §5.6
            return "DataTransfer", _data_transfer(command)
        case DisplayPrice():  # OCA SetUserPrice
            return "DataTransfer", pricing.user_price(command)
        case StationPrice():  # OCA DefaultPrice
            return "ChangeConfiguration", pricing.default_price(command)
        case CostUpdate():  # OCA RunningCost / FinalCost
            return "DataTransfer", pricing.cost(command)
        case _:
            assert_never(command)


def _render_device(command: DeviceCommand) -> Rendered:
    """OCPP 1.6 has no device model: monitors, display messages and customer information
    are 2.0.1 blocks. (The OCA pricing DataTransfer shows prices to one driver only.)"""
    raise CommandNotSupported(f"{_DEVICE_MESSAGES[type(command)]} is not supported on OCPP 1.6")


_DEVICE_MESSAGES: Mapping[type[DeviceCommand], str] = {
    SetMonitors: "SetVariableMonitoring",
    SetMonitoringBase: "SetMonitoringBase",
    SetMonitoringLevel: "SetMonitoringLevel",
    ClearMonitors: "ClearVariableMonitoring",
    GetMonitoringReport: "GetMonitoringReport",
    SetDisplayMessage: "SetDisplayMessage (display messages)",
    GetDisplayMessages: "GetDisplayMessages (display messages)",
    ClearDisplayMessage: "ClearDisplayMessage (display messages)",
    CustomerInformation: "CustomerInformation",
}


def _remote_start(command: RemoteStart) -> RemoteStartTransactionRequest:
    request = RemoteStartTransactionRequest(idTag=command.id_token)
    if command.evse_id is not None:
        request["connectorId"] = _connector(command.evse_id, 1)
    return request


def _remote_stop(command: RemoteStop) -> RemoteStopTransactionRequest:
    if not command.station_tx_id.isdigit():
        raise InvalidInput(f"1.6 transaction ids are integers, got {command.station_tx_id!r}")
    return RemoteStopTransactionRequest(transactionId=int(command.station_tx_id))


def _trigger(command: TriggerMessage) -> tuple[str, Mapping[str, object]]:
    if command.message in TRIGGER:
        request = TriggerMessageRequest(requestedMessage=TRIGGER[command.message])
        if command.evse_id is not None:
            request["connectorId"] = command.evse_id
        return "TriggerMessage", request
    if command.message in EXTENDED_TRIGGER:
        extended = ExtendedTriggerMessageRequest(requestedMessage=EXTENDED_TRIGGER[command.message])
        if command.evse_id is not None:
            extended["connectorId"] = command.evse_id
        return "ExtendedTriggerMessage", extended
    raise CommandNotSupported(f"OCPP 1.6 cannot trigger {command.message.value}")


def _get_configuration(command: GetConfiguration) -> GetConfigurationRequest:
    if not command.keys:
        return GetConfigurationRequest()
    return GetConfigurationRequest(key=[k.variable for k in command.keys])


def _data_transfer(command: DataTransfer) -> DataTransferRequest:
    request = DataTransferRequest(vendorId=command.vendor_id)
    if command.message_id is not None:
        request["messageId"] = command.message_id
    if command.data is not None:
        request["data"] = command.data
    return request


def interpret(command: Command, response: Payload) -> CommandResult:
    """The station's response payload -> neutral result."""
    if isinstance(command, CertificateCommand):  # the security extension: its own module
        return certificates.interpret(command, response)
    if isinstance(command, Ocpp21Command):  # never sent: rendering refuses them on 1.6
        raise CommandNotSupported(f"OCPP 1.6 has no {type(command).__name__}")
    return _interpret_core(command, response)


def _interpret_core(command: CoreCommand, response: Payload) -> CommandResult:
    match command:
        case GetConfiguration():
            # The session checked the answer against GetConfigurationResponse's schema.
            return _configuration(cast(GetConfigurationResponse, response))
        case UpdateFirmware() | FetchLog() | PublishFirmware() | UnpublishFirmware():
            return maintenance.interpret(command, response)  # publishing: never sent
        case DataTransfer() | DisplayPrice() | CostUpdate():  # DataTransfer.conf
            result = _status(response)
            if isinstance(command, DataTransfer) and "data" in response:
                result.data["data"] = response["data"]
            return result
        case (
            SendLocalList()
            | GetLocalListVersion()
            | GetLocalListLimits()
            | SetAuthCache()
            | ReserveNow()
            | CancelReservation()
        ):
            return local_auth.interpret(command, response)
        case (
            SetStationPassword()
            | GetReport()
            | SetNetworkProfile()
            | GetTransactionStatus()
            | SetConfigurationItems()
            | GetMessageLimits()
        ):
            return administration_result(command, response)
        case (
            Reset()
            | UnlockConnector()
            | ChangeAvailability()
            | RemoteStart()
            | RemoteStop()
            | TriggerMessage()
            | SetConfiguration()
            | ClearCache()
            | StationPrice()
            | GetBaseReport()
        ):
            return _status(response)
        case (
            SetMonitors()
            | SetMonitoringBase()
            | SetMonitoringLevel()
            | ClearMonitors()
            | GetMonitoringReport()
            | SetDisplayMessage()
            | GetDisplayMessages()
            | ClearDisplayMessage()
            | CustomerInformation()
            | SetDefaultTariff()
            | GetTariffs()
            | ClearTariffs()
            | ChangeTransactionTariff()
        ):  # never sent: rendering refuses them
            return _status(response)
        case (
            SetChargingProfile()
            | ClearChargingProfile()
            | GetCompositeSchedule()
            | GetChargingProfiles()
        ):
            return smart_charging.interpret(command, response)
        case _:
            assert_never(command)


def _status(response: Payload) -> CommandResult:
    status = COMMAND_STATUS.get(response.get("status", ""), CommandStatus.REJECTED)
    return CommandResult(status, {"status": response.get("status")})


def _configuration(response: GetConfigurationResponse) -> CommandResult:
    values = [
        {"key": item["key"], "value": item.get("value"), "readonly": item["readonly"]}
        for item in response.get("configurationKey", [])
    ]
    return CommandResult(
        CommandStatus.ACCEPTED, {"values": values, "unknown": response.get("unknownKey", [])}
    )


def _connector(evse_id: int, connector_id: int) -> int:
    if connector_id != 1:
        raise InvalidInput("OCPP 1.6 stations have one connector per connectorId; use connector 1")
    return evse_id


_RENDERERS = FamilyRenderers(
    control=_render_control,
    configuration=_render_configuration,
    messages=_render_messages,
    maintenance=maintenance.render,
    local_auth=local_auth.render,
    device=_render_device,
    administration=render_administration,
    smart_charging=smart_charging.render,
    certificates=certificates.render,
    tariffs=tariffs_not_supported("1.6"),
)
