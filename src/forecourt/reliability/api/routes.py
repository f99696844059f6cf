"""Reliability: uptime (NEVI), outages and their classification, KPIs, faults, tickets,
alerting, the quarterly export, and the public honest status drivers see (no API key)."""

from __future__ import annotations

import json
from datetime import datetime, timedelta
from typing import Annotated, Literal

from fastapi import APIRouter, Query, Response, status

from forecourt.api.bounds import Offset, RecordId
from forecourt.api.deps import Admin, Context, Operator, Technician, Viewer, requester
from forecourt.api.problems import problem_responses
from forecourt.api.schemas import UtcDatetime
from forecourt.domain.errors import InvalidInput
from forecourt.ports.delivery import SmtpSettings
from forecourt.reliability.api.alert_schemas import (
    AlertOut,
    AlertRouteIn,
    AlertRouteOut,
    PublicSiteOut,
    SmtpIn,
    ThresholdsIn,
)
from forecourt.reliability.api.schemas import (
    ExclusionIn,
    ExclusionOut,
    InteropOut,
    KpiOut,
    OutageOut,
    UptimeOut,
    VehicleIdOut,
    VehicleRuleIn,
    VehicleRuleOut,
)
from forecourt.reliability.api.ticket_schemas import (
    ChargeXCodeOut,
    FaultOut,
    NoteIn,
    PortHealthOut,
    RepairStatsOut,
    TicketDetailOut,
    TicketOut,
    TicketPage,
    TransitionIn,
)
from forecourt.reliability.domain.alerts import AlertRoute
from forecourt.reliability.domain.cec import hourly_row
from forecourt.reliability.domain.chargex import CODES
from forecourt.reliability.domain.export import decimal_text
from forecourt.reliability.domain.kpis import Dimension
from forecourt.reliability.domain.model import Exclusion, FaultKind, Severity
from forecourt.reliability.domain.tickets import TicketState
from forecourt.reliability.keys import RELIABILITY
from forecourt.reliability.ports import TicketFilter
from forecourt.reliability.services import Reliability
from forecourt.reliability.services.export import (
    CEC_NOTE,
    cec_csv,
    cec_hourly_csv,
    cec_rows,
    quarter_csv,
    quarter_json,
)

router = APIRouter(
    prefix="/reliability", tags=["reliability"], responses=problem_responses(401, 403)
)
public_router = APIRouter(prefix="/public", tags=["public"])

Since = Annotated[UtcDatetime | None, Query(description="From (default: 30 days ago).")]
Until = Annotated[UtcDatetime | None, Query(description="Until (default: now).")]


def _reliability(context: Context) -> Reliability:
    return context.services.feature(RELIABILITY)


def _period(
    context: Context, since: datetime | None, until: datetime | None
) -> tuple[datetime, datetime]:
    end = until or context.services.ctx.clock.now()
    return since or end - timedelta(days=30), end


def _month(text: str) -> tuple[int, int]:
    try:
        year, month = (int(part) for part in text.split("-"))
    except ValueError:
        raise InvalidInput(f"a month looks like 2026-07, not {text!r}") from None
    return year, month


# -- uptime and outages ---------------------------------------------------------------------------
@router.get(
    "/uptime", summary="NEVI uptime per port for one month", responses=problem_responses(404, 422)
)
async def uptime(
    context: Context,
    _: Viewer,
    month: Annotated[str, Query(pattern=r"^\d{4}-\d{2}$", description="YYYY-MM")],
    station_id: str | None = None,
    site_id: str | None = None,
) -> list[UptimeOut]:
    rows = await _reliability(context).reports.uptime(
        *_month(month), station_id=station_id, site_id=site_id
    )
    return [UptimeOut.of(row) for row in rows]


@router.get("/outages", summary="Outages per port in a period", responses=problem_responses(404))
async def outages(
    context: Context,
    _: Viewer,
    since: Since = None,
    until: Until = None,
    station_id: str | None = None,
) -> list[OutageOut]:
    start, end = _period(context, since, until)
    found = await _reliability(context).reports.outages(start, end, station_id=station_id)
    return [OutageOut.of(o) for o in found]


@router.get("/exclusions", summary="Outage time classified as excluded (T_excluded)")
async def list_exclusions(
    context: Context,
    _: Viewer,
    station_id: str | None = None,
    since: Since = None,
    until: Until = None,
) -> list[ExclusionOut]:
    found = await _reliability(context).reports.exclusions(station_id, since, until)
    return [ExclusionOut.of(e) for e in found]


