"""Healthy control stations: everything a normal day brings, and not a single finding."""

from __future__ import annotations

from forecourt.domain.commands import CommandStatus, Reset, TriggerKind, TriggerMessage
from forecourt.reliability.domain.model import PortRef
from forecourt.reliability.keys import RELIABILITY
from forecourt.simulator import dc_dispenser
from tests.reliability.conftest import (
    APP,
    APP_2,
    CARD,
    CARD_2,
    add_dc_station,
    charge,
    eventually,
    remote_charge,
    simulated,
    tickets_of,
)
from tests.support.server import RunningServer


async def test_healthy_stations_produce_no_findings(server: RunningServer, protocol: str) -> None:
    services = server.forecourt.services
    station_id = f"CS-OK-{protocol}"
    await add_dc_station(services, station_id, evses=2)
    evses = [dc_dispenser(150_000.0, ("ccs1",)), dc_dispenser(150_000.0, ("ccs1",))]
    async with simulated(server, station_id, protocol, evses=evses) as station:
        for evse_id, token in ((1, CARD), (2, CARD_2), (1, CARD_2), (2, CARD)):
            await charge(station, evse_id=evse_id, token=token)
        for token in (APP, APP_2):
            await remote_charge(services, station, token)
        answered = await services.remote.send(
            station_id, TriggerMessage(TriggerKind.STATUS_NOTIFICATION)
        )
        assert answered.status is CommandStatus.ACCEPTED
        rebooted = await services.remote.send(station_id, Reset(hard=False))
        assert rebooted.status is CommandStatus.ACCEPTED

        async def rebooting() -> bool:
            return not station.uplink.ready.is_set()

        await eventually(rebooting)
        await station.wait_ready(30)
        await charge(station, evse_id=1, token=CARD)

    await services.feature(RELIABILITY).settle()
    assert await tickets_of(services, station_id) == []
    assert await services.feature(RELIABILITY).tickets.faults(station_id) == []
    now = services.ctx.clock.now()
    rows = await services.feature(RELIABILITY).reports.uptime(
        now.year, now.month, station_id=station_id
    )
    assert {row.port for row in rows} == {PortRef(station_id, 1), PortRef(station_id, 2)}
    for row in rows:
        # only the reboot and the final disconnect count: a few seconds at most
        assert row.t_outage < 1
