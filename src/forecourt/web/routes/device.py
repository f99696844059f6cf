"""A station's device model: monitors (refusals shown with the station's reason), display
messages with the operator's presets, and customer information requests.

Plain forms that work without JavaScript: post, then redirect back with the command's answer.
"""

from __future__ import annotations

from typing import Any

from pydantic import ValidationError
from starlette.datastructures import FormData
from starlette.requests import Request
from starlette.responses import PlainTextResponse, RedirectResponse, Response

from forecourt.api.bounds import WireInt
from forecourt.api.schemas.device import (
    CustomerInformationBody,
    DisplayMessageBody,
    MonitorIn,
    MonitoringBaseBody,
    MonitoringLevelBody,
)
from forecourt.domain.commands import CommandRecord
from forecourt.domain.device import (
    MessagePriority,
    MessageState,
    MonitoringBase,
    MonitorKind,
    SetMonitoringBase,
    SetMonitoringLevel,
)
from forecourt.domain.device_state import Preset
from forecourt.domain.errors import InvalidInput
from forecourt.web.auth import CSRF_FIELD, Operator, Technician, Viewer
from forecourt.web.context import Web
from forecourt.web.routes import page_router
from forecourt.web.scope import visible_station

router = page_router()


def _page(station_id: str) -> str:
    return f"/dashboard/stations/{station_id}/device"


@router.get("/dashboard/stations/{station_id}/device")
async def device_page(
    request: Request, station_id: str, me: Viewer, web: Web, command: int | None = None
) -> Response:
    station = await visible_station(web, me, station_id)
    device = web.services.device
    shown = None if command is None else await web.services.remote.get(command)
    if shown is not None and shown.station_id != station_id:
        shown = None
    context = {
        "station": station,
        "monitors": await device.monitors(station_id),
        "templates": await device.templates(station.model) if station.model else [],
        "messages": await device.messages(station_id),
        "shown_command": shown,
        "shown_succeeded": shown is not None and shown.status.succeeded,
        "monitor_kinds": list(MonitorKind),
        "monitoring_bases": list(MonitoringBase),
        "presets": list(Preset),
        "priorities": list(MessagePriority),
        "states": list(MessageState),
    }
    return web.page(request, "dashboard/device.html", context)


@router.get("/dashboard/stations/{station_id}/device/summary")
async def device_summary(request: Request, station_id: str, me: Viewer, web: Web) -> Response:
    """The station page's panel (loaded by htmx): counts and the way to the device page."""
    station = await visible_station(web, me, station_id)
    context = {
        "station": station,
        "monitors": await web.services.device.monitors(station_id),
        "messages": await web.services.device.messages(station_id),
        "drift": await web.services.drift.latest(station_id),
    }
    return web.page(request, "dashboard/_device_summary.html", context)


def _fields(form: FormData) -> dict[str, Any]:
    return {
        name: value
        for name, value in form.items()
        if name != CSRF_FIELD and isinstance(value, str) and value.strip()
    }


def _parsed(what: str, model: Any, fields: dict[str, Any]) -> Any:
    try:
        return model.model_validate(fields)
    except ValidationError as invalid:
        problems = "; ".join(
            f"{'.'.join(str(p) for p in e['loc']) or 'form'}: {e['msg']}" for e in invalid.errors()
        )
        raise InvalidInput(f"cannot {what}: {problems}") from invalid


def _answered(station_id: str, record: CommandRecord | None) -> RedirectResponse:
    target = _page(station_id) + ("" if record is None else f"?command={record.id}")
    return RedirectResponse(target + "#device-result", status_code=303)


@router.post("/dashboard/stations/{station_id}/device/monitors")
async def set_monitor(request: Request, station_id: str, me: Technician, web: Web) -> Response:
    await visible_station(web, me, station_id)
    monitor: MonitorIn = _parsed("set the monitor", MonitorIn, _fields(await request.form()))
    record = await web.services.device.set_monitors(
        station_id, [monitor.spec()], requested_by=me.requester
    )
    return _answered(station_id, record)