@router.post(
    "/exclusions",
    summary="Classify outage time as caused by something outside the operator's control",
    status_code=status.HTTP_201_CREATED,
    responses=problem_responses(404, 422),
)
async def add_exclusion(body: ExclusionIn, context: Context, caller: Operator) -> ExclusionOut:
    exclusion = Exclusion(
        body.station_id,
        body.evse_id,
        body.start,
        body.end,
        body.cause,
        list(body.evidence),
        body.note,
        requester(caller),
    )
    return ExclusionOut.of(await _reliability(context).reports.classify(exclusion))


@router.delete(
    "/exclusions/{exclusion_id}",
    summary="Withdraw a classification",
    status_code=status.HTTP_204_NO_CONTENT,
    response_class=Response,
    responses=problem_responses(404),
)
async def delete_exclusion(exclusion_id: RecordId, context: Context, _: Operator) -> Response:
    await _reliability(context).reports.delete_exclusion(exclusion_id)
    return Response(status_code=status.HTTP_204_NO_CONTENT)


# -- KPIs --------------------------------------------------------------------------------------
@router.get(
    "/kpis",
    summary="Session-reliability KPIs by a dimension",
    responses=problem_responses(404, 422),
)
async def session_kpis(
    context: Context,
    _: Viewer,
    dimension: Dimension = Dimension.STATION,
    since: Since = None,
    until: Until = None,
    station_id: str | None = None,
    site_id: str | None = None,
) -> list[KpiOut]:
    start, end = _period(context, since, until)
    rows = await _reliability(context).reports.kpis(
        dimension, start, end, station_id=station_id, site_id=site_id
    )
    return [KpiOut.of(row) for row in rows]


@router.get("/interop", summary="Vehicle × station model/firmware success matrix")
async def interop(
    context: Context,
    _: Viewer,
    since: Since = None,
    until: Until = None,
    site_id: str | None = None,
) -> list[InteropOut]:
    start, end = _period(context, since, until)
    cells = await _reliability(context).reports.interop(start, end, site_id=site_id)
    return [InteropOut.of(cell) for cell in cells]


# -- faults and live health --------------------------------------------------------------------
@router.get("/faults", summary="Faults found (deduplicated), newest first")
async def faults(
    context: Context,
    _: Viewer,
    station_id: str | None = None,
    active: bool | None = None,
    kind: FaultKind | None = None,
    limit: Annotated[int, Query(ge=1, le=1000)] = 100,
) -> list[FaultOut]:
    found = await _reliability(context).tickets.faults(station_id, active, kind, limit)
    return [FaultOut.of(f) for f in found]


@router.get("/ports/{station_id}", summary="Live health of a station's ports")
async def port_health(station_id: str, context: Context, _: Viewer) -> list[PortHealthOut]:
    watch = _reliability(context).monitor.watch(station_id)
    if watch is None:
        return []
    views = [watch.view(evse_id) for evse_id in sorted(watch.ports)]
    return [PortHealthOut.of(v) for v in views if v is not None]


@router.get("/chargex-codes", summary="The ChargeX error codes recognised, with their meaning")
async def chargex_codes(_: Viewer) -> list[ChargeXCodeOut]:
    return [ChargeXCodeOut.of(c) for c in CODES.values()]


# -- vehicle identification --------------------------------------------------------------------
@router.get("/vehicle-rules", summary="Which OUI, eMAID provider or driver's token is which car")
async def vehicle_rules(context: Context, _: Viewer) -> list[VehicleRuleOut]:
    return [VehicleRuleOut.of(r) for r in await _reliability(context).vehicles.rules()]


@router.put(
    "/vehicle-rules",
    summary='Map an OUI, an eMAID provider or a driver\'s token ("my car") to a vehicle',
    responses=problem_responses(422),
)
async def put_vehicle_rule(
    body: VehicleRuleIn, context: Context, caller: Operator
) -> VehicleRuleOut:
    rule = await _reliability(context).vehicles.set_rule(
        body.kind, body.key, body.vehicle, requester(caller)
    )
    return VehicleRuleOut.of(rule)


@router.delete(
    "/vehicle-rules/{kind}/{key}",
    status_code=status.HTTP_204_NO_CONTENT,
    summary="Forget a vehicle rule",
    responses=problem_responses(404, 422),
)
async def delete_vehicle_rule(kind: str, key: str, context: Context, _: Operator) -> Response:
    await _reliability(context).vehicles.remove_rule(kind, key)
    return Response(status_code=status.HTTP_204_NO_CONTENT)


