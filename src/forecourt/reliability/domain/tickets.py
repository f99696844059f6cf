"""Maintenance tickets: one per station and problem episode, with SLA clocks.

    open ─▶ acknowledged ─▶ in_progress ─▶ resolved ─▶ verified
      └──────────┴──────────────┴──────────▶ resolved ─▶ open (the fault came back)

``verified`` is reached automatically when an affected port completes a successful session
(at normal power for power faults); an operator may also verify by hand.
"""

from __future__ import annotations

import statistics
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from enum import StrEnum
from typing import Any

from forecourt.reliability.domain.model import Severity


class TicketState(StrEnum):
    OPEN = "open"
    ACKNOWLEDGED = "acknowledged"
    IN_PROGRESS = "in_progress"
    RESOLVED = "resolved"
    VERIFIED = "verified"


#: States in which new findings join the ticket instead of opening another one.
ACTIVE_STATES = frozenset({TicketState.OPEN, TicketState.ACKNOWLEDGED, TicketState.IN_PROGRESS})

TRANSITIONS: Mapping[TicketState, frozenset[TicketState]] = {
    TicketState.OPEN: frozenset(
        {TicketState.ACKNOWLEDGED, TicketState.IN_PROGRESS, TicketState.RESOLVED}
    ),
    TicketState.ACKNOWLEDGED: frozenset({TicketState.IN_PROGRESS, TicketState.RESOLVED}),
    TicketState.IN_PROGRESS: frozenset({TicketState.RESOLVED}),
    TicketState.RESOLVED: frozenset({TicketState.VERIFIED, TicketState.OPEN}),
    TicketState.VERIFIED: frozenset(),
}


@dataclass(slots=True)
class Ticket:
    station_id: str
    severity: Severity
    title: str
    opened_at: datetime
    site_id: str | None = None
    state: TicketState = TicketState.OPEN
    kinds: list[str] = field(default_factory=list)
    ports: list[int] = field(default_factory=list)  # EVSE ids; empty: the whole station
    updated_at: datetime | None = None
    acknowledged_at: datetime | None = None
    started_at: datetime | None = None
    resolved_at: datetime | None = None
    verified_at: datetime | None = None
    ack_due_at: datetime | None = None
    resolve_due_at: datetime | None = None
    assignee: str = ""
    reopened: int = 0
    last_remediation_at: datetime | None = None
    id: int = 0

    @property
    def active(self) -> bool:
        return self.state in ACTIVE_STATES


@dataclass(frozen=True, slots=True)
class TicketEvent:
    """One line of a ticket's history: state changes, findings, remediation, alerts, notes."""

    ticket_id: int
    at: datetime
    actor: str
    kind: str
    data: dict[str, Any] = field(default_factory=dict)
    id: int = 0


def check_transition(current: TicketState, target: TicketState) -> None:
    if target not in TRANSITIONS[current]:
        allowed = ", ".join(sorted(TRANSITIONS[current])) or "none (verified is final)"
        raise ValueError(
            f"a {current.value} ticket cannot become {target.value}; allowed: {allowed}"
        )


def move(ticket: Ticket, target: TicketState, at: datetime) -> None:
    """Apply a checked transition and date it."""
    check_transition(ticket.state, target)
    if target is TicketState.ACKNOWLEDGED:
        ticket.acknowledged_at = at
    elif target is TicketState.IN_PROGRESS:
        ticket.started_at = at
        ticket.acknowledged_at = ticket.acknowledged_at or at
    elif target is TicketState.RESOLVED:
        ticket.resolved_at = at
        ticket.acknowledged_at = ticket.acknowledged_at or at
    elif target is TicketState.VERIFIED:
        ticket.verified_at = at
    elif target is TicketState.OPEN:  # reopened: the repair did not hold
        ticket.resolved_at = ticket.verified_at = None
        ticket.reopened += 1
    ticket.state = target
    ticket.updated_at = at


# -- SLA ---------------------------------------------------------------------------------------
@dataclass(frozen=True, slots=True)
class SlaPolicy:
    """Seconds to acknowledge and to resolve, per severity."""

    acknowledge_s: Mapping[Severity, float]
    resolve_s: Mapping[Severity, float]


DEFAULT_SLA = SlaPolicy(
    acknowledge_s={Severity.CRITICAL: 3600, Severity.MAJOR: 4 * 3600, Severity.MINOR: 86400},
    resolve_s={
        Severity.CRITICAL: 86400,
        Severity.MAJOR: 3 * 86400,
        Severity.MINOR: 7 * 86400,
    },
)


def set_due_dates(ticket: Ticket, sla: SlaPolicy) -> None:
    """(Re)compute the clocks from the opening time and the current severity."""
    ticket.ack_due_at = ticket.opened_at + timedelta(seconds=sla.acknowledge_s[ticket.severity])
    ticket.resolve_due_at = ticket.opened_at + timedelta(seconds=sla.resolve_s[ticket.severity])


def sla_breaches(ticket: Ticket, now: datetime) -> list[str]:
    """Which clocks ran out: ``acknowledge`` and/or ``resolve``."""
    breaches = []
    if ticket.ack_due_at is not None and (ticket.acknowledged_at or now) > ticket.ack_due_at:
        breaches.append("acknowledge")
    if ticket.resolve_due_at is not None and (ticket.resolved_at or now) > ticket.resolve_due_at:
        breaches.append("resolve")
    return breaches


# -- time to repair ------------------------------------------------------------------------------
@dataclass(frozen=True, slots=True)
class RepairStats:
    tickets: int
    resolved: int
    verified: int
    mean_time_to_resolve_s: float | None
    median_time_to_resolve_s: float | None
    p90_time_to_resolve_s: float | None
    mean_time_to_acknowledge_s: float | None
    sla_breaches: int


def repair_stats(tickets: Iterable[Ticket], now: datetime) -> RepairStats:
    all_tickets = list(tickets)
    to_resolve = sorted(
        (t.resolved_at - t.opened_at).total_seconds() for t in all_tickets if t.resolved_at
    )
    to_ack = [
        (t.acknowledged_at - t.opened_at).total_seconds() for t in all_tickets if t.acknowledged_at
    ]
    return RepairStats(
        tickets=len(all_tickets),
        resolved=len(to_resolve),
        verified=sum(1 for t in all_tickets if t.state is TicketState.VERIFIED),
        mean_time_to_resolve_s=statistics.fmean(to_resolve) if to_resolve else None,
        median_time_to_resolve_s=statistics.median(to_resolve) if to_resolve else None,
        p90_time_to_resolve_s=_percentile(to_resolve, 0.9),
        mean_time_to_acknowledge_s=statistics.fmean(to_ack) if to_ack else None,
        sla_breaches=sum(1 for t in all_tickets if sla_breaches(t, now)),
    )


def _percentile(ordered: list[float], share: float) -> float | None:
    if not ordered:
        return None
    index = min(len(ordered) - 1, max(0, round(share * len(ordered) + 0.5) - 1))
    return ordered[index]


def title_for(station_id: str, kinds: Iterable[str]) -> str:
    names = ", ".join(k.replace("_", " ") for k in sorted(set(kinds)))
    return f"{station_id}: {names}"
