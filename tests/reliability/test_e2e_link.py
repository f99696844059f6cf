"""The link faults end to end: half-open sockets (with the automatic soft reset), offline
stations (with resolution and verification), reconnect loops."""

from __future__ import annotations

import asyncio

from forecourt.domain.commands import CommandStatus, TriggerKind, TriggerMessage
from forecourt.reliability.domain.model import Condition, FaultKind
from forecourt.reliability.domain.tickets import TicketState
from forecourt.reliability.keys import RELIABILITY
from tests.reliability.conftest import (
    CARD,
    add_dc_station,
    charge,
    eventually,
    simulated,
    tickets_of,
    wait_ticket,
)
from tests.support.server import RunningServer


async def test_half_open_station_gets_a_ticket_and_one_soft_reset(server: RunningServer) -> None:
    services = server.forecourt.services
    await add_dc_station(services, "CS-HALF")
    async with simulated(server, "CS-HALF", "1.6") as station:
        station.faults.half_open = True  # it keeps sending heartbeats, never answers us
        for _ in range(2):
            record = await services.remote.send(
                "CS-HALF", TriggerMessage(TriggerKind.STATUS_NOTIFICATION), timeout=0.3
            )
            assert record.status is CommandStatus.TIMEOUT
        ticket = await wait_ticket(services, "CS-HALF", FaultKind.HALF_OPEN)
        view = services.feature(RELIABILITY).monitor.view("CS-HALF", 1)
        assert view is not None
        assert view.conditions == {Condition.UNREACHABLE}

        async def remediated() -> list[str] | None:
            events = (await services.feature(RELIABILITY).tickets.detail(ticket.id)).events
            kinds = [e.kind for e in events]
            return kinds if "remediation" in kinds else None

        kinds = await eventually(remediated, timeout=15)
        assert kinds.count("remediation_started") == 1  # rate-limited: one reset per ticket
        detail = await services.feature(RELIABILITY).tickets.detail(ticket.id)
        reset = next(e for e in detail.events if e.kind == "remediation")
        assert reset.data["action"] == "soft_reset"
        assert reset.data["status"] == "timeout"  # half-open: even the reset goes unanswered
        commands = await services.remote.history("CS-HALF")
        assert [c.requested_by for c in commands if c.kind.value == "reset"] == ["reliability"]


async def test_offline_station_is_down_then_resolved_and_verified(server: RunningServer) -> None:
    services = server.forecourt.services
    await add_dc_station(services, "CS-OFF")
    async with simulated(server, "CS-OFF", "2.0.1") as station:
        await station.go_offline()
        ticket = await wait_ticket(services, "CS-OFF", FaultKind.OFFLINE)
        assert ticket.ports == [0]
        view = services.feature(RELIABILITY).monitor.view("CS-OFF", 1)
        assert view is not None
        assert Condition.OFFLINE in view.conditions

        await station.go_online(30)

        async def resolved() -> bool:
            (current,) = await tickets_of(services, "CS-OFF")
            return current.state is TicketState.RESOLVED

        await eventually(resolved)
        await charge(station, token=CARD)

        async def verified() -> bool:
            (current,) = await tickets_of(services, "CS-OFF")
            return current.state is TicketState.VERIFIED

        await eventually(verified)
    await services.feature(RELIABILITY).settle()
    outages = await services.feature(RELIABILITY).reports.outages(
        ticket.opened_at.replace(hour=0, minute=0), services.ctx.clock.now(), station_id="CS-OFF"
    )
    assert any(Condition.OFFLINE in o.conditions and o.end is not None for o in outages)


async def test_reconnect_loop(server: RunningServer) -> None:
    services = server.forecourt.services
    await add_dc_station(services, "CS-LOOP")
    async with simulated(server, "CS-LOOP", "1.6") as station:
        for _ in range(3):
            await station.go_offline()
            await station.go_online(30)
            await asyncio.sleep(0.05)
        ticket = await wait_ticket(services, "CS-LOOP", FaultKind.RECONNECT_LOOP)
        assert ticket.severity.value == "minor"
        assert FaultKind.OFFLINE.value not in ticket.kinds  # each drop was shorter than 0.5 s
