"""Bodies of ``POST /api/stations/{id}/commands``: one tagged model per neutral command."""

from __future__ import annotations

from datetime import datetime
from typing import Annotated, Any, Literal

from pydantic import BaseModel, ConfigDict, Field, model_validator

from forecourt.api.admin_bodies import (
    GetReportBody,
    GetTransactionStatusBody,
    SetNetworkProfileBody,
)
from forecourt.api.bounds import PortNumber, PortOrStation, RecordId, WireInt
from forecourt.api.charging_profile_bodies import (
    ClearChargingProfileBody,
    GetChargingProfilesBody,
    GetCompositeScheduleBody,
    SetChargingProfileBody,
)
from forecourt.domain import commands as cmd
from forecourt.domain.commands import CommandKind, CommandRecord, CommandStatus
from forecourt.services.access import Role, shown_token


class _Body(BaseModel):
    model_config = ConfigDict(extra="forbid")


class ResetBody(_Body):
    kind: Literal["reset"]
    hard: bool = Field(False, description="Hard: reboot now; soft: after transactions end.")
    evse_id: PortNumber | None = Field(
        None, description="Reset only this EVSE (OCPP 2.0.1; a 1.6 station answers 422)."
    )

    def to_command(self) -> cmd.Command:
        return cmd.Reset(hard=self.hard, evse_id=self.evse_id)


class UnlockConnectorBody(_Body):
    kind: Literal["unlock_connector"]
    evse_id: PortNumber = 1
    connector_id: PortNumber = 1

    def to_command(self) -> cmd.Command:
        return cmd.UnlockConnector(evse_id=self.evse_id, connector_id=self.connector_id)


class ChangeAvailabilityBody(_Body):
    kind: Literal["change_availability"]
    operative: bool
    evse_id: PortOrStation = 0
    connector_id: PortNumber | None = None

    def to_command(self) -> cmd.Command:
        return cmd.ChangeAvailability(self.operative, self.evse_id, self.connector_id)


class RemoteStartBody(_Body):
    kind: Literal["remote_start"]
    id_token: str = Field(min_length=1, max_length=255)
    evse_id: PortNumber | None = None
    remote_start_id: WireInt | None = None

    def to_command(self) -> cmd.Command:
        return cmd.RemoteStart(self.id_token, self.evse_id, self.remote_start_id)


class RemoteStopBody(_Body):
    """Stop by Forecourt's transaction number, or by the station's own transaction id."""

    kind: Literal["remote_stop"]
    transaction_id: RecordId | None = Field(None, description="Forecourt's transaction number.")
    station_tx_id: str | None = Field(None, min_length=1, max_length=64)

    @model_validator(mode="after")
    def _exactly_one_id(self) -> RemoteStopBody:
        if (self.transaction_id is None) == (self.station_tx_id is None):
            raise ValueError("give exactly one of transaction_id and station_tx_id")
        return self

    def to_command(self) -> cmd.Command:
        # transaction_id is resolved to the station's id by the route (it needs the database).
        return cmd.RemoteStop(self.station_tx_id or "")


class TriggerMessageBody(_Body):
    kind: Literal["trigger_message"]
    message: cmd.TriggerKind
    evse_id: PortOrStation | None = None

    def to_command(self) -> cmd.Command:
        return cmd.TriggerMessage(self.message, self.evse_id)


ConfigKeyText = Annotated[
    str,
    Field(
        min_length=1,
        max_length=200,
        pattern=r"^[^.\s]+(\.[^.\s]+)?$",
        description="`Variable` (1.6) or `Component.Variable` (2.0.1).",
    ),
]


class GetConfigurationBody(_Body):
    kind: Literal["get_configuration"]
    keys: list[ConfigKeyText] = Field(default_factory=list, description="Empty: all keys.")

    def to_command(self) -> cmd.Command:
        return cmd.GetConfiguration(tuple(cmd.ConfigKey.parse(k) for k in self.keys))


class SetConfigurationBody(_Body):
    kind: Literal["set_configuration"]
    key: ConfigKeyText
    value: str = Field(max_length=1000)

    def to_command(self) -> cmd.Command:
        return cmd.SetConfiguration(cmd.ConfigKey.parse(self.key), self.value)


class GetBaseReportBody(_Body):
    kind: Literal["get_base_report"]
    report: cmd.ReportKind = cmd.ReportKind.FULL_INVENTORY
    request_id: WireInt = 0

    def to_command(self) -> cmd.Command:
        return cmd.GetBaseReport(self.report, self.request_id)


class ClearCacheBody(_Body):
    kind: Literal["clear_cache"]

    def to_command(self) -> cmd.Command:
        return cmd.ClearCache()


class DataTransferBody(_Body):
    kind: Literal["data_transfer"]
    vendor_id: str = Field(min_length=1, max_length=255)
    message_id: str | None = Field(None, max_length=50)
    data: str | None = None

    def to_command(self) -> cmd.Command:
        return cmd.DataTransfer(self.vendor_id, self.message_id, self.data)


CommandBody = Annotated[
    ResetBody
    | UnlockConnectorBody
    | ChangeAvailabilityBody
    | RemoteStartBody
    | RemoteStopBody
    | TriggerMessageBody
    | GetConfigurationBody
    | SetConfigurationBody
    | GetBaseReportBody
    | ClearCacheBody
    | DataTransferBody
    | GetReportBody
    | SetNetworkProfileBody
    | GetTransactionStatusBody
    | SetChargingProfileBody
    | ClearChargingProfileBody
    | GetCompositeScheduleBody
    | GetChargingProfilesBody,
    Field(discriminator="kind"),
]


class CommandRecordOut(BaseModel):
    id: int
    station_id: str
    kind: CommandKind
    params: dict[str, Any]
    status: CommandStatus
    succeeded: bool = Field(description="The station accepted (or scheduled) the command.")
    result: dict[str, Any] = Field(description="Extras of the answer (configuration values...).")
    error: str
    requested_by: str
    requested_at: datetime
    completed_at: datetime | None

    @classmethod
    def from_domain(cls, record: CommandRecord, role: Role | None) -> CommandRecordOut:
        """As ``role`` may see it (viewers: the last 4 characters of a driver's token)."""
        params = dict(record.params)
        if isinstance(params.get("id_token"), str):
            params["id_token"] = shown_token(params["id_token"], role)
        return cls(
            id=record.id,
            station_id=record.station_id,
            kind=record.kind,
            params=params,
            status=record.status,
            succeeded=record.status.succeeded,
            result=record.result,
            error=record.error,
            requested_by=record.requested_by,
            requested_at=record.requested_at,
            completed_at=record.completed_at,
        )
