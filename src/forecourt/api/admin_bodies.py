"""Bodies of the administration commands (2.0.1 custom report, network profile,
transaction status) for ``POST /api/stations/{id}/commands``."""

from __future__ import annotations

from typing import Annotated, Literal

from pydantic import BaseModel, ConfigDict, Field

from forecourt.api.bounds import WireInt
from forecourt.domain import commands as cmd

ComponentOrKey = Annotated[
    str,
    Field(
        min_length=1,
        max_length=200,
        pattern=r"^[^.\s]+(\.[^.\s]+)?$",
        description="`Component` (all its variables) or `Component.Variable`.",
    ),
]


class _Body(BaseModel):
    model_config = ConfigDict(extra="forbid")


class GetReportBody(_Body):
    kind: Literal["get_report"]
    criteria: list[cmd.ReportCriterion] = Field(
        default_factory=list, max_length=4, description="Components that are all of these."
    )
    keys: list[ComponentOrKey] = Field(default_factory=list, max_length=100)
    request_id: WireInt = 0

    def to_command(self) -> cmd.Command:
        return cmd.GetReport(
            tuple(self.criteria), tuple(map(_report_key, self.keys)), self.request_id
        )


def _report_key(text: str) -> cmd.ConfigKey:
    if "." not in text:
        return cmd.ConfigKey(variable="", component=text)
    return cmd.ConfigKey.parse(text)


class SetNetworkProfileBody(_Body):
    kind: Literal["set_network_profile"]
    slot: WireInt = Field(description="The station's configurationSlot.")
    csms_url: str = Field(min_length=1, max_length=512, pattern=r"^wss?://\S+$")
    security_profile: int = Field(1, ge=1, le=3)
    interface: cmd.NetworkInterface = cmd.NetworkInterface.WIRED0
    message_timeout_s: int = Field(30, ge=1, le=3600)

    def to_command(self) -> cmd.Command:
        profile = cmd.NetworkProfile(
            self.csms_url, self.security_profile, self.interface, self.message_timeout_s
        )
        return cmd.SetNetworkProfile(self.slot, profile)


class GetTransactionStatusBody(_Body):
    kind: Literal["get_transaction_status"]
    station_tx_id: str | None = Field(None, min_length=1, max_length=36)

    def to_command(self) -> cmd.Command:
        return cmd.GetTransactionStatus(self.station_tx_id)
