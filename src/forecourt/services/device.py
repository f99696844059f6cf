"""Device management an operator does: monitors (and their templates per station model),
display messages and customer information requests. Version-neutral: the adapters render the
commands; what the stations answer is stored here, refusals included."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from forecourt.domain.commands import CommandRecord, CommandStatus
from forecourt.domain.device import (
    ClearDisplayMessage,
    ClearMonitors,
    CustomerInformation,
    GetDisplayMessages,
    GetMonitoringReport,
    MonitorKind,
    MonitorSpec,
    SetDisplayMessage,
    SetMonitors,
)
from forecourt.domain.device_state import (
    ACCEPTED,
    MessageStatus,
    MonitorSource,
    MonitorTemplate,
    StationMessage,
    StationMonitor,
)
from forecourt.domain.errors import InvalidInput, NotFound
from forecourt.domain.events import DomainEvent, StationEventKind
from forecourt.services.context import ServiceContext
from forecourt.services.remote_control import RemoteControl


@dataclass(frozen=True, slots=True)
class CustomerReport:
    """A customer information request's answer, joined from its parts (seqNo order)."""

    request_id: int
    text: str
    parts: int
    complete: bool  # the last part (tbc false) has arrived


@dataclass(slots=True)
class DeviceManagement:
    ctx: ServiceContext
    remote: RemoteControl
    _unsubscribe: list[Callable[[], None]] = field(default_factory=list)
    _models: frozenset[str] | None = None  # models with templates (boots of others: no read)

    # -- monitors ------------------------------------------------------------------------------
    async def set_monitors(
        self,
        station_id: str,
        specs: Sequence[MonitorSpec],
        *,
        source: MonitorSource = MonitorSource.SET,
        requested_by: str = "",
    ) -> CommandRecord:
        """Send the monitors; store each as answered: accepted (with the station's id) or
        refused (with the station's reason)."""
        if not specs:
            raise InvalidInput("give at least one monitor")
        record = await self.remote.send(
            station_id, SetMonitors(tuple(specs)), requested_by=requested_by
        )
        answered = record.result.get("monitors", [])
        if answered:
            now = self.ctx.clock.now()
            monitors = [
                _answered(station_id, spec, item, source, now)
                for spec, item in zip(specs, answered, strict=False)
            ]
            async with self.ctx.uow() as uow:
                await uow.device.put_monitors(monitors)
                await uow.commit()
        return record

    async def clear_monitors(
        self, station_id: str, monitor_ids: Sequence[int], *, requested_by: str = ""
    ) -> CommandRecord:
        record = await self.remote.send(
            station_id, ClearMonitors(tuple(monitor_ids)), requested_by=requested_by
        )
        gone = [
            c["monitor_id"]
            for c in record.result.get("cleared", [])
            if c["status"] in ("accepted", "not_found")
        ]
        if gone:
            async with self.ctx.uow() as uow:
                await uow.device.remove_monitors(station_id, gone)
                await uow.commit()
        return record

    async def request_monitoring_report(
        self, station_id: str, *, requested_by: str = ""
    ) -> CommandRecord:
        """The station answers with NotifyMonitoringReport parts (stored as they arrive)."""
        request_id = await self.next_request_id()
        command = GetMonitoringReport(request_id)
        return await self.remote.send(station_id, command, requested_by=requested_by)

    async def monitors(self, station_id: str) -> list[StationMonitor]:
        async with self.ctx.uow() as uow:
            if await uow.stations.get(station_id) is None:
                raise NotFound("station", station_id)
            return await uow.device.monitors(station_id)

    # -- templates -----------------------------------------------------------------------------
    async def templates(self, model: str | None = None) -> list[MonitorTemplate]:
        async with self.ctx.uow() as uow:
            return await uow.device.templates(model)

    async def add_template(self, template: MonitorTemplate) -> MonitorTemplate:
        if not template.model:
            raise InvalidInput("a template needs the station model it applies to")
        if template.kind not in MonitorKind:
            raise InvalidInput(f"unknown monitor kind {template.kind!r}")
        template.spec()  # a malformed key fails here, not at the station
        async with self.ctx.uow() as uow:
            added = await uow.device.add_template(template)
            await uow.commit()
        self._models = None
        return added

    async def remove_template(self, template_id: int) -> None:
        async with self.ctx.uow() as uow:
            if not await uow.device.remove_template(template_id):
                raise NotFound("monitor template", template_id)
            await uow.commit()
        self._models = None

    async def apply_templates(
        self, station_id: str, *, requested_by: str = ""
    ) -> CommandRecord | None:
        """Set the monitors of the station's model; None when the model has no template."""
        async with self.ctx.uow() as uow:
            station = await uow.stations.get(station_id)
            if station is None:
                raise NotFound("station", station_id)
            templates = await uow.device.templates(station.model) if station.model else []
        if not templates:
            return None
        specs = [t.spec() for t in templates]
        return await self.set_monitors(
            station_id, specs, source=MonitorSource.TEMPLATE, requested_by=requested_by
        )

    def start(self) -> None:
        """Apply the templates after every boot (serving processes only)."""
        if not self._unsubscribe:
            self._unsubscribe.append(self.ctx.bus.subscribe("station.booted", self._booted))

    def stop(self) -> None:
        for unsubscribe in self._unsubscribe:
            unsubscribe()
        self._unsubscribe.clear()

    async def _booted(self, event: DomainEvent) -> None:
        """Only models with templates cost a read: the boot event carries the station."""
        if event.data.get("registration") != "accepted":
            return
        model = event.station.model if event.station is not None else None
        if model is None or model in await self._template_models():
            await self.apply_templates(event.station_id, requested_by="templates")

    async def _template_models(self) -> frozenset[str]:
        if self._models is None:
            self._models = frozenset(t.model for t in await self.templates())
        return self._models

    # -- display messages ----------------------------------------------------------------------
    async def set_message(
        self, station_id: str, message: SetDisplayMessage, *, requested_by: str = ""
    ) -> CommandRecord:
        record = await self.remote.send(station_id, message, requested_by=requested_by)
        if record.status.succeeded or record.status in _REFUSED:
            status = MessageStatus.ACCEPTED if record.status.succeeded else MessageStatus.REFUSED
            stored = StationMessage(
                station_id=station_id,
                message_id=message.message_id,
                text=message.text,
                priority=message.priority,
                status=status,
                updated_at=self.ctx.clock.now(),
                state=message.state,
                language=message.language,
                start=message.start,
                end=message.end,
                station_tx_id=message.station_tx_id,
                reason=str(record.result.get("status") or record.error),
            )
            async with self.ctx.uow() as uow:
                await uow.device.put_message(stored)
                await uow.commit()
        return record

    async def request_messages(self, station_id: str, *, requested_by: str = "") -> CommandRecord:
        """The station answers with NotifyDisplayMessages (stored as they arrive)."""
        command = GetDisplayMessages(await self.next_request_id())
        return await self.remote.send(station_id, command, requested_by=requested_by)

    async def clear_message(
        self, station_id: str, message_id: int, *, requested_by: str = ""
    ) -> CommandRecord:
        command = ClearDisplayMessage(message_id)
        record = await self.remote.send(station_id, command, requested_by=requested_by)
        if record.status.succeeded or record.result.get("status") == "Unknown":
            async with self.ctx.uow() as uow:  # gone from the station either way
                await uow.device.remove_message(station_id, message_id)
                await uow.commit()
        return record

    async def messages(self, station_id: str) -> list[StationMessage]:
        async with self.ctx.uow() as uow:
            if await uow.stations.get(station_id) is None:
                raise NotFound("station", station_id)
            return await uow.device.messages(station_id)

    # -- customer information ------------------------------------------------------------------
    async def request_customer_information(
        self, station_id: str, request: CustomerInformation, *, requested_by: str = ""
    ) -> CommandRecord:
        chosen = (request.id_token, request.customer_identifier, request.certificate)
        if sum(x is not None for x in chosen) != 1:
            raise InvalidInput("name the customer by exactly one of id token, identifier, hash")
        if not (request.report or request.clear):
            raise InvalidInput("ask for a report, a clear, or both")
        return await self.remote.send(station_id, request, requested_by=requested_by)

    async def customer_report(self, station_id: str, request_id: int) -> CustomerReport:
        async with self.ctx.uow() as uow:
            events = await uow.events.list(
                station_id, StationEventKind.CUSTOMER_INFORMATION, limit=1000
            )
        parts = sorted(
            (e.data for e in events if e.data.get("requestId") == request_id),
            key=lambda data: int(data.get("seqNo", 0)),
        )
        if not parts:
            raise NotFound("customer information report", request_id)
        text = "".join(str(p.get("data", "")) for p in parts)
        complete = not parts[-1].get("tbc", False)
        return CustomerReport(request_id, text, len(parts), complete)

    async def next_request_id(self) -> int:
        """Request ids the station echoes in its report parts: the next command record's id."""
        async with self.ctx.uow() as uow:
            latest = await uow.commands.list(None, 1)
        return (latest[0].id if latest else 0) + 1


#: Answers that mean the station refused the message itself (kept, to show why).
_REFUSED = frozenset({CommandStatus.REJECTED, CommandStatus.NOT_SUPPORTED})


def _answered(
    station_id: str,
    spec: MonitorSpec,
    item: dict[str, Any],
    source: MonitorSource,
    now: datetime,
) -> StationMonitor:
    """A monitor as the station answered it (the answer has no value: the request's is kept)."""
    status = str(item["status"])
    return StationMonitor(
        station_id=station_id,
        key=str(item["key"]),
        kind=MonitorKind(item["kind"]),
        value=spec.value,
        severity=int(item["severity"]),
        status=status,
        source=source,
        updated_at=now,
        evse_id=item.get("evse_id"),
        monitor_id=item.get("monitor_id") if status == ACCEPTED else None,
        reason=str(item.get("reason", "")),
    )
