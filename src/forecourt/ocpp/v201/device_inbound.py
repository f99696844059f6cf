"""OCPP 2.0.1 station -> CSMS device reports: monitors (N02), display messages (O04), events
(N07/N08) and customer information (N09/N10). Decode, one service call, answer empty."""

from __future__ import annotations

from forecourt.domain.commands import ConfigKey
from forecourt.domain.device_state import (
    ACCEPTED,
    MessageStatus,
    MonitorSource,
    StationMessage,
    StationMonitor,
)
from forecourt.domain.events import StationEventKind
from forecourt.ocpp.adapter import Link
from forecourt.ocpp.v201.device import MONITOR_KIND, PRIORITY_OF, STATE_OF
from forecourt.ocpp.v201.mapping import lookup
from forecourt.ocpp.v201.wire_types.common import ComponentType, VariableType
from forecourt.ocpp.v201.wire_types.device_messages import (
    NotifyCustomerInformationRequest,
    NotifyCustomerInformationResponse,
    NotifyDisplayMessagesRequest,
    NotifyDisplayMessagesResponse,
)
from forecourt.ocpp.v201.wire_types.diagnostics import NotifyEventRequest, NotifyEventResponse
from forecourt.ocpp.v201.wire_types.monitoring import (
    NotifyMonitoringReportRequest,
    NotifyMonitoringReportResponse,
)
from forecourt.services.device_reports import DeviceEvent

#: EventTriggerEnumType -> neutral word.
EVENT_TRIGGER = {"Alerting": "alerting", "Delta": "delta", "Periodic": "periodic"}


def _key(component: ComponentType, variable: VariableType) -> str:
    return str(ConfigKey(variable["name"], component["name"]))


def _evse(component: ComponentType) -> int | None:
    evse = component.get("evse")
    return None if evse is None else evse["id"]


async def notify_monitoring_report(
    link: Link, p: NotifyMonitoringReportRequest
) -> NotifyMonitoringReportResponse:
    """N02: each part lists monitors as the station has them; they replace what we knew."""
    now = link.services.clock.now()
    monitors = [
        StationMonitor(
            station_id=link.station_id,
            key=_key(item["component"], item["variable"]),
            kind=lookup(MONITOR_KIND, monitor["type"], "variableMonitoring.type"),
            value=monitor["value"],
            severity=monitor["severity"],
            status=ACCEPTED,
            source=MonitorSource.REPORT,
            updated_at=now,
            evse_id=_evse(item["component"]),
            monitor_id=monitor["id"],
        )
        for item in p.get("monitor", [])
        for monitor in item["variableMonitoring"]
    ]
    await link.services.device.monitors_reported(link.station_id, monitors)
    return {}


async def notify_display_messages(
    link: Link, p: NotifyDisplayMessagesRequest
) -> NotifyDisplayMessagesResponse:
    """O04: the messages the station shows (or will), as answer to GetDisplayMessages."""
    now = link.services.clock.now()
    messages = []
    for info in p.get("messageInfo", []):
        state = info.get("state")
        messages.append(
            StationMessage(
                station_id=link.station_id,
                message_id=info["id"],
                text=info["message"]["content"],
                priority=lookup(PRIORITY_OF, info["priority"], "priority"),
                status=MessageStatus.REPORTED,
                updated_at=now,
                state=None if state is None else lookup(STATE_OF, state, "state"),
                language=info["message"].get("language", ""),
                start=info.get("startDateTime"),
                end=info.get("endDateTime"),
                station_tx_id=info.get("transactionId"),
            )
        )
    await link.services.device.messages_reported(link.station_id, messages)
    return {}


async def notify_event(link: Link, p: NotifyEventRequest) -> NotifyEventResponse:
    """N07/N08: kept as sent for operators, and published in neutral terms for detectors."""
    await link.services.records.record(link.station_id, StationEventKind.NOTIFY_EVENT, dict(p))
    events = [
        DeviceEvent(
            event_id=data["eventId"],
            key=_key(data["component"], data["variable"]),
            trigger=lookup(EVENT_TRIGGER, data["trigger"], "trigger"),
            actual_value=data["actualValue"],
            cleared=bool(data.get("cleared", False)),
            evse_id=_evse(data["component"]),
            monitor_id=data.get("variableMonitoringId"),
            tech_code=data.get("techCode", ""),
            tech_info=data.get("techInfo", ""),
            cause=data.get("cause"),
        )
        for data in p["eventData"]
    ]
    await link.services.device.events(link.station_id, events)
    return {}


async def notify_customer_information(
    link: Link, p: NotifyCustomerInformationRequest
) -> NotifyCustomerInformationResponse:
    """N09/N10: each part is kept; the service joins them by requestId and seqNo."""
    kind = StationEventKind.CUSTOMER_INFORMATION
    await link.services.records.record(link.station_id, kind, dict(p))
    return {}
