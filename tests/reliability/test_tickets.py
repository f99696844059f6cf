"""Tickets: deduplication, grouping per station, reopening, verification, SLA, remediation."""

from __future__ import annotations

from collections.abc import AsyncIterator
from dataclasses import dataclass
from datetime import timedelta
from pathlib import Path

import pytest

from forecourt.domain.errors import InvalidInput
from forecourt.domain.tokens import IdToken, TokenRecord
from forecourt.ports.faults import FAULTS, FaultSummary
from forecourt.reliability.domain.model import FaultKind, Finding, PortRef, Severity, cleared
from forecourt.reliability.domain.thresholds import Thresholds
from forecourt.reliability.domain.tickets import Ticket, TicketEvent, TicketState
from forecourt.reliability.domain.watch import Decisions, Verification
from forecourt.reliability.keys import RELIABILITY
from forecourt.reliability.ports import TicketFilter
from forecourt.reliability.services.writer import Batch
from forecourt.services.core import Services
from forecourt.services.transactions import TransactionStart
from tests.support.harness import SteppingClock, make_services


@dataclass
class Rig:
    services: Services
    clock: SteppingClock

    async def found(self, *findings: Finding, verified: tuple[Verification, ...] = ()) -> None:
        decisions = Decisions(findings=list(findings), verified=list(verified))
        self.services.feature(RELIABILITY).writer.submit(
            Batch("CS", "SITE", Thresholds(), decisions)
        )
        await self.services.feature(RELIABILITY).settle()

    def finding(
        self, kind: FaultKind, evse: int | None = 1, confidence: float = 0.9, **evidence: object
    ) -> Finding:
        return Finding(
            kind, "CS", evse, self.clock.now(), confidence, f"{kind} seen", dict(evidence)
        )

    async def tickets(self) -> list[Ticket]:
        found, _ = await self.services.feature(RELIABILITY).tickets.list(
            TicketFilter(station_id="CS")
        )
        return found


@pytest.fixture
async def rig(tmp_path: Path) -> AsyncIterator[Rig]:
    clock = SteppingClock()
    services, database = await make_services(tmp_path, clock=clock)
    await services.network.add_station("CS")
    yield Rig(services, clock)
    await services.feature(RELIABILITY).stop()
    await database.dispose()


async def test_the_same_fault_twice_is_one_fault_counted_twice(rig: Rig) -> None:
    await rig.found(rig.finding(FaultKind.DERATED, n=1))
    rig.clock.advance(60)
    await rig.found(rig.finding(FaultKind.DERATED, n=2))
    (fault,) = await rig.services.feature(RELIABILITY).tickets.faults("CS")
    assert fault.occurrences == 2
    assert fault.evidence == {"n": 2}
    assert fault.last_seen - fault.first_seen == timedelta(seconds=60)
    assert len(await rig.tickets()) == 1


async def test_faults_of_one_station_share_a_ticket_and_severity_escalates(rig: Rig) -> None:
    await rig.found(rig.finding(FaultKind.CLOCK_DRIFT, evse=None))
    (ticket,) = await rig.tickets()
    assert ticket.severity is Severity.MINOR
    minor_due = ticket.resolve_due_at
    await rig.found(rig.finding(FaultKind.CONNECTOR, evse=2))
    (ticket,) = await rig.tickets()
    assert ticket.kinds == ["clock_drift", "connector"]
    assert ticket.ports == [0, 2]
    assert ticket.severity is Severity.MAJOR
    assert ticket.resolve_due_at is not None
    assert minor_due is not None
    assert ticket.resolve_due_at < minor_due  # a major fault has a shorter clock
    assert ticket.title == "CS: clock drift, connector"


async def test_low_confidence_is_recorded_not_ticketed(rig: Rig) -> None:
    await rig.found(rig.finding(FaultKind.DERATED, confidence=0.35))
    assert len(await rig.services.feature(RELIABILITY).tickets.faults("CS")) == 1
    assert await rig.tickets() == []


async def test_cleared_faults_resolve_the_ticket_and_a_recurrence_reopens_it(rig: Rig) -> None:
    await rig.found(rig.finding(FaultKind.OFFLINE, evse=None))
    rig.clock.advance(600)
    await rig.found(cleared(FaultKind.OFFLINE, "CS", None, rig.clock.now(), "back"))
    (ticket,) = await rig.tickets()
    assert ticket.state is TicketState.RESOLVED
    rig.clock.advance(60)
    await rig.found(rig.finding(FaultKind.OFFLINE, evse=None))
    (ticket,) = await rig.tickets()
    assert ticket.state is TicketState.OPEN
    assert ticket.reopened == 1
    faults = await rig.services.feature(RELIABILITY).tickets.faults("CS")
    assert [f.active for f in faults] == [True, False]  # a new episode, the old one kept


