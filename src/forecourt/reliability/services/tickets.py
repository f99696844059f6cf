"""Maintenance tickets: findings become deduplicated faults, faults open tickets (one per
station and episode), tickets move through their workflow and are verified by real sessions.
"""

from __future__ import annotations

import builtins
from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import datetime

from forecourt.domain.errors import InvalidInput, NotFound
from forecourt.ports.repositories import UnitOfWork
from forecourt.reliability.domain.alerts import AlertReason
from forecourt.reliability.domain.model import Fault, FaultKind, Finding
from forecourt.reliability.domain.tickets import (
    ACTIVE_STATES,
    RepairStats,
    Ticket,
    TicketEvent,
    TicketState,
    move,
    repair_stats,
    set_due_dates,
    sla_breaches,
    title_for,
)
from forecourt.reliability.domain.watch import Verification
from forecourt.reliability.ports import RELIABILITY_STORE, TicketFilter
from forecourt.reliability.services.config import ReliabilityConfig
from forecourt.services.context import ServiceContext

SYSTEM_ACTOR = "reliability"
WHOLE_STATION = 0  # in Ticket.ports: a station-wide fault
#: Repairs of these are verified only by a session at normal power.
POWER_KINDS = frozenset({FaultKind.DERATED.value, FaultKind.POWER_MODULE_LOSS.value})
#: Faults a soft reset may cure.
REMEDIABLE = frozenset({FaultKind.HALF_OPEN})


@dataclass(frozen=True, slots=True)
class AlertTrigger:
    ticket: Ticket
    reason: AlertReason


@dataclass(frozen=True, slots=True)
class RemediationRequest:
    station_id: str
    ticket_id: int
    interval_s: float


@dataclass(slots=True)
class Followups:
    """What a write decided that happens after commit (alerts, remediation)."""

    alerts: list[AlertTrigger] = field(default_factory=list)
    remediations: list[RemediationRequest] = field(default_factory=list)


@dataclass(frozen=True, slots=True)
class TicketDetail:
    ticket: Ticket
    faults: list[Fault]
    events: list[TicketEvent]
    sla_breaches: list[str]


