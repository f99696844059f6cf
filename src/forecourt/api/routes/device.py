"""Device management: monitors and their templates, display messages, customer information."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Query
from fastapi.responses import PlainTextResponse

from forecourt.api.bounds import RecordId, WireInt
from forecourt.api.command_bodies import CommandRecordOut
from forecourt.api.deps import Context, Operator, Technician, Viewer, requester, role_of
from forecourt.api.problems import problem_responses
from forecourt.api.schemas.device import (
    ClearMonitorsBody,
    CustomerInformationBody,
    CustomerReportOut,
    DisplayMessageBody,
    DisplayMessageOut,
    DisplayMessagesAnswer,
    MonitoringBaseBody,
    MonitoringLevelBody,
    MonitorOut,
    MonitorsAnswer,
    SetMonitorsBody,
    TemplateIn,
    TemplateOut,
)
from forecourt.domain.commands import CommandRecord
from forecourt.domain.device import SetMonitoringBase, SetMonitoringLevel
from forecourt.services.core import Services

router = APIRouter(tags=["device management"], responses=problem_responses(401, 403))
_STATION = problem_responses(404, 422)


async def _monitors(
    services: Services, station_id: str, record: CommandRecord | None, caller: Technician
) -> MonitorsAnswer:
    monitors = await services.device.monitors(station_id)
    command = None if record is None else CommandRecordOut.from_domain(record, role_of(caller))
    return MonitorsAnswer(command=command, monitors=[MonitorOut.from_domain(m) for m in monitors])


@router.get(
    "/stations/{station_id}/monitors",
    summary="A station's monitors, refusals included",
    responses=problem_responses(404),
)
async def list_monitors(station_id: str, context: Context, _: Viewer) -> list[MonitorOut]:
    return [MonitorOut.from_domain(m) for m in await context.services.device.monitors(station_id)]


@router.post(
    "/stations/{station_id}/monitors",
    summary="Set monitors (2.0.1) and wait for the station's answer",
    description="Each monitor is stored as answered: `accepted`, or the station's refusal"
    " (`unknown_component`, `unknown_variable`, `unsupported_monitor_type`, `rejected`,"
    " `duplicate`).",
    responses=_STATION,
)
async def set_monitors(
    station_id: str, body: SetMonitorsBody, context: Context, caller: Technician
) -> MonitorsAnswer:
    device = context.services.device
    specs = [m.spec() for m in body.monitors]
    record = await device.set_monitors(station_id, specs, requested_by=requester(caller))
    return await _monitors(context.services, station_id, record, caller)


@router.post(
    "/stations/{station_id}/monitors/clear",
    summary="Clear monitors by their ids",
    responses=_STATION,
)
async def clear_monitors(
    station_id: str, body: ClearMonitorsBody, context: Context, caller: Technician
) -> MonitorsAnswer:
    device = context.services.device
    record = await device.clear_monitors(
        station_id, body.monitor_ids, requested_by=requester(caller)
    )
    return await _monitors(context.services, station_id, record, caller)


@router.post(
    "/stations/{station_id}/monitors/report",
    summary="Ask the station for its monitors (they arrive as report parts)",
    responses=_STATION,
)
async def monitoring_report(
    station_id: str, context: Context, caller: Technician
) -> CommandRecordOut:
    record = await context.services.device.request_monitoring_report(
        station_id, requested_by=requester(caller)
    )
    return CommandRecordOut.from_domain(record, role_of(caller))


@router.post(
    "/stations/{station_id}/monitors/apply-templates",
    summary="Set the monitors of the station model's templates",
    responses=_STATION,
)
async def apply_templates(station_id: str, context: Context, caller: Technician) -> MonitorsAnswer:
    device = context.services.device
    record = await device.apply_templates(station_id, requested_by=requester(caller))
    return await _monitors(context.services, station_id, record, caller)


@router.post(
    "/stations/{station_id}/monitoring-base",
    summary="Reset the station's monitors to a base set (2.0.1)",
    responses=_STATION,
)
async def monitoring_base(
    station_id: str, body: MonitoringBaseBody, context: Context, caller: Technician
) -> CommandRecordOut:
    command = SetMonitoringBase(body.base)
    record = await context.services.remote.send(station_id, command, requested_by=requester(caller))
    return CommandRecordOut.from_domain(record, role_of(caller))


@router.post(
    "/stations/{station_id}/monitoring-level",
    summary="Report only events of this severity or worse (2.0.1)",
    responses=_STATION,
)
async def monitoring_level(
    station_id: str, body: MonitoringLevelBody, context: Context, caller: Technician
) -> CommandRecordOut:
    command = SetMonitoringLevel(body.severity)
    record = await context.services.remote.send(station_id, command, requested_by=requester(caller))
    return CommandRecordOut.from_domain(record, role_of(caller))


@router.get("/monitor-templates", summary="Monitor templates, per station model")
async def list_templates(
    context: Context, _: Viewer, model: Annotated[str | None, Query(max_length=100)] = None
) -> list[TemplateOut]:
    return [TemplateOut.from_domain(t) for t in await context.services.device.templates(model)]


@router.post(
    "/monitor-templates",
    status_code=201,
    summary="Add a monitor template",
    responses=problem_responses(422),
)
async def add_template(body: TemplateIn, context: Context, _: Operator) -> TemplateOut:
    return TemplateOut.from_domain(await context.services.device.add_template(body.to_domain()))


@router.delete(
    "/monitor-templates/{template_id}",
    status_code=204,
    summary="Remove a template",
    responses=problem_responses(404),
)
async def remove_template(template_id: RecordId, context: Context, _: Operator) -> None:
    await context.services.device.remove_template(template_id)


@router.get(
    "/stations/{station_id}/display-messages",
    summary="A station's display messages",
    responses=problem_responses(404),
)
async def list_messages(station_id: str, context: Context, _: Viewer) -> list[DisplayMessageOut]:
    messages = await context.services.device.messages(station_id)
    return [DisplayMessageOut.from_domain(m) for m in messages]


async def _messages(
    services: Services, station_id: str, record: CommandRecord, caller: Technician
) -> DisplayMessagesAnswer:
    messages = await services.device.messages(station_id)
    return DisplayMessagesAnswer(
        command=CommandRecordOut.from_domain(record, role_of(caller)),
        messages=[DisplayMessageOut.from_domain(m) for m in messages],
    )


@router.post(
    "/stations/{station_id}/display-messages",
    summary="Show a message (or a preset) on the station's screen (2.0.1)",
    description="Presets: `maintenance` (detail: until when), `price_change` (detail: the new"
    " price), `other_port` (detail: which port). On OCPP 1.6 the command is `not_supported`.",
    responses=_STATION,
)
async def set_message(
    station_id: str, body: DisplayMessageBody, context: Context, caller: Technician
) -> DisplayMessagesAnswer:
    record = await context.services.device.set_message(
        station_id, body.to_command(), requested_by=requester(caller)
    )
    return await _messages(context.services, station_id, record, caller)


@router.post(
    "/stations/{station_id}/display-messages/refresh",
    summary="Ask the station which messages it has",
    responses=_STATION,
)
async def refresh_messages(
    station_id: str, context: Context, caller: Technician
) -> DisplayMessagesAnswer:
    device = context.services.device
    record = await device.request_messages(station_id, requested_by=requester(caller))
    return await _messages(context.services, station_id, record, caller)


@router.delete(
    "/stations/{station_id}/display-messages/{message_id}",
    summary="Remove a message from the station's screen",
    responses=_STATION,
)
async def clear_message(
    station_id: str, message_id: WireInt, context: Context, caller: Technician
) -> DisplayMessagesAnswer:
    device = context.services.device
    record = await device.clear_message(station_id, message_id, requested_by=requester(caller))
    return await _messages(context.services, station_id, record, caller)


@router.post(
    "/stations/{station_id}/customer-information",
    summary="Ask a station to report and/or clear what it keeps about a customer (2.0.1)",
    description="The report arrives in parts; read it from"
    " `GET /stations/{station_id}/customer-information/{request_id}`.",
    responses=_STATION,
)
async def customer_information(
    station_id: str, body: CustomerInformationBody, context: Context, caller: Operator
) -> CommandRecordOut:
    device = context.services.device
    request_id = body.request_id if body.request_id is not None else await device.next_request_id()
    record = await device.request_customer_information(
        station_id, body.to_command(request_id), requested_by=requester(caller)
    )
    return CommandRecordOut.from_domain(record, role_of(caller))


@router.get(
    "/stations/{station_id}/customer-information/{request_id}",
    summary="The customer information a station reported (JSON, or text to download)",
    response_model=CustomerReportOut,
    responses=problem_responses(404),
)
async def customer_report(
    station_id: str,
    request_id: WireInt,
    context: Context,
    _: Operator,
    download: Annotated[bool, Query(description="As a text file.")] = False,
) -> Any:  # a CustomerReportOut, or the text as a file
    report = await context.services.device.customer_report(station_id, request_id)
    if download:
        name = f"customer-information-{station_id}-{request_id}.txt"
        headers = {"Content-Disposition": f'attachment; filename="{name}"'}
        return PlainTextResponse(report.text, headers=headers)
    return CustomerReportOut(
        request_id=report.request_id, text=report.text, parts=report.parts, complete=report.complete
    )
