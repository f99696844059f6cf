"""Firmware, log and security reports from a station, shared by the 1.6 and 2.0.1 adapters.

Each report is kept as a station event and handed to the maintenance service; the adapters
only pick the fields out of their own messages.
"""

from __future__ import annotations

from collections.abc import Mapping

from forecourt.domain.events import StationEventKind
from forecourt.domain.maintenance import FirmwareReport, LogReport
from forecourt.ocpp.adapter import Link
from forecourt.ocpp.maintenance_status import FIRMWARE_STATE, LOG_STATE


async def report_firmware(
    link: Link, status: str, request_id: int | None, raw: Mapping[str, object]
) -> None:
    await link.services.records.record(link.station_id, StationEventKind.FIRMWARE_STATUS, dict(raw))
    report = FirmwareReport(FIRMWARE_STATE[status], request_id)
    await link.services.maintenance.firmware_status(link.station_id, report)


async def report_log(
    link: Link,
    kind: StationEventKind,
    status: str,
    request_id: int | None,
    raw: Mapping[str, object],
) -> None:
    """`kind` is the event kept: 1.6 DiagnosticsStatus or the (whitepaper/2.0.1) LogStatus."""
    await link.services.records.record(link.station_id, kind, dict(raw))
    await link.services.maintenance.log_status(
        link.station_id, LogReport(LOG_STATE[status], request_id)
    )


async def report_security_event(link: Link, event_type: str, raw: Mapping[str, object]) -> None:
    await link.services.records.record(link.station_id, StationEventKind.SECURITY, dict(raw))
    await link.services.maintenance.security_event(link.station_id, event_type)