class TicketDesk:
    def __init__(self, ctx: ServiceContext, config: ReliabilityConfig) -> None:
        self._ctx = ctx
        self._config = config
        # Stations that may have a ticket to verify; None until loaded (then: ask storage).
        # Only the server opens tickets, so the set is complete once loaded at start.
        self._ticketed: set[str] | None = None

    async def load(self) -> None:
        flt = TicketFilter(states=(*ACTIVE_STATES, TicketState.RESOLVED), limit=1_000_000)
        async with self._ctx.uow() as uow:
            self._ticketed = {
                t.station_id for t in await uow.repository(RELIABILITY_STORE).tickets.list(flt)
            }

    # -- automatic: called by the decision writer inside its unit of work -------------------
    async def record(
        self,
        uow: UnitOfWork,
        finding: Finding,
        site_id: str | None,
        min_confidence: float,
        remediation_interval_s: float,
        follow: Followups,
    ) -> None:
        faults = uow.repository(RELIABILITY_STORE).faults
        latest = await faults.latest(finding.station_id, finding.kind, finding.evse_id)
        if not finding.active:
            if latest is not None and latest.active:
                await self._clear(uow, latest, finding)
            return
        if latest is not None and latest.active:
            fault = _merged(latest, finding)
            await faults.save(fault)
        else:
            fault = await faults.add(_new_fault(finding))
        if finding.confidence < min_confidence:
            return  # an observation: kept, not ticketed
        ticket = await self._ticket_for(uow, fault, site_id, follow)
        if finding.kind in REMEDIABLE:
            follow.remediations.append(
                RemediationRequest(finding.station_id, ticket.id, remediation_interval_s)
            )

    def may_verify(self, station_id: str) -> bool:
        """False when the station surely has no ticket to verify (no storage needed)."""
        return self._ticketed is None or station_id in self._ticketed

    async def verify(self, uow: UnitOfWork, verification: Verification) -> None:
        port = verification.port
        if self._ticketed is not None and port.station_id not in self._ticketed:
            return  # most sessions: nothing to verify, no query
        ticket = await uow.repository(RELIABILITY_STORE).tickets.latest_for_station(port.station_id)
        if ticket is None or ticket.state is not TicketState.RESOLVED:
            return
        if WHOLE_STATION not in ticket.ports and port.evse_id not in ticket.ports:
            return
        if POWER_KINDS & set(ticket.kinds) and not verification.normal_power:
            return
        move(ticket, TicketState.VERIFIED, verification.at)
        await uow.repository(RELIABILITY_STORE).tickets.save(ticket)
        data = {"transaction_id": verification.transaction_id, "evse_id": port.evse_id}
        await _event(uow, ticket, verification.at, SYSTEM_ACTOR, "verified", data)

    async def _ticket_for(
        self, uow: UnitOfWork, fault: Fault, site_id: str | None, follow: Followups
    ) -> Ticket:
        tickets = uow.repository(RELIABILITY_STORE).tickets
        now = fault.last_seen
        ticket = await tickets.get(fault.ticket_id) if fault.ticket_id else None
        if ticket is None or ticket.state is TicketState.VERIFIED:
            ticket = await tickets.latest_for_station(fault.station_id)
        if ticket is None:
            ticket = await self._open(uow, fault, site_id, now)
            follow.alerts.append(AlertTrigger(ticket, AlertReason.OPENED))
        elif ticket.state is TicketState.RESOLVED:
            move(ticket, TicketState.OPEN, now)
            await _event(uow, ticket, now, SYSTEM_ACTOR, "reopened", {"kind": fault.kind.value})
            follow.alerts.append(AlertTrigger(ticket, AlertReason.REOPENED))
        escalated = self._attach(ticket, fault)
        if escalated and not any(t.ticket.id == ticket.id for t in follow.alerts):
            follow.alerts.append(AlertTrigger(ticket, AlertReason.ESCALATED))
        await tickets.save(ticket)
        if fault.ticket_id != ticket.id:
            fault.ticket_id = ticket.id
            await uow.repository(RELIABILITY_STORE).faults.save(fault)
            await _event(uow, ticket, now, SYSTEM_ACTOR, "fault_added", _fault_data(fault))
        return ticket

    async def _open(
        self, uow: UnitOfWork, fault: Fault, site_id: str | None, now: datetime
    ) -> Ticket:
        ticket = Ticket(
            station_id=fault.station_id,
            severity=fault.severity,
            title=title_for(fault.station_id, [fault.kind.value]),
            opened_at=now,
            site_id=site_id,
            updated_at=now,
        )
        set_due_dates(ticket, self._config.current.sla)
        ticket = await uow.repository(RELIABILITY_STORE).tickets.add(ticket)
        if self._ticketed is not None:
            self._ticketed.add(ticket.station_id)
        await _event(uow, ticket, now, SYSTEM_ACTOR, "opened", _fault_data(fault))
        return ticket

    def _attach(self, ticket: Ticket, fault: Fault) -> bool:
        """Add the fault's kind and port to the ticket; True when the severity went up."""
        if fault.kind.value not in ticket.kinds:
            ticket.kinds = sorted({*ticket.kinds, fault.kind.value})
            ticket.title = title_for(ticket.station_id, ticket.kinds)
        port = WHOLE_STATION if fault.evse_id is None else fault.evse_id
        ticket.ports = sorted({*ticket.ports, port})
        ticket.updated_at = fault.last_seen
        if fault.severity.rank <= ticket.severity.rank:
            return False
        ticket.severity = fault.severity
        set_due_dates(ticket, self._config.current.sla)
        return True

    async def _clear(self, uow: UnitOfWork, fault: Fault, finding: Finding) -> None:
        fault.active, fault.cleared_at = False, finding.at
        await uow.repository(RELIABILITY_STORE).faults.save(fault)
        if fault.ticket_id is None:
            return
        ticket = await uow.repository(RELIABILITY_STORE).tickets.get(fault.ticket_id)
        if ticket is None:
            return
        data = {**_fault_data(fault), "why": finding.explanation}
        await _event(uow, ticket, finding.at, SYSTEM_ACTOR, "fault_cleared", data)
        remaining = [
            f
            for f in await uow.repository(RELIABILITY_STORE).faults.for_ticket(ticket.id)
            if f.active
        ]
        if ticket.active and not remaining:
            move(ticket, TicketState.RESOLVED, finding.at)
            await uow.repository(RELIABILITY_STORE).tickets.save(ticket)
            why = {"why": "every fault of the ticket cleared"}
            await _event(uow, ticket, finding.at, SYSTEM_ACTOR, "auto_resolved", why)

    # -- operators -------------------------------------------------------------------------------
    async def list(self, flt: TicketFilter) -> tuple[list[Ticket], int]:
        async with self._ctx.uow() as uow:
            return await uow.repository(RELIABILITY_STORE).tickets.list(flt), await uow.repository(
                RELIABILITY_STORE
            ).tickets.count(flt)

    async def detail(self, ticket_id: int) -> TicketDetail:
        async with self._ctx.uow() as uow:
            ticket = await _require(uow, ticket_id)
            faults = await uow.repository(RELIABILITY_STORE).faults.for_ticket(ticket_id)
            events = await uow.repository(RELIABILITY_STORE).tickets.events(ticket_id)
        return TicketDetail(ticket, faults, events, sla_breaches(ticket, self._ctx.clock.now()))

    async def transition(
        self, ticket_id: int, target: TicketState, actor: str, note: str = ""
    ) -> Ticket:
        now = self._ctx.clock.now()
        async with self._ctx.uow() as uow:
            ticket = await _require(uow, ticket_id)
            before = ticket.state
            try:
                move(ticket, target, now)
            except ValueError as exc:
                raise InvalidInput(str(exc)) from exc
            await uow.repository(RELIABILITY_STORE).tickets.save(ticket)
            data = {"from": before.value, "to": target.value, "note": note}
            await _event(uow, ticket, now, actor, "state", data)
            await uow.commit()
        return ticket

    async def annotate(
        self, ticket_id: int, actor: str, note: str, assignee: str | None = None
    ) -> Ticket:
        now = self._ctx.clock.now()
        async with self._ctx.uow() as uow:
            ticket = await _require(uow, ticket_id)
            if assignee is not None:
                ticket.assignee, ticket.updated_at = assignee, now
                await uow.repository(RELIABILITY_STORE).tickets.save(ticket)
            data = {"note": note, "assignee": assignee}
            await _event(uow, ticket, now, actor, "note", data)
            await uow.commit()
        return ticket

    async def stats(self, flt: TicketFilter) -> RepairStats:
        async with self._ctx.uow() as uow:
            tickets = await uow.repository(RELIABILITY_STORE).tickets.list(flt)
        return repair_stats(tickets, self._ctx.clock.now())

    async def faults(
        self,
        station_id: str | None = None,
        active: bool | None = None,
        kind: FaultKind | None = None,
        limit: int = 100,
    ) -> builtins.list[Fault]:
        async with self._ctx.uow() as uow:
            return await uow.repository(RELIABILITY_STORE).faults.list(
                station_id, active, kind, limit
            )


