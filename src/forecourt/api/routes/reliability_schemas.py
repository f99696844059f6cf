"""Bodies of the reliability routes. Minutes and percentages are decimal strings (exact, as
regulators compute them), never JSON floats."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from pydantic import BaseModel, ConfigDict, Field

from forecourt.api.bounds import Int64, PortNumber
from forecourt.api.schemas import UtcDatetime
from forecourt.domain.reliability.alerts import Alert, AlertRoute, Channel
from forecourt.domain.reliability.export import decimal_text, port_id
from forecourt.domain.reliability.kpis import InteropCell, KpiRow
from forecourt.domain.reliability.model import Exclusion, ExclusionCause, Fault, Severity
from forecourt.domain.reliability.nevi import MonthlyUptime, Outage
from forecourt.domain.reliability.tickets import RepairStats, Ticket, TicketEvent, TicketState
from forecourt.domain.reliability.watch import PortView
from forecourt.services.reliability.status import PublicPort, PublicSite
from forecourt.services.reliability.tickets import TicketDetail


class Input(BaseModel):
    model_config = ConfigDict(extra="forbid")


class UptimeOut(BaseModel):
    station_id: str
    port_id: str
    month: str = Field(description="YYYY-MM, in the site's time zone.")
    uptime_pct: str = Field(description="μ over the twelve months ending with `month`.")
    t_outage_min: str
    t_excluded_min: str
    month_outage_min: str = Field(description="Outage minutes inside this month only.")
    month_excluded_min: str
    observed_min: str = Field(description="Minutes of the window the timeline covers.")

    @classmethod
    def of(cls, u: MonthlyUptime) -> UptimeOut:
        return cls(
            station_id=u.port.station_id,
            port_id=port_id(u.port.station_id, u.port.evse_id),
            month=f"{u.year:04d}-{u.month:02d}",
            uptime_pct=decimal_text(u.uptime_pct, 4),
            t_outage_min=decimal_text(u.t_outage),
            t_excluded_min=decimal_text(u.t_excluded),
            month_outage_min=decimal_text(u.month_outage),
            month_excluded_min=decimal_text(u.month_excluded),
            observed_min=decimal_text(u.observed_minutes),
        )


class OutageOut(BaseModel):
    station_id: str
    evse_id: int
    start: datetime
    end: datetime | None = Field(description="None: still going on.")
    duration_min: str
    excluded_min: str
    conditions: list[str]
    excluded_causes: list[str]

    @classmethod
    def of(cls, o: Outage) -> OutageOut:
        return cls(
            station_id=o.port.station_id,
            evse_id=o.port.evse_id,
            start=o.start,
            end=o.end,
            duration_min=decimal_text(o.minutes),
            excluded_min=decimal_text(o.excluded_minutes),
            conditions=sorted(o.conditions),
            excluded_causes=list(o.causes),
        )


class ExclusionIn(Input):
    station_id: str = Field(min_length=1)
    evse_id: PortNumber | None = Field(None, description="None: every port of the station.")
    start: UtcDatetime
    end: UtcDatetime
    cause: ExclusionCause
    evidence: list[str] = Field(
        default_factory=list, description="Utility ticket numbers, photo URLs, work orders."
    )
    note: str = Field("", max_length=2000)


class ExclusionOut(BaseModel):
    id: int
    station_id: str
    evse_id: int | None
    start: datetime
    end: datetime
    cause: ExclusionCause
    evidence: list[str]
    note: str
    created_by: str
    created_at: datetime | None

    @classmethod
    def of(cls, e: Exclusion) -> ExclusionOut:
        return cls(
            id=e.id,
            station_id=e.station_id,
            evse_id=e.evse_id,
            start=e.start,
            end=e.end,
            cause=e.cause,
            evidence=list(e.evidence),
            note=e.note,
            created_by=e.created_by,
            created_at=e.created_at,
        )


class KpiOut(BaseModel):
    key: str
    attempts: int
    successes: int
    visits: int
    success_rate: float | None
    first_attempt_success_rate: float | None
    failed_visit_rate: float | None
    attempts_per_visit: float | None
    zero_energy: int
    short: int
    outcomes: dict[str, int]
    stop_reasons: dict[str, int]

    @classmethod
    def of(cls, row: KpiRow) -> KpiOut:
        return cls(
            key=row.key,
            attempts=row.attempts,
            successes=row.successes,
            visits=row.visits,
            success_rate=row.success_rate,
            first_attempt_success_rate=row.first_attempt_success_rate,
            failed_visit_rate=row.failed_visit_rate,
            attempts_per_visit=row.attempts_per_visit,
            zero_energy=row.zero_energy,
            short=row.short,
            outcomes=dict(row.outcomes),
            stop_reasons=dict(row.stop_reasons),
        )


class InteropOut(BaseModel):
    vehicle: str
    station: str
    attempts: int
    successes: int
    success_rate: float | None

    @classmethod
    def of(cls, c: InteropCell) -> InteropOut:
        return cls(
            vehicle=c.vehicle,
            station=c.station,
            attempts=c.attempts,
            successes=c.successes,
            success_rate=c.success_rate,
        )


class FaultOut(BaseModel):
    id: int
    ticket_id: int | None
    station_id: str
    evse_id: int | None
    kind: str
    severity: Severity
    confidence: float
    explanation: str
    evidence: dict[str, Any]
    first_seen: datetime
    last_seen: datetime
    occurrences: int
    active: bool
    cleared_at: datetime | None

    @classmethod
    def of(cls, f: Fault) -> FaultOut:
        return cls(
            id=f.id,
            ticket_id=f.ticket_id,
            station_id=f.station_id,
            evse_id=f.evse_id,
            kind=f.kind.value,
            severity=f.severity,
            confidence=round(f.confidence, 3),
            explanation=f.explanation,
            evidence=dict(f.evidence),
            first_seen=f.first_seen,
            last_seen=f.last_seen,
            occurrences=f.occurrences,
            active=f.active,
            cleared_at=f.cleared_at,
        )


class TicketOut(BaseModel):
    id: int
    station_id: str
    site_id: str | None
    state: TicketState
    severity: Severity
    title: str
    kinds: list[str]
    ports: list[int] = Field(description="EVSE ids; 0 means the whole station.")
    opened_at: datetime
    updated_at: datetime | None
    acknowledged_at: datetime | None
    resolved_at: datetime | None
    verified_at: datetime | None
    ack_due_at: datetime | None
    resolve_due_at: datetime | None
    assignee: str
    reopened: int

    @classmethod
    def of(cls, t: Ticket) -> TicketOut:
        return cls(
            id=t.id,
            station_id=t.station_id,
            site_id=t.site_id,
            state=t.state,
            severity=t.severity,
            title=t.title,
            kinds=list(t.kinds),
            ports=list(t.ports),
            opened_at=t.opened_at,
            updated_at=t.updated_at,
            acknowledged_at=t.acknowledged_at,
            resolved_at=t.resolved_at,
            verified_at=t.verified_at,
            ack_due_at=t.ack_due_at,
            resolve_due_at=t.resolve_due_at,
            assignee=t.assignee,
            reopened=t.reopened,
        )


class TicketPage(BaseModel):
    items: list[TicketOut]
    total: int
    limit: int
    offset: int


class TicketEventOut(BaseModel):
    at: datetime
    actor: str
    kind: str
    data: dict[str, Any]

    @classmethod
    def of(cls, e: TicketEvent) -> TicketEventOut:
        return cls(at=e.at, actor=e.actor, kind=e.kind, data=dict(e.data))


class TicketDetailOut(TicketOut):
    faults: list[FaultOut]
    events: list[TicketEventOut]
    sla_breaches: list[str]
    uptime_impact_min: str = Field(description="Non-excluded outage minutes since opening.")

    @classmethod
    def detail(cls, d: TicketDetail, impact: str) -> TicketDetailOut:
        return cls(
            **TicketOut.of(d.ticket).model_dump(),
            faults=[FaultOut.of(f) for f in d.faults],
            events=[TicketEventOut.of(e) for e in d.events],
            sla_breaches=d.sla_breaches,
            uptime_impact_min=impact,
        )


class TransitionIn(Input):
    state: TicketState
    note: str = Field("", max_length=2000)


class NoteIn(Input):
    note: str = Field(min_length=1, max_length=2000)
    assignee: str | None = Field(None, max_length=200)


class RepairStatsOut(BaseModel):
    tickets: int
    resolved: int
    verified: int
    mean_time_to_resolve_s: float | None
    median_time_to_resolve_s: float | None
    p90_time_to_resolve_s: float | None
    mean_time_to_acknowledge_s: float | None
    sla_breaches: int

    @classmethod
    def of(cls, s: RepairStats) -> RepairStatsOut:
        return cls(**{name: getattr(s, name) for name in cls.model_fields})


class PortHealthOut(BaseModel):
    station_id: str
    evse_id: int
    state: str = Field(description="up or down")
    conditions: list[str]
    busy: bool
    capability_w: float | None
    reference_w: float | None
    limited: bool

    @classmethod
    def of(cls, v: PortView) -> PortHealthOut:
        return cls(
            station_id=v.port.station_id,
            evse_id=v.port.evse_id,
            state="down" if v.conditions else "up",
            conditions=sorted(v.conditions),
            busy=v.busy,
            capability_w=v.capability_w,
            reference_w=v.reference_w,
            limited=v.limited,
        )


class ThresholdsIn(Input):
    model: str | None = Field(None, description="Station model; None: defaults of every model.")
    overrides: dict[str, float | Int64 | str] = Field(
        description="Threshold name → value; an empty object resets them."
    )


class AlertRouteIn(Input):
    channel: Channel
    target: str = Field(min_length=3, max_length=500, description="Webhook URL or e-mail.")
    site_id: str | None = None
    min_severity: Severity = Severity.MINOR
    secret: str = Field("", max_length=500, description="HMAC-SHA256 key for webhooks.")
    name: str = Field("", max_length=200)


class AlertRouteOut(BaseModel):
    id: int
    name: str
    channel: Channel
    target: str
    site_id: str | None
    min_severity: Severity
    signed: bool
    enabled: bool

    @classmethod
    def of(cls, r: AlertRoute) -> AlertRouteOut:
        return cls(
            id=r.id,
            name=r.name,
            channel=r.channel,
            target=r.target,
            site_id=r.site_id,
            min_severity=r.min_severity,
            signed=bool(r.secret),
            enabled=r.enabled,
        )


class AlertOut(BaseModel):
    id: int
    route_id: int
    state: str
    created_at: datetime
    send_after: datetime
    attempts: int
    sent_at: datetime | None
    error: str
    tickets: list[int]

    @classmethod
    def of(cls, a: Alert) -> AlertOut:
        return cls(
            id=a.id,
            route_id=a.route_id,
            state=a.state.value,
            created_at=a.created_at,
            send_after=a.send_after,
            attempts=a.attempts,
            sent_at=a.sent_at,
            error=a.error,
            tickets=[int(i["ticket_id"]) for i in a.items],
        )


class SmtpIn(Input):
    host: str = Field(min_length=1)
    port: int = Field(25, ge=1, le=65535)
    sender: str = Field("forecourt@localhost", min_length=3)
    username: str | None = None
    password: str | None = None
    starttls: bool = False


class PublicPortOut(BaseModel):
    station_id: str
    evse_id: int
    connectors: list[str]
    rated_power_kw: float | None
    status: str = Field(description="available, charging, limited, out_of_order, offline, unknown")
    message: str = Field(description='For people, e.g. "Working, ~50 kW max today".')
    max_power_kw: float | None = Field(description="What a capable vehicle can expect today.")

    @classmethod
    def of(cls, p: PublicPort) -> PublicPortOut:
        return cls(
            station_id=p.station_id,
            evse_id=p.evse_id,
            connectors=p.connectors,
            rated_power_kw=_kw(p.rated_power_w),
            status=p.status.status.value,
            message=p.status.message,
            max_power_kw=_kw(p.status.max_power_w),
        )


class PublicSiteOut(BaseModel):
    site_id: str
    name: str
    ports: list[PublicPortOut]

    @classmethod
    def of(cls, s: PublicSite) -> PublicSiteOut:
        return cls(
            site_id=s.site.id, name=s.site.name, ports=[PublicPortOut.of(p) for p in s.ports]
        )


def _kw(watts: float | None) -> float | None:
    return None if watts is None else round(watts / 1000, 1)
