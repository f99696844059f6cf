"""The monitor on the services layer: events in, persisted timelines out, restarts."""

from __future__ import annotations

from datetime import timedelta
from pathlib import Path

from forecourt.domain.events import DomainEvent
from forecourt.reliability.domain.model import Condition, PortRef
from forecourt.reliability.keys import RELIABILITY
from forecourt.reliability.ports import RELIABILITY_STORE
from forecourt.services.core import Services
from tests.support.harness import SteppingClock, make_services

PORT = PortRef("CS", 1)


def event(services: Services, topic: str, **data: object) -> DomainEvent:
    return DomainEvent(topic, "CS", services.ctx.clock.now(), dict(data))


async def intervals(services: Services) -> list[tuple[int, int | None, frozenset[Condition]]]:
    """(start minute, end minute, conditions) relative to the harness clock's start."""
    start = SteppingClock().now()
    async with services.ctx.uow() as uow:
        found = await uow.repository(RELIABILITY_STORE).intervals.overlapping(
            start - timedelta(days=1), start + timedelta(days=1)
        )

    def minute(at: object) -> int | None:
        return None if at is None else int((at - start).total_seconds() // 60)  # type: ignore[operator]

    return [(minute(i.start), minute(i.end), i.conditions) for i in found]  # type: ignore[misc]


async def test_timeline_is_persisted_and_resumed_after_a_restart(tmp_path: Path) -> None:
    clock = SteppingClock()
    services, database = await make_services(tmp_path, clock=clock)
    await services.network.add_station("CS")
    await services.feature(RELIABILITY).start()
    monitor = services.feature(RELIABILITY).monitor
    monitor.handle(event(services, "station.connected", protocol="2.0.1"))
    monitor.handle(
        event(services, "connector.status", evse_id=1, connector_id=1, status="available")
    )
    clock.advance(600)
    monitor.handle(event(services, "connector.status", evse_id=1, connector_id=1, status="faulted"))
    clock.advance(600)
    monitor.handle(
        event(services, "connector.status", evse_id=1, connector_id=1, status="available")
    )
    await services.feature(RELIABILITY).stop()
    await database.dispose()
    assert await _reopen_and_list(tmp_path, clock) == [
        (0, 10, frozenset()),
        (10, 20, frozenset({Condition.FAULTED})),
        (20, 30, frozenset()),
        (30, 35, frozenset({Condition.OFFLINE})),  # the restart: nobody is connected
        (35, None, frozenset()),
    ]


async def _reopen_and_list(
    tmp_path: Path, clock: SteppingClock
) -> list[tuple[int, int | None, frozenset[Condition]]]:
    clock.advance(600)  # the process was down
    services, database = await make_services(tmp_path, clock=clock)
    try:
        await services.feature(RELIABILITY).start()
        view = services.feature(RELIABILITY).monitor.view("CS", 1)
        assert view is not None
        assert view.conditions == {Condition.OFFLINE}
        clock.advance(300)
        services.feature(RELIABILITY).monitor.handle(
            event(services, "station.connected", protocol="2.0.1")
        )
        await services.feature(RELIABILITY).settle()
        return await intervals(services)
    finally:
        await services.feature(RELIABILITY).stop()
        await database.dispose()


async def test_clock_drift_comes_from_the_cores_own_measurement(tmp_path: Path) -> None:
    services, database = await make_services(tmp_path)
    try:
        await services.network.add_station("CS")
        await services.feature(RELIABILITY).start()
        async with services.ctx.uow() as uow:
            now = services.ctx.clock.now()
            await services.ctx.drift.observe(uow, "CS", now + timedelta(minutes=3), now)
            await uow.commit()
        services.feature(RELIABILITY).monitor.handle(event(services, "link.heartbeat"))
        await services.feature(RELIABILITY).settle()
        (fault,) = await services.feature(RELIABILITY).tickets.faults("CS")
        assert fault.evidence["drift_s"] == 180.0
    finally:
        await services.feature(RELIABILITY).stop()
        await database.dispose()