@router.post("/dashboard/stations/{station_id}/device/monitors/{monitor_id}/clear")
async def clear_monitor(station_id: str, monitor_id: WireInt, me: Technician, web: Web) -> Response:
    await visible_station(web, me, station_id)
    record = await web.services.device.clear_monitors(
        station_id, [monitor_id], requested_by=me.requester
    )
    return _answered(station_id, record)


@router.post("/dashboard/stations/{station_id}/device/monitors/report")
async def monitoring_report(station_id: str, me: Technician, web: Web) -> Response:
    await visible_station(web, me, station_id)
    device = web.services.device
    record = await device.request_monitoring_report(station_id, requested_by=me.requester)
    return _answered(station_id, record)


@router.post("/dashboard/stations/{station_id}/device/monitoring-base")
async def monitoring_base(request: Request, station_id: str, me: Technician, web: Web) -> Response:
    await visible_station(web, me, station_id)
    body: MonitoringBaseBody = _parsed(
        "reset the monitors", MonitoringBaseBody, _fields(await request.form())
    )
    command = SetMonitoringBase(body.base)
    return _answered(
        station_id, await web.services.remote.send(station_id, command, requested_by=me.requester)
    )


@router.post("/dashboard/stations/{station_id}/device/monitoring-level")
async def monitoring_level(request: Request, station_id: str, me: Technician, web: Web) -> Response:
    await visible_station(web, me, station_id)
    body: MonitoringLevelBody = _parsed(
        "set the monitoring level", MonitoringLevelBody, _fields(await request.form())
    )
    command = SetMonitoringLevel(body.severity)
    return _answered(
        station_id, await web.services.remote.send(station_id, command, requested_by=me.requester)
    )


@router.post("/dashboard/stations/{station_id}/device/templates/apply")
async def apply_templates(station_id: str, me: Technician, web: Web) -> Response:
    await visible_station(web, me, station_id)
    record = await web.services.device.apply_templates(station_id, requested_by=me.requester)
    return _answered(station_id, record)


@router.post("/dashboard/stations/{station_id}/device/messages")
async def show_message(request: Request, station_id: str, me: Technician, web: Web) -> Response:
    await visible_station(web, me, station_id)
    body: DisplayMessageBody = _parsed(
        "show the message", DisplayMessageBody, _fields(await request.form())
    )
    record = await web.services.device.set_message(
        station_id, body.to_command(), requested_by=me.requester
    )
    return _answered(station_id, record)


@router.post("/dashboard/stations/{station_id}/device/messages/{message_id}/clear")
async def clear_message(station_id: str, message_id: WireInt, me: Technician, web: Web) -> Response:
    await visible_station(web, me, station_id)
    record = await web.services.device.clear_message(
        station_id, message_id, requested_by=me.requester
    )
    return _answered(station_id, record)


@router.post("/dashboard/stations/{station_id}/device/messages/refresh")
async def refresh_messages(station_id: str, me: Technician, web: Web) -> Response:
    await visible_station(web, me, station_id)
    record = await web.services.device.request_messages(station_id, requested_by=me.requester)
    return _answered(station_id, record)


@router.post("/dashboard/stations/{station_id}/device/customer-information")
async def customer_information(
    request: Request, station_id: str, me: Operator, web: Web
) -> Response:
    await visible_station(web, me, station_id)
    fields = _fields(await request.form())
    fields["clear"] = fields.get("clear") == "true"
    body: CustomerInformationBody = _parsed("ask", CustomerInformationBody, fields)
    device = web.services.device
    command = body.to_command(await device.next_request_id())
    record = await device.request_customer_information(
        station_id, command, requested_by=me.requester
    )
    return _answered(station_id, record)


@router.get("/dashboard/stations/{station_id}/device/customer-information/{request_id}")
async def customer_report(station_id: str, request_id: WireInt, me: Operator, web: Web) -> Response:
    await visible_station(web, me, station_id)
    report = await web.services.device.customer_report(station_id, request_id)
    name = f"customer-information-{station_id}-{request_id}.txt"
    headers = {"Content-Disposition": f'attachment; filename="{name}"'}
    return PlainTextResponse(report.text, headers=headers)
