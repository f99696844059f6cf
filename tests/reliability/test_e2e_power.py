"""Power faults end to end: simulator fault knobs → real websocket → detectors → tickets."""

from __future__ import annotations

import httpx

from forecourt.reliability.domain.model import Condition, FaultKind
from forecourt.reliability.domain.tickets import TicketState
from forecourt.reliability.keys import RELIABILITY
from forecourt.reliability.ports import TicketFilter
from tests.reliability.conftest import (
    CARD,
    CARD_2,
    SITE,
    add_dc_station,
    charge,
    eventually,
    simulated,
    tickets_of,
    wait_ticket,
)
from tests.support.server import RunningServer


async def test_derated_evse_opens_a_ticket_and_drivers_see_it(server: RunningServer) -> None:
    services = server.forecourt.services
    await add_dc_station(services, "CS-DERATE")
    await add_dc_station(services, "CS-CONTROL")
    async with (
        simulated(server, "CS-DERATE", "2.0.1") as station,
        simulated(server, "CS-CONTROL", "2.0.1") as control,
    ):
        station.evse(1).config.faults.derate_factor = 0.5
        await charge(station, token=CARD)
        one_off = await services.feature(RELIABILITY).tickets.faults("CS-DERATE")
        assert [f.kind for f in one_off] == [FaultKind.DERATED]
        assert one_off[0].confidence < 0.6  # one session: an observation, no ticket yet
        assert await tickets_of(services, "CS-DERATE") == []

        await charge(station, token=CARD_2)
        for token in (CARD, CARD_2):
            await charge(control, token=token)
        ticket = await wait_ticket(services, "CS-DERATE", FaultKind.DERATED)
        assert ticket.state is TicketState.OPEN
        assert ticket.ports == [1]
        (fault,) = await services.feature(RELIABILITY).tickets.faults("CS-DERATE", active=True)
        assert fault.evidence["vehicles"] == 2
        assert 70_000 <= fault.evidence["offered_w"] <= 76_000

        view = services.feature(RELIABILITY).monitor.view("CS-DERATE", 1)
        assert view is not None
        assert view.limited
        assert view.capability_w is not None
        assert 70_000 <= view.capability_w <= 76_000
        # 75 kW is below NEVI's 150 kW for a 150 kW port: the port counts as down
        assert Condition.BELOW_MIN_POWER in view.conditions

        async with httpx.AsyncClient(base_url=server.http_url) as client:
            answer = (await client.get(f"/api/public/sites/{SITE}/status")).json()
        ports = {(p["station_id"], p["evse_id"]): p for p in answer["ports"]}
        derated = ports[("CS-DERATE", 1)]
        assert derated["status"] == "limited"
        assert derated["message"] == "Working, ~75 kW max today"
        assert ports[("CS-CONTROL", 1)]["status"] == "available"
        assert await tickets_of(services, "CS-CONTROL") == []


async def test_repaired_derate_is_resolved_then_verified_by_a_normal_session(
    server: RunningServer,
) -> None:
    services = server.forecourt.services
    await add_dc_station(services, "CS-FIXED")
    async with simulated(server, "CS-FIXED", "1.6") as station:
        station.evse(1).config.faults.derate_factor = 0.5
        for token in (CARD, CARD_2):
            await charge(station, token=token)
        ticket = await wait_ticket(services, "CS-FIXED", FaultKind.DERATED)
        await services.feature(RELIABILITY).tickets.transition(
            ticket.id, TicketState.ACKNOWLEDGED, "tech"
        )
        await services.feature(RELIABILITY).tickets.transition(
            ticket.id, TicketState.IN_PROGRESS, "tech"
        )

        station.evse(1).config.faults.derate_factor = 1.0  # the cooling pump was replaced
        await charge(station, token=CARD)

        async def verified() -> bool:
            (current,) = await tickets_of(services, "CS-FIXED")
            return current.state is TicketState.VERIFIED

        await eventually(verified)
        detail = await services.feature(RELIABILITY).tickets.detail(ticket.id)
        kinds = [e.kind for e in detail.events]
        assert kinds[:2] == ["opened", "fault_added"]
        assert kinds[-3:] == ["fault_cleared", "auto_resolved", "verified"]
        view = services.feature(RELIABILITY).monitor.view("CS-FIXED", 1)
        assert view is not None
        assert not view.conditions


async def test_lost_power_module_is_told_apart_from_derating(server: RunningServer) -> None:
    services = server.forecourt.services
    await add_dc_station(services, "CS-MODULE")
    async with simulated(server, "CS-MODULE", "1.6") as station:
        for token in (CARD, CARD_2):  # healthy history: 150 kW sessions
            await charge(station, token=token)
        station.evse(1).config.faults.power_cap_w = 100_000.0  # one module gone, silently
        for token in (CARD, CARD_2, CARD):
            await charge(station, token=token)
        ticket = await wait_ticket(services, "CS-MODULE", FaultKind.POWER_MODULE_LOSS)
        assert FaultKind.DERATED.value not in ticket.kinds  # Power.Offered still says 150 kW
        (fault,) = await services.feature(RELIABILITY).tickets.faults("CS-MODULE", active=True)
        assert fault.evidence["ceiling_w"] == 100_000
        assert fault.evidence["best_peak_w"] == 150_000
        assert fault.evidence["step_w"] == 50_000
        found, _ = await services.feature(RELIABILITY).tickets.list(
            TicketFilter(kind=FaultKind.DERATED)
        )
        assert found == []
