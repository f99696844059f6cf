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
    ChangeTransactionTariff,
    ClearCache,
    ClearChargingProfile,
    ClearTariffs,
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
    GetTariffs,
    GetTransactionStatus,
    InstallCertificate,
    NotifyWebPaymentStarted,
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
    SetDefaultTariff,
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
from forecourt.domain.errors import CommandNotSupported

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
#: OCPP 2.1 I-block: the station holds and prices with our tariffs (earlier versions refuse).
TariffCommand = SetDefaultTariff | GetTariffs | ClearTariffs | ChangeTransactionTariff
#: What only OCPP 2.1 has: the tariffs, and C25's NotifyWebPaymentStarted (one family, which
#: earlier versions refuse before anything is sent).
Ocpp21Command = TariffCommand | NotifyWebPaymentStarted
Rendered = tuple[str, Mapping[str, object]]


def tariffs_not_supported(version: str) -> Callable[[Ocpp21Command], Rendered]:
    """The 2.1-only family of a version that has none of its messages."""

    def refuse(command: Ocpp21Command) -> Rendered:
        if isinstance(command, NotifyWebPaymentStarted):
            raise CommandNotSupported(
                f"OCPP {version} has no NotifyWebPaymentStarted (OCPP 2.1 C25): the payment"
                " page shows the payment's progress itself"
            )
        raise CommandNotSupported(
            f"OCPP {version} stations do not hold tariffs (OCPP 2.1 I-block): the CSMS prices"
            " their sessions itself"
        )

    return refuse


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
    tariffs: Callable[[Ocpp21Command], Rendered]  # the 2.1-only family

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
            case _:
                return self._route_energy_and_trust(command)

    def _route_energy_and_trust(
        self, command: SmartChargingCommand | CertificateCommand | Ocpp21Command
    ) -> Rendered:
        """The second half of the router (kept apart only to stay readable)."""
        match command:
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
            case (
                SetDefaultTariff()
                | GetTariffs()
                | ClearTariffs()
                | ChangeTransactionTariff()
                | NotifyWebPaymentStarted()
            ):
                return self.tariffs(command)
            case _:
                assert_never(command)