async def _require(uow: UnitOfWork, ticket_id: int) -> Ticket:
    ticket = await uow.repository(RELIABILITY_STORE).tickets.get(ticket_id)
    if ticket is None:
        raise NotFound("ticket", ticket_id)
    return ticket


async def _event(
    uow: UnitOfWork, ticket: Ticket, at: datetime, actor: str, kind: str, data: Mapping[str, object]
) -> None:
    await uow.repository(RELIABILITY_STORE).tickets.add_event(
        TicketEvent(ticket.id, at, actor, kind, dict(data))
    )


def _new_fault(finding: Finding) -> Fault:
    return Fault(
        station_id=finding.station_id,
        evse_id=finding.evse_id,
        kind=finding.kind,
        severity=finding.effective_severity,
        confidence=finding.confidence,
        explanation=finding.explanation,
        evidence=dict(finding.evidence),
        first_seen=finding.at,
        last_seen=finding.at,
    )


def _merged(fault: Fault, finding: Finding) -> Fault:
    """The same fault seen again: count it, keep the newest evidence and explanation."""
    fault.last_seen = max(fault.last_seen, finding.at)
    fault.occurrences += 1
    fault.confidence = finding.confidence
    fault.explanation = finding.explanation
    fault.evidence = dict(finding.evidence)
    if finding.effective_severity.rank > fault.severity.rank:
        fault.severity = finding.effective_severity
    return fault


def _fault_data(fault: Fault) -> dict[str, object]:
    return {
        "fault_id": fault.id,
        "kind": fault.kind.value,
        "evse_id": fault.evse_id,
        "confidence": round(fault.confidence, 3),
        "explanation": fault.explanation,
    }
