"""How every version renders a neutral command: by family, each ``match`` short and total.

A version adapter gives one renderer per family; :func:`render_by_family` routes a command to
its family, and each family's ``match`` ends in ``assert_never``, so a command a version
forgets is a type error, not a runtime surprise.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any, assert_never

from forecourt.domain.commands import (
    CancelReservation,
    CertificateSigned,
    ChangeAvailability,
    ClearCache,
    ClearChargingProfile,
    Command,
    CostUpdate,
    DataTransfer,
    DeleteCertificate,
    DisplayPrice,
    FetchLog,
    GetBaseReport,
    GetChargingProfiles,
    GetCompositeSchedule,
    GetConfiguration,
    GetInstalledCertificateIds,
    GetLocalListLimits,
    GetLocalListVersion,
    GetMessageLimits,
    GetReport,
    GetTransactionStatus,
    InstallCertificate,
    PublishFirmware,
    RemoteStart,
    RemoteStop,
    ReserveNow,
    Reset,
    SendLocalList,
    SetAuthCache,
    SetChargingProfile,
    SetConfiguration,
    SetConfigurationItems,
    SetNetworkProfile,
    SetStationPassword,
    StationPrice,
    TriggerMessage,
    UnlockConnector,
    UnpublishFirmware,
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

ControlCommand = Reset | UnlockConnector | ChangeAvailability | RemoteStart | RemoteStop
ConfigurationCommand = (
    TriggerMessage | GetConfiguration | SetConfiguration | GetBaseReport | ClearCache
)
MessageCommand = DataTransfer | DisplayPrice | StationPrice | CostUpdate
MaintenanceCommand = UpdateFirmware | FetchLog | PublishFirmware | UnpublishFirmware
LocalAuthCommand = (
    SendLocalList
    | GetLocalListVersion
    | GetLocalListLimits
    | SetAuthCache
    | ReserveNow
    | CancelReservation
)
AdministrationCommand = (
    SetStationPassword
    | GetReport
    | SetNetworkProfile
    | GetTransactionStatus
    | SetConfigurationItems
    | GetMessageLimits
)
SmartChargingCommand = (
    SetChargingProfile | ClearChargingProfile | GetCompositeSchedule | GetChargingProfiles
)
CertificateCommand = (
    CertificateSigned | InstallCertificate | DeleteCertificate | GetInstalledCertificateIds
)
#: Every command but the certificate family (which each version answers in its own module).
CoreCommand = (
    ControlCommand
    | ConfigurationCommand
    | MessageCommand
    | MaintenanceCommand
    | LocalAuthCommand
    | DeviceCommand
    | AdministrationCommand
    | SmartChargingCommand
)
Rendered = tuple[str, Mapping[str, object]]


@dataclass(frozen=True, slots=True, kw_only=True)
class FamilyRenderers:
    """One version's renderers, one per family of commands."""

    control: Callable[[ControlCommand], Rendered]
    configuration: Callable[[ConfigurationCommand], Rendered]
    messages: Callable[[MessageCommand], Rendered]
    maintenance: Callable[[MaintenanceCommand], Rendered]
    local_auth: Callable[[LocalAuthCommand], Rendered]
    device: Callable[[DeviceCommand], Rendered]
    administration: Callable[[AdministrationCommand], Rendered]
    smart_charging: Callable[[SmartChargingCommand], Rendered]
    certificates: Callable[[CertificateCommand], Rendered]

    def render(self, command: Command) -> tuple[str, dict[str, Any]]:
        """Neutral command -> (action, payload)."""
        action, request = self._route(command)
        return action, dict(request)

    def _route(self, command: Command) -> Rendered:
        match command:
            case Reset() | UnlockConnector() | ChangeAvailability() | RemoteStart() | RemoteStop():
                return self.control(command)
            case (
                TriggerMessage()
                | GetConfiguration()
                | SetConfiguration()
                | GetBaseReport()
                | ClearCache()
            ):
                return self.configuration(command)
            case DataTransfer() | DisplayPrice() | StationPrice() | CostUpdate():
                return self.messages(command)
            case UpdateFirmware() | FetchLog() | PublishFirmware() | UnpublishFirmware():
                return self.maintenance(command)
            case (
                SendLocalList()
                | GetLocalListVersion()
                | GetLocalListLimits()
                | SetAuthCache()
                | ReserveNow()
                | CancelReservation()
            ):
                return self.local_auth(command)
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
            ):
                return self.device(command)
            case (
                SetStationPassword()
                | GetReport()
                | SetNetworkProfile()
                | GetTransactionStatus()
                | SetConfigurationItems()
                | GetMessageLimits()
            ):
                return self.administration(command)
            case (
                SetChargingProfile()
                | ClearChargingProfile()
                | GetCompositeSchedule()
                | GetChargingProfiles()
            ):
                return self.smart_charging(command)
            case (
                CertificateSigned()
                | InstallCertificate()
                | DeleteCertificate()
                | GetInstalledCertificateIds()
            ):
                return self.certificates(command)
            case _:
                assert_never(command)
