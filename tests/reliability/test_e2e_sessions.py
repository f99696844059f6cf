"""Faults seen through sessions: a broken latch, a dead card reader, a silent station."""

from __future__ import annotations

import httpx

from forecourt.domain.commands import CommandStatus, RemoteStart
from forecourt.reliability.domain.model import Condition, FaultKind
from forecourt.reliability.keys import RELIABILITY
from forecourt.simulator import dc_dispenser
from tests.reliability.conftest import (
    APP,
    APP_2,
    CARD,
    CARD_2,
    SITE,
    add_dc_station,
    charge,
    eventually,
    remote_charge,
    simulated,
    tickets_of,
    wait_ticket,
)
from tests.support.server import RunningServer

TWO_DISPENSERS = [dc_dispenser(150_000.0, ("ccs1",)), dc_dispenser(150_000.0, ("ccs1",))]


async def test_broken_latch_on_one_connector_while_its_sibling_works(
    server: RunningServer, protocol: str
) -> None:
    services = server.forecourt.services
    await add_dc_station(services, "CS-LATCH", evses=2)
    async with simulated(server, "CS-LATCH", protocol, evses=TWO_DISPENSERS) as station:
        station.evse(1).config.faults.latch_failure = True
        # (distinct tokens: 1.6 replay detection keys starts by token and second)
        await charge(station, evse_id=1, token=CARD)
        await charge(station, evse_id=2, token=CARD_2)  # the sibling charges normally
        await charge(station, evse_id=1, token=APP)
        await charge(station, evse_id=1, token=APP_2)
        ticket = await wait_ticket(services, "CS-LATCH", FaultKind.CONNECTOR)
        assert ticket.ports == [1]
        (fault,) = await services.feature(RELIABILITY).tickets.faults("CS-LATCH", active=True)
        assert fault.evidence["working_siblings"] == ["2/1"]
        assert fault.evidence["outcomes"] == ["zero_energy"]
        assert fault.confidence >= 0.9
        # Available, but every session fails: the port is down, and drivers are told
        view = services.feature(RELIABILITY).monitor.view("CS-LATCH", 1)
        assert view is not None
        assert view.conditions == {Condition.FAILING_SESSIONS}
        sibling = services.feature(RELIABILITY).monitor.view("CS-LATCH", 2)
        assert sibling is not None
        assert not sibling.conditions
        async with httpx.AsyncClient(base_url=server.http_url) as client:
            ports = (await client.get(f"/api/public/sites/{SITE}/status")).json()["ports"]
        statuses = {p["evse_id"]: p["status"] for p in ports}
        assert statuses == {1: "out_of_order", 2: "available"}


async def test_dead_card_reader_while_the_app_keeps_working(
    server: RunningServer, protocol: str
) -> None:
    services = server.forecourt.services
    await add_dc_station(services, "CS-READER")
    await add_dc_station(services, "CS-CONTROL")
    async with (
        simulated(server, "CS-READER", protocol) as station,
        simulated(server, "CS-CONTROL", protocol) as control,
    ):
        await charge(station, token=CARD)
        await remote_charge(services, station, APP)
        await charge(station, token=CARD_2)
        station.faults.card_reader_dead = True
        tapped = station.start_session(1, id_token=CARD)  # the driver taps and gives up
        assert tapped is not None
        await tapped.wait_ended(30)
        for token in (APP, APP_2, APP):  # (APP twice: more than a second apart, see conftest)
            await remote_charge(services, station, token)
        # the control station sees app sessions too, but its card sessions keep coming
        for app, card in ((APP, CARD), (APP_2, CARD_2)):
            await remote_charge(services, control, app, seconds=0.3)
            await charge(control, token=card, seconds=0.3)
        ticket = await wait_ticket(services, "CS-READER", FaultKind.PAYMENT_READER)
        assert ticket.ports == [0]  # the whole station
        (fault,) = await services.feature(RELIABILITY).tickets.faults("CS-READER", active=True)
        # three app sessions (and the abandoned tap, 2.0.1 opens a transaction at plug-in)
        assert fault.evidence["streak"] >= 3
        assert fault.evidence["reader_share"] == round(2 / 3, 3)
        assert await tickets_of(services, "CS-CONTROL") == []


async def test_silent_station_far_beyond_its_own_rhythm(server: RunningServer) -> None:
    services = server.forecourt.services
    # the limit is max(silence_min_s, mean gap × ln(1/alpha)): never between two test sessions
    limits = {"silence_alpha": 0.05, "silence_min_s": 4.0}
    await services.feature(RELIABILITY).config.set_thresholds(None, limits)
    await add_dc_station(services, "CS-SILENT")
    async with simulated(server, "CS-SILENT", "1.6") as station:
        for token in (CARD, CARD_2, APP, APP_2):
            # (distinct tokens: 1.6 replay detection keys starts by token and second)
            await charge(station, token=token, seconds=0.3)
        station.faults.silent = True
        assert station.start_session(1) is None  # drivers cannot start anything
        ticket = await wait_ticket(services, "CS-SILENT", FaultKind.SILENT_OUTAGE, timeout=20)
        assert ticket.ports == [1]
        (fault,) = await services.feature(RELIABILITY).tickets.faults("CS-SILENT", active=True)
        assert fault.evidence["sessions_seen"] == 4
        assert fault.evidence["gap_s"] > fault.evidence["mean_gap_s"]
        view = services.feature(RELIABILITY).monitor.view("CS-SILENT", 1)
        assert view is not None
        assert Condition.SILENT in view.conditions


async def test_refused_remote_starts_reveal_a_silent_station_at_once(
    server: RunningServer,
) -> None:
    services = server.forecourt.services
    await add_dc_station(services, "CS-REFUSE")
    async with simulated(server, "CS-REFUSE", "2.0.1") as station:
        station.faults.silent = True
        for _ in range(2):
            record = await services.remote.send("CS-REFUSE", RemoteStart(APP, evse_id=1))
            assert record.status is CommandStatus.REJECTED
        ticket = await wait_ticket(services, "CS-REFUSE", FaultKind.SILENT_OUTAGE)
        assert ticket.ports == [0]
        station.faults.silent = False
        await remote_charge(services, station)

        async def cleared() -> bool:
            return not await services.feature(RELIABILITY).tickets.faults("CS-REFUSE", active=True)

        await eventually(cleared)