@router.get("/vehicles/identify", summary="The car a token identifies, with its confidence")
async def identify_vehicle(
    context: Context, _: Viewer, token: Annotated[str, Query(min_length=1, max_length=255)]
) -> VehicleIdOut:
    found = await _reliability(context).vehicles.identify(token)
    return VehicleIdOut.of(token, found)


# -- tickets -----------------------------------------------------------------------------------
@router.get("/tickets", summary="Maintenance tickets, newest first")
async def list_tickets(
    context: Context,
    _: Viewer,
    station_id: str | None = None,
    site_id: str | None = None,
    state: Annotated[list[TicketState] | None, Query()] = None,
    severity: Severity | None = None,
    kind: FaultKind | None = None,
    limit: Annotated[int, Query(ge=1, le=1000)] = 100,
    offset: Offset = 0,
) -> TicketPage:
    flt = TicketFilter(station_id, site_id, tuple(state or ()), severity, kind, None, limit, offset)
    items, total = await _reliability(context).tickets.list(flt)
    return TicketPage(
        items=[TicketOut.of(t) for t in items], total=total, limit=limit, offset=offset
    )


@router.get("/tickets/stats", summary="Time to acknowledge/resolve, SLA breaches")
async def ticket_stats(
    context: Context,
    _: Viewer,
    station_id: str | None = None,
    site_id: str | None = None,
    since: Since = None,
) -> RepairStatsOut:
    flt = TicketFilter(station_id, site_id, since=since, limit=100_000)
    return RepairStatsOut.of(await _reliability(context).tickets.stats(flt))


@router.get(
    "/tickets/{ticket_id}",
    summary="A ticket with its faults and history",
    responses=problem_responses(404),
)
async def get_ticket(ticket_id: RecordId, context: Context, _: Viewer) -> TicketDetailOut:
    reliability = _reliability(context)
    detail = await reliability.tickets.detail(ticket_id)
    impact = await reliability.reports.impact_minutes(detail.ticket)
    return TicketDetailOut.detail(detail, decimal_text(impact))


@router.post(
    "/tickets/{ticket_id}/transition",
    summary="Move a ticket: acknowledged, in_progress, resolved, verified (or reopen)",
    responses=problem_responses(404, 422),
)
async def transition_ticket(
    ticket_id: RecordId, body: TransitionIn, context: Context, caller: Technician
) -> TicketOut:
    ticket = await _reliability(context).tickets.transition(
        ticket_id, body.state, requester(caller), body.note
    )
    return TicketOut.of(ticket)


@router.post(
    "/tickets/{ticket_id}/notes",
    summary="Add a note (and assign)",
    responses=problem_responses(404),
)
async def note_ticket(
    ticket_id: RecordId, body: NoteIn, context: Context, caller: Technician
) -> TicketOut:
    ticket = await _reliability(context).tickets.annotate(
        ticket_id, requester(caller), body.note, body.assignee
    )
    return TicketOut.of(ticket)


# -- configuration and alerting ----------------------------------------------------------------
@router.get("/thresholds", summary="Detector thresholds (defaults, or for one station model)")
async def get_thresholds(
    context: Context, _: Viewer, model: str | None = None
) -> dict[str, object]:
    settings = _reliability(context).config.current
    chosen = settings.defaults if model is None else settings.thresholds_for(model)
    return chosen.as_dict()


@router.put("/thresholds", summary="Override thresholds", responses=problem_responses(422))
async def put_thresholds(body: ThresholdsIn, context: Context, _: Admin) -> dict[str, object]:
    chosen = await _reliability(context).config.set_thresholds(body.model, body.overrides)
    return chosen.as_dict()


@router.get("/alert-routes", summary="Where alerts go")
async def list_routes(context: Context, _: Operator) -> list[AlertRouteOut]:
    return [AlertRouteOut.of(r) for r in await _reliability(context).alerts.routes()]


@router.post(
    "/alert-routes",
    summary="Send alerts for a site (or all) at or above a severity to a webhook or e-mail",
    status_code=status.HTTP_201_CREATED,
    responses=problem_responses(404, 422),
)
async def add_route(body: AlertRouteIn, context: Context, _: Admin) -> AlertRouteOut:
    route = AlertRoute(
        body.channel, body.target, body.site_id, body.min_severity, body.secret, True, body.name
    )
    return AlertRouteOut.of(await _reliability(context).alerts.add_route(route))


@router.delete(
    "/alert-routes/{route_id}",
    summary="Remove an alert route",
    status_code=status.HTTP_204_NO_CONTENT,
    response_class=Response,
    responses=problem_responses(404),
)
async def delete_route(route_id: RecordId, context: Context, _: Admin) -> Response:
    await _reliability(context).alerts.delete_route(route_id)
    return Response(status_code=status.HTTP_204_NO_CONTENT)


