"""Bodies of the reliability fault and ticket routes (``/api/reliability/faults``, ``tickets``)."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from pydantic import BaseModel, Field

from forecourt.reliability.api.schemas import Input
from forecourt.reliability.domain.chargex import ChargeXCode
from forecourt.reliability.domain.model import Fault, Severity
from forecourt.reliability.domain.tickets import RepairStats, Ticket, TicketEvent, TicketState
from forecourt.reliability.domain.watch import PortView
from forecourt.reliability.services.tickets import TicketDetail


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


class ChargeXCodeOut(BaseModel):
    """A ChargeX Minimum Required Error Code (docs/reliability.md#chargex-error-codes)."""

    code: str = Field(examples=["CX001"])
    name: str = Field(examples=["ConnectorLockFailure"], description="ChargeX's name.")
    meaning: str
    category: str = Field(description="Our fault category; it sets the severity.")
    severity: Severity
    responsible: str = Field(
        default="",
        description="ChargeX's responsibility classification: who resolves it (EV user, "
        "CSO, EVSE, EV).",
    )
    source: str

    @classmethod
    def of(cls, c: ChargeXCode) -> ChargeXCodeOut:
        return cls(**c.as_dict())


class PortHealthOut(BaseModel):
    station_id: str
    evse_id: int
    state: str = Field(description="up or down")
    conditions: list[str]
    busy: bool
    capability_w: float | None
    reference_w: float | None
    limited: bool
    error_codes: list[ChargeXCodeOut] = Field(
        description="ChargeX error codes the station reports on this port now."
    )

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
            error_codes=[ChargeXCodeOut.of(c) for c in v.error_codes],
        )
