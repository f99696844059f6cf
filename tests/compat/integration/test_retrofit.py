"""Retrofits keep a station's history continuous and say what changed."""

from __future__ import annotations

import pytest

from forecourt.bus.inprocess import InProcessBus
from forecourt.domain.connectors import ConnectorType, PowerType
from forecourt.domain.errors import Conflict, InvalidInput, NotFound
from forecourt.domain.events import DomainEvent, StationEventKind
from forecourt.domain.stations import ConnectorStatus
from forecourt.domain.transactions import StopReason
from forecourt.ports.repositories import TransactionFilter
from forecourt.services.core import Services
from forecourt.services.network import ConnectorSpec
from forecourt.services.transactions import TransactionStop
from tests.compat.integration.site import CCS1_350, NACS_250, report, start_session
from tests.support.harness import SteppingClock

NACS = ConnectorType.NACS


async def finished_session(services: Services, clock: SteppingClock, connector_id: int) -> int:
    tx_id = await start_session(services, "CS-1", 1, connector_id, clock.now())
    clock.advance(600)
    stop = TransactionStop(str(tx_id), clock.now(), 21_000.0, StopReason.LOCAL)
    await services.core.transactions.stop("CS-1", stop)
    clock.advance(60)
    return tx_id


async def test_converting_a_connector_keeps_its_history_and_records_the_change(
    services: Services, clock: SteppingClock
) -> None:
    before = await finished_session(services, clock, 1)
    statuses_before = await services.network.status_history("CS-1")

    done = await services.equipment.convert_connector(
        "CS-1", ConnectorSpec(1, 1, NACS, NACS_250), note="WO-42 NACS swap", by="tech"
    )
    await report(services, "CS-1", 1, 1, ConnectorStatus.AVAILABLE, clock.now())
    after = await finished_session(services, clock, 1)

    connector = done.station.evses[0].connectors[0]
    assert (connector.type, connector.rating) == (NACS, NACS_250)
    assert connector.status is ConnectorStatus.AVAILABLE  # status carried over, not reset
    history = await services.network.status_history("CS-1")
    assert [e.id for e in history[-len(statuses_before) :]] == [e.id for e in statuses_before]
    assert len(history) == len(statuses_before) + 1
    transactions, _ = await services.history.list(TransactionFilter(station_id="CS-1"))
    assert sorted(tx.id for tx in transactions) == [before, after]
    assert {(tx.evse_id, tx.connector_id) for tx in transactions} == {(1, 1)}
    event = done.event
    assert event.kind is StationEventKind.RETROFIT
    assert event.data["action"] == "convert"
    assert event.data["before"]["type"] == "ccs1"
    assert event.data["before"]["max_power_w"] == CCS1_350.max_power_w
    assert event.data["after"]["type"] == "nacs"
    assert event.data["after"]["max_current_a"] == 615
    assert (event.data["note"], event.data["by"]) == ("WO-42 NACS swap", "tech")
    assert await services.equipment.retrofits("CS-1") == [event]
    assert event in await services.network.station_events("CS-1", StationEventKind.RETROFIT)


async def test_adding_a_nacs_cable_to_a_ccs_evse(services: Services) -> None:
    published: list[DomainEvent] = []

    async def record(event: DomainEvent) -> None:
        published.append(event)

    services.ctx.bus.subscribe("station.retrofit", record)

    done = await services.equipment.add_connector("CS-1", ConnectorSpec(1, 2, NACS))
    assert isinstance(services.ctx.bus, InProcessBus)
    await services.ctx.bus.drain()

    connectors = done.station.evses[0].connectors
    assert [(c.connector_id, c.type) for c in connectors] == [(1, ConnectorType.CCS1), (2, NACS)]
    assert connectors[1].rating is not None
    assert connectors[1].rating.max_current_a == 700  # the NACS default: a V3-class stall
    assert connectors[1].rating.max_voltage_v == 500
    assert done.event.data["action"] == "add"
    assert done.event.data["before"] is None
    assert [e.topic for e in published] == ["station.retrofit"]


async def test_retrofits_wait_for_the_session_on_the_evse_to_end(
    services: Services, clock: SteppingClock
) -> None:
    await start_session(services, "CS-1", 1, 1, clock.now())

    with pytest.raises(Conflict, match=r"is running on EVSE CS-1/1: retrofit it once"):
        await services.equipment.add_connector("CS-1", ConnectorSpec(1, 2, NACS))
    with pytest.raises(Conflict, match="is running on EVSE CS-1/1"):
        await services.equipment.convert_connector("CS-1", ConnectorSpec(1, 1, NACS))
    assert await services.equipment.retrofits("CS-1") == []


async def test_add_and_convert_refuse_what_they_cannot_do(services: Services) -> None:
    equipment = services.equipment

    with pytest.raises(Conflict, match=r"connector CS-1/1/1 already exists \(ccs1 350 kW\)"):
        await equipment.add_connector("CS-1", ConnectorSpec(1, 1, NACS))
    with pytest.raises(NotFound, match="connector 'CS-1/1/2' not found"):
        await equipment.convert_connector("CS-1", ConnectorSpec(1, 2, NACS))
    with pytest.raises(NotFound, match="evse 'CS-1/7' not found"):
        await equipment.add_connector("CS-1", ConnectorSpec(7, 1, NACS))
    with pytest.raises(NotFound, match="station 'NOPE' not found"):
        await equipment.add_connector("NOPE", ConnectorSpec(1, 2, NACS))
    with pytest.raises(InvalidInput, match="already is ccs1 350 kW: nothing to convert"):
        await equipment.convert_connector("CS-1", ConnectorSpec(1, 1, ConnectorType.CCS1, CCS1_350))
    with pytest.raises(InvalidInput, match="a j1772 connector cannot carry dc power"):
        await equipment.convert_connector(
            "CS-1", ConnectorSpec(1, 1, ConnectorType.J1772, CCS1_350)
        )
    assert CCS1_350.power_type is PowerType.DC
    assert await equipment.retrofits("CS-1") == []
