"""What stations report of their device model: monitoring reports, display message lists and
events (2.0.1 NotifyMonitoringReport, NotifyDisplayMessages, NotifyEvent), in neutral terms.

Events are published as ``device.event`` (one per reported event) for whoever watches stations'
health, e.g. the reliability detectors; they never need to read OCPP.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import asdict, dataclass

from forecourt.domain.device_state import StationMessage, StationMonitor
from forecourt.ports.repositories import UnitOfWork
from forecourt.services.context import ServiceContext


@dataclass(frozen=True, slots=True)
class DeviceEvent:
    """One reported event: a monitor tripped (or cleared), or a component's problem."""

    event_id: int
    key: str  # Component.Variable
    trigger: str  # alerting | delta | periodic
    actual_value: str
    cleared: bool = False
    evse_id: int | None = None
    monitor_id: int | None = None
    severity: int | None = None  # the monitor's, when Forecourt knows it
    tech_code: str = ""
    tech_info: str = ""
    cause: int | None = None


class DeviceReports:
    def __init__(self, ctx: ServiceContext) -> None:
        self._ctx = ctx

    async def monitors_reported(self, station_id: str, monitors: Sequence[StationMonitor]) -> None:
        """A part of a monitoring report: the station's monitors as it has them."""
        async with self._ctx.uow() as uow:
            await uow.device.put_monitors(monitors)
            self._ctx.stage_event(uow, "device.monitors_reported", station_id, count=len(monitors))
            await uow.commit()

    async def messages_reported(self, station_id: str, messages: Sequence[StationMessage]) -> None:
        async with self._ctx.uow() as uow:
            for message in messages:
                await uow.device.put_message(message)
            self._ctx.stage_event(uow, "device.messages_reported", station_id, count=len(messages))
            await uow.commit()

    async def events(self, station_id: str, events: Sequence[DeviceEvent]) -> None:
        """Publish each event, with the severity of the monitor that raised it when known.
        Nothing is stored of them but their events: one unit of work stages them all, so
        they go through the outbox like every event (ADR 0012)."""
        async with self._ctx.uow() as uow:
            severities = await _monitor_severities(uow, station_id, events)
            news = []
            for event in events:
                data = asdict(event)
                if event.severity is None and event.monitor_id in severities:
                    data["severity"] = severities[event.monitor_id]
                news.append(("device.event", data))
            self._ctx.stage(uow, station_id, news)
            await uow.commit()


async def _monitor_severities(
    uow: UnitOfWork, station_id: str, events: Sequence[DeviceEvent]
) -> dict[int | None, int]:
    if not any(e.monitor_id is not None for e in events):
        return {}
    monitors = await uow.device.monitors(station_id)
    return {m.monitor_id: m.severity for m in monitors if m.monitor_id is not None}
