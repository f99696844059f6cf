"""Bodies and answers of the device management routes (monitors, display messages, customer
information)."""

from __future__ import annotations

from datetime import datetime
from typing import Annotated, Literal

from pydantic import BaseModel, ConfigDict, Field, model_validator

from forecourt.api.bounds import PortNumber, WireInt
from forecourt.api.command_bodies import CommandRecordOut
from forecourt.domain import device as dev
from forecourt.domain.commands import ConfigKey
from forecourt.domain.device_state import (
    MessageStatus,
    MonitorSource,
    MonitorTemplate,
    Preset,
    StationMessage,
    StationMonitor,
    preset_message,
)

Severity = Annotated[int, Field(ge=0, le=dev.MAX_SEVERITY, description="0 danger .. 9 debug.")]
ComponentVariable = Annotated[
    str,
    Field(
        min_length=3,
        max_length=200,
        pattern=r"^[^.\s]+\.[^.\s]+$",
        description="`Component.Variable`, e.g. `ChargingStation.Temperature`.",
    ),
]
Instant = Annotated[str, Field(max_length=40, description="ISO 8601, e.g. 2026-12-07T14:00Z.")]


class _Body(BaseModel):
    model_config = ConfigDict(extra="forbid")


class MonitorIn(_Body):
    key: ComponentVariable
    kind: dev.MonitorKind
    value: float
    severity: Severity = 8
    evse_id: PortNumber | None = None
    monitor_id: WireInt | None = Field(None, description="Replaces the station's monitor.")
    transaction: bool = False

    def spec(self) -> dev.MonitorSpec:
        key = ConfigKey.parse(self.key)
        key = ConfigKey(key.variable, key.component, self.evse_id)
        return dev.MonitorSpec(
            key, self.kind, self.value, self.severity, self.monitor_id, self.transaction
        )


class SetMonitorsBody(_Body):
    monitors: list[MonitorIn] = Field(min_length=1, max_length=100)


class ClearMonitorsBody(_Body):
    monitor_ids: list[WireInt] = Field(min_length=1, max_length=100)


class MonitorOut(BaseModel):
    key: str
    evse_id: int | None
    kind: dev.MonitorKind
    value: float
    severity: int
    status: str = Field(description="`accepted`, or why the station refused it.")
    reason: str
    monitor_id: int | None
    source: MonitorSource
    updated_at: datetime

    @classmethod
    def from_domain(cls, m: StationMonitor) -> MonitorOut:
        return cls(
            key=m.key, evse_id=m.evse_id, kind=m.kind, value=m.value, severity=m.severity,
            status=m.status, reason=m.reason, monitor_id=m.monitor_id, source=m.source,
            updated_at=m.updated_at,
        )  # fmt: skip


class MonitorsAnswer(BaseModel):
    command: CommandRecordOut | None = Field(description="None: nothing was sent.")
    monitors: list[MonitorOut]


class MonitoringBaseBody(_Body):
    base: dev.MonitoringBase


class MonitoringLevelBody(_Body):
    severity: Severity


class TemplateIn(_Body):
    model: str = Field(min_length=1, max_length=100)
    key: ComponentVariable
    kind: dev.MonitorKind
    value: float
    severity: Severity = 8
    evse_id: PortNumber | None = None

    def to_domain(self) -> MonitorTemplate:
        return MonitorTemplate(
            self.model, self.key, self.kind, self.value, self.severity, self.evse_id
        )


class TemplateOut(BaseModel):
    id: int
    model: str
    key: str
    kind: dev.MonitorKind
    value: float
    severity: int
    evse_id: int | None

    @classmethod
    def from_domain(cls, t: MonitorTemplate) -> TemplateOut:
        return cls(
            id=t.id, model=t.model, key=t.key, kind=t.kind, value=t.value,
            severity=t.severity, evse_id=t.evse_id,
        )  # fmt: skip


class DisplayMessageBody(_Body):
    """Either a message (``message_id`` and ``text``) or a ``preset`` with its ``detail``."""

    preset: Preset | None = None
    detail: str = Field("", max_length=200, description="Preset: until when, price, port.")
    message_id: WireInt | None = None
    text: str | None = Field(None, min_length=1, max_length=512)
    priority: dev.MessagePriority = dev.MessagePriority.NORMAL_CYCLE
    state: dev.MessageState | None = None
    language: str = Field("en", min_length=2, max_length=8)
    start: Instant | None = None
    end: Instant | None = None
    station_tx_id: str | None = Field(None, min_length=1, max_length=36)

    @model_validator(mode="after")
    def _one_kind(self) -> DisplayMessageBody:
        if self.preset is None and (self.message_id is None or self.text is None):
            raise ValueError("give a preset, or a message_id and a text")
        if self.preset is not None and (self.message_id is not None or self.text is not None):
            raise ValueError("a preset brings its own message_id and text")
        return self

    def to_command(self) -> dev.SetDisplayMessage:
        if self.preset is not None:
            return preset_message(self.preset, self.detail, start=self.start, end=self.end)
        assert self.message_id is not None
        assert self.text is not None
        return dev.SetDisplayMessage(
            self.message_id, self.text, self.priority, self.state, self.language,
            self.start, self.end, self.station_tx_id,
        )  # fmt: skip


class DisplayMessageOut(BaseModel):
    message_id: int
    text: str
    priority: dev.MessagePriority
    state: dev.MessageState | None
    language: str
    start: str | None
    end: str | None
    station_tx_id: str | None
    status: MessageStatus
    reason: str
    updated_at: datetime

    @classmethod
    def from_domain(cls, m: StationMessage) -> DisplayMessageOut:
        return cls(
            message_id=m.message_id, text=m.text, priority=m.priority, state=m.state,
            language=m.language, start=m.start, end=m.end, station_tx_id=m.station_tx_id,
            status=m.status, reason=m.reason, updated_at=m.updated_at,
        )  # fmt: skip


class DisplayMessagesAnswer(BaseModel):
    command: CommandRecordOut
    messages: list[DisplayMessageOut]


class CertificateIn(_Body):
    algorithm: Literal["SHA256", "SHA384", "SHA512"]
    issuer_name_hash: str = Field(min_length=1, max_length=128)
    issuer_key_hash: str = Field(min_length=1, max_length=128)
    serial_number: str = Field(min_length=1, max_length=40)


class CustomerInformationBody(_Body):
    """The customer: exactly one of ``id_token``, ``customer_identifier``, ``certificate``."""

    request_id: WireInt | None = Field(None, description="Default: chosen by Forecourt.")
    report: bool = True
    clear: bool = False
    id_token: str | None = Field(None, min_length=1, max_length=36)
    customer_identifier: str | None = Field(None, min_length=1, max_length=64)
    certificate: CertificateIn | None = None

    @model_validator(mode="after")
    def _one_customer(self) -> CustomerInformationBody:
        named = (self.id_token, self.customer_identifier, self.certificate)
        if sum(x is not None for x in named) != 1:
            raise ValueError("give exactly one of id_token, customer_identifier, certificate")
        if not (self.report or self.clear):
            raise ValueError("ask for a report, a clear, or both")
        return self

    def to_command(self, request_id: int) -> dev.CustomerInformation:
        cert = self.certificate
        return dev.CustomerInformation(
            request_id,
            self.report,
            self.clear,
            self.id_token,
            self.customer_identifier,
            None if cert is None else dev.CertificateHash(**cert.model_dump()),
        )


class CustomerReportOut(BaseModel):
    request_id: int
    text: str
    parts: int
    complete: bool = Field(description="The station's last part has arrived.")