@router.get("/alerts", summary="The alert outbox, newest first")
async def list_alerts(
    context: Context, _: Operator, limit: Annotated[int, Query(ge=1, le=1000)] = 100
) -> list[AlertOut]:
    return [AlertOut.of(a) for a in await _reliability(context).alerts.outbox(limit)]


@router.put(
    "/smtp",
    summary="The SMTP server for e-mail alerts",
    status_code=status.HTTP_204_NO_CONTENT,
    response_class=Response,
    responses=problem_responses(422),
)
async def put_smtp(body: SmtpIn, context: Context, _: Admin) -> Response:
    smtp = SmtpSettings(
        body.host, body.port, body.sender, body.username, body.password, body.starttls
    )
    await _reliability(context).config.set_smtp(smtp)
    return Response(status_code=status.HTTP_204_NO_CONTENT)


# -- regulatory export -------------------------------------------------------------------------
@router.get(
    "/reports/nevi",
    summary="NEVI quarterly data (23 CFR 680.112(a)) as JSON or one CSV file",
    responses={
        **problem_responses(404, 422),
        200: {"content": {"application/json": {}, "text/csv": {}}},
    },
)
async def nevi_report(
    context: Context,
    _: Viewer,
    quarter: Annotated[str, Query(description="e.g. 2026Q3")],
    file: Annotated[
        Literal["json", "sessions", "uptime", "outages", "evchart_sessions"],
        Query(description="json, or one of the CSV files"),
    ] = "json",
    station_id: str | None = None,
    site_id: str | None = None,
) -> Response:
    report = await _reliability(context).reports.nevi_quarter(
        quarter, station_id=station_id, site_id=site_id
    )
    if file == "json":
        return Response(json.dumps(quarter_json(report)), media_type="application/json")
    name = f"{file}.csv"
    headers = {"Content-Disposition": f'attachment; filename="nevi-{report.label}-{name}"'}
    return Response(quarter_csv(report)[name], media_type="text/csv", headers=headers)


@router.get(
    "/reports/cec",
    summary="California (CEC) semiannual uptime per port, as JSON or CSV",
    responses={
        **problem_responses(404, 422),
        200: {"content": {"application/json": {}, "text/csv": {}}},
    },
)
async def cec_report(
    context: Context,
    _: Viewer,
    half: Annotated[str, Query(description="The half-year, e.g. 2026H1")],
    file: Annotated[Literal["json", "csv"], Query(description="json or csv")] = "json",
    station_id: str | None = None,
    site_id: str | None = None,
) -> Response:
    rows = await _reliability(context).reports.cec_half(
        half, station_id=station_id, site_id=site_id
    )
    if file == "csv":
        label = half.strip().upper().replace("-", "")
        headers = {"Content-Disposition": f'attachment; filename="cec-uptime-{label}.csv"'}
        return Response(cec_csv(rows), media_type="text/csv", headers=headers)
    body = {"half": half.strip().upper(), "note": CEC_NOTE, "ports": cec_rows(rows)}
    return Response(json.dumps(body), media_type="application/json")


@router.get(
    "/reports/cec-hourly",
    summary="California (CEC) interval data: per port and local hour of one day",
    responses={
        **problem_responses(404, 422),
        200: {"content": {"application/json": {}, "text/csv": {}}},
    },
)
async def cec_hourly_report(
    context: Context,
    _: Viewer,
    day: Annotated[str, Query(description="The day, e.g. 2026-07-03 (each site's own hours)")],
    file: Annotated[Literal["json", "csv"], Query(description="json or csv")] = "json",
    station_id: str | None = None,
    site_id: str | None = None,
) -> Response:
    rows = await _reliability(context).reports.cec_hourly(
        day, station_id=station_id, site_id=site_id
    )
    if file == "csv":
        headers = {"Content-Disposition": f'attachment; filename="cec-hourly-{day.strip()}.csv"'}
        return Response(cec_hourly_csv(rows), media_type="text/csv", headers=headers)
    body = {"day": day.strip(), "hours": [hourly_row(r) for r in rows]}
    return Response(json.dumps(body), media_type="application/json")


# -- public ---------------------------------------------------------------------------------------
@public_router.get(
    "/sites/{site_id}/status",
    summary="Honest port status at a site (public, no API key)",
    responses=problem_responses(404),
)
async def public_site_status(site_id: str, context: Context) -> PublicSiteOut:
    return PublicSiteOut.of(await _reliability(context).public.site(site_id))