async def test_verification_needs_the_affected_port_and_normal_power(rig: Rig) -> None:
    await rig.found(rig.finding(FaultKind.DERATED, evse=1))
    (ticket,) = await rig.tickets()
    await rig.services.feature(RELIABILITY).tickets.transition(
        ticket.id, TicketState.RESOLVED, "tech"
    )
    other_port = Verification(PortRef("CS", 2), rig.clock.now(), 7, normal_power=True)
    slow = Verification(PortRef("CS", 1), rig.clock.now(), 8, normal_power=False)
    await rig.found(verified=(other_port, slow))
    assert (await rig.tickets())[0].state is TicketState.RESOLVED
    good = Verification(PortRef("CS", 1), rig.clock.now(), 9, normal_power=True)
    await rig.found(verified=(good,))
    (ticket,) = await rig.tickets()
    assert ticket.state is TicketState.VERIFIED
    await rig.found(rig.finding(FaultKind.DERATED, evse=1))
    tickets = await rig.tickets()
    assert [t.state for t in tickets] == [TicketState.OPEN, TicketState.VERIFIED]


async def test_manual_workflow_and_refused_transitions(rig: Rig) -> None:
    await rig.found(rig.finding(FaultKind.CONNECTOR))
    (ticket,) = await rig.tickets()
    desk = rig.services.feature(RELIABILITY).tickets
    with pytest.raises(InvalidInput, match="cannot become verified"):
        await desk.transition(ticket.id, TicketState.VERIFIED, "tech")
    rig.clock.advance(3600)
    await desk.transition(ticket.id, TicketState.ACKNOWLEDGED, "tech", "on my way")
    rig.clock.advance(3600)
    await desk.transition(ticket.id, TicketState.IN_PROGRESS, "tech")
    await desk.annotate(ticket.id, "tech", "replaced the latch", assignee="sam")
    rig.clock.advance(3600)
    await desk.transition(ticket.id, TicketState.RESOLVED, "tech")
    detail = await desk.detail(ticket.id)
    assert detail.ticket.assignee == "sam"
    assert [e.kind for e in detail.events] == [
        "opened",
        "fault_added",
        "state",
        "state",
        "note",
        "state",
    ]
    assert detail.sla_breaches == []
    stats = await desk.stats(TicketFilter(station_id="CS"))
    assert stats.resolved == 1
    assert stats.mean_time_to_resolve_s == 3 * 3600
    assert stats.mean_time_to_acknowledge_s == 3600


async def test_sla_breach(rig: Rig) -> None:
    await rig.found(rig.finding(FaultKind.OFFLINE, evse=None))  # critical: 1 h to acknowledge
    (ticket,) = await rig.tickets()
    rig.clock.advance(2 * 3600)
    detail = await rig.services.feature(RELIABILITY).tickets.detail(ticket.id)
    assert detail.sla_breaches == ["acknowledge"]
    stats = await rig.services.feature(RELIABILITY).tickets.stats(TicketFilter())
    assert stats.sla_breaches == 1


async def test_soft_reset_is_skipped_while_a_vehicle_charges(rig: Rig) -> None:
    services = rig.services
    await services.network.add_token(TokenRecord("TAG"))
    start = TransactionStart(1, 1, rig.clock.now(), IdToken("TAG"), meter_start_wh=0.0)
    await services.core.transactions.start("CS", start)
    await rig.found(rig.finding(FaultKind.HALF_OPEN, evse=None))
    (ticket,) = await rig.tickets()
    events = await _events_until(services, ticket.id, "remediation_skipped")
    assert "session(s) charging" in events[-1].data["why"]
    assert await services.remote.history("CS") == []


async def test_soft_reset_once_per_interval(rig: Rig) -> None:
    services = rig.services
    await rig.found(rig.finding(FaultKind.HALF_OPEN, evse=None))
    (ticket,) = await rig.tickets()
    events = await _events_until(services, ticket.id, "remediation")
    assert events[-1].data["status"] == "offline"  # the test rig has no stations connected
    await rig.found(rig.finding(FaultKind.HALF_OPEN, evse=None))
    await services.feature(RELIABILITY).settle()
    commands = await services.remote.history("CS")
    assert [(c.kind.value, c.requested_by) for c in commands] == [("reset", "reliability")]


async def _events_until(services: Services, ticket_id: int, kind: str) -> list[TicketEvent]:
    import asyncio

    for _ in range(100):
        events = (await services.feature(RELIABILITY).tickets.detail(ticket_id)).events
        if any(e.kind == kind for e in events):
            return [e for e in events if e.kind.startswith("remediation")]
        await asyncio.sleep(0.02)
    raise AssertionError(f"no {kind} event")


async def test_the_fault_board_offers_the_overview_active_faults_and_open_tickets(
    rig: Rig,
) -> None:
    """``ports.faults``: what the overview shows, only for the stations it asks about."""
    board = rig.services.port(FAULTS)
    assert board is not None
    await rig.found(rig.finding(FaultKind.CONNECTOR, evse=2))

    faults = await board.active_faults({"CS"})

    expected = FaultSummary("CS", 2, "connector", "connector seen", rig.clock.now())
    assert faults == [expected]
    assert await board.open_tickets({"CS"}) == 1
    assert await board.active_faults({"OTHER"}) == []
    assert await board.open_tickets({"OTHER"}) == 0
