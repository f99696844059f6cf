"""The reliability repositories: one contract, run on SQLite and on a real PostgreSQL
(the ``database`` fixture of tests/storage, imported by this package's conftest)."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from forecourt.domain.metering import Measurand, MeterSample, ReadingContext
from forecourt.domain.stations import ConnectorStatus, Station, StatusReport
from forecourt.domain.transactions import StopReason, Transaction, TransactionState
from forecourt.ports.repositories import StatusHistoryEntry, StoredSample
from forecourt.reliability.domain.alerts import Alert, AlertRoute, AlertState, Channel
from forecourt.reliability.domain.model import (
    Condition,
    Exclusion,
    ExclusionCause,
    Fault,
    FaultKind,
    PortRef,
    Severity,
)
from forecourt.reliability.domain.tickets import Ticket, TicketEvent, TicketState
from forecourt.reliability.domain.timeline import Transition
from forecourt.reliability.ports import RELIABILITY_STORE, TicketFilter
from forecourt.storage import Database

T0 = datetime(2027, 6, 1, 12, 0, tzinfo=UTC)
PORT = PortRef("CS", 1)


def t(minutes: float) -> datetime:
    return T0 + timedelta(minutes=minutes)


async def test_intervals_close_open_and_rewrite_the_same_instant(database: Database) -> None:
    async with database.unit_of_work() as uow:
        repo = uow.repository(RELIABILITY_STORE).intervals
        await repo.apply([Transition(PORT, t(0), frozenset())])
        await repo.apply([Transition(PORT, t(10), frozenset({Condition.OFFLINE}))])
        # a second change at the same instant rewrites the interval just opened
        await repo.apply(
            [Transition(PORT, t(10), frozenset({Condition.OFFLINE, Condition.FAULTED}))]
        )
        await repo.apply([Transition(PORT, t(20), frozenset())])
        await uow.commit()
    async with database.unit_of_work() as uow:
        repo = uow.repository(RELIABILITY_STORE).intervals
        found = await repo.overlapping(t(5), t(15))
        assert [(i.start, i.end, i.conditions) for i in found] == [
            (t(0), t(10), frozenset()),
            (t(10), t(20), frozenset({Condition.OFFLINE, Condition.FAULTED})),
        ]
        down = await repo.overlapping(t(0), t(60), ["CS"], down_only=True)
        assert [i.start for i in down] == [t(10)]
        (open_,) = await repo.open_intervals()
        assert (open_.start, open_.end) == (t(20), None)
        assert await repo.first_seen(["CS"]) == {PORT: t(0)}
        assert await repo.overlapping(t(0), t(60), ["OTHER"]) == []


async def test_exclusions(database: Database) -> None:
    async with database.unit_of_work() as uow:
        repo = uow.repository(RELIABILITY_STORE).exclusions
        saved = await repo.add(
            Exclusion(
                "CS",
                None,
                t(0),
                t(60),
                ExclusionCause.VANDALISM,
                ["photo-1.jpg"],
                "cut cable",
                "me",
                t(61),
            )
        )
        await uow.commit()
    async with database.unit_of_work() as uow:
        repo = uow.repository(RELIABILITY_STORE).exclusions
        assert (await repo.get(saved.id)) == saved
        assert await repo.list("CS", t(30), t(90)) == [saved]
        assert await repo.list("CS", t(60), t(90)) == []  # ends exactly where the window starts
        assert await repo.list(station_ids=["OTHER"]) == []
        assert await repo.delete(saved.id)
        assert not await repo.delete(saved.id)


async def test_faults_tickets_and_events(database: Database) -> None:
    async with database.unit_of_work() as uow:
        tickets, faults = (
            uow.repository(RELIABILITY_STORE).tickets,
            uow.repository(RELIABILITY_STORE).faults,
        )
        ticket = await tickets.add(
            Ticket(
                "CS", Severity.MAJOR, "CS: connector", t(0), "SITE", kinds=["connector"], ports=[1]
            )
        )
        station_wide = await faults.add(
            Fault(
                "CS", None, FaultKind.OFFLINE, Severity.CRITICAL, 0.9, "gone", {"a": 1}, t(0), t(0)
            )
        )
        port_fault = await faults.add(
            Fault(
                "CS",
                1,
                FaultKind.CONNECTOR,
                Severity.MAJOR,
                0.9,
                "latch",
                {},
                t(0),
                t(1),
                ticket_id=ticket.id,
            )
        )
        await tickets.add_event(
            TicketEvent(ticket.id, t(0), "reliability", "opened", {"x": [1, 2]})
        )
        await uow.commit()
    async with database.unit_of_work() as uow:
        tickets, faults = (
            uow.repository(RELIABILITY_STORE).tickets,
            uow.repository(RELIABILITY_STORE).faults,
        )
        assert await faults.latest("CS", FaultKind.OFFLINE, None) == station_wide
        assert await faults.latest("CS", FaultKind.OFFLINE, 1) is None
        assert await faults.for_ticket(ticket.id) == [port_fault]
        assert [f.id for f in await faults.list("CS", active=True)] == [
            port_fault.id,
            station_wide.id,
        ]
        assert await tickets.latest_for_station("CS") == ticket
        assert await tickets.count(TicketFilter(kind=FaultKind.CONNECTOR)) == 1
        assert await tickets.count(TicketFilter(kind=FaultKind.DERATED)) == 0
        assert await tickets.count(TicketFilter(states=(TicketState.OPEN,), site_id="SITE")) == 1
        (event,) = await tickets.events(ticket.id)
        assert event.data == {"x": [1, 2]}
        ticket.state = TicketState.VERIFIED
        await tickets.save(ticket)
        assert await tickets.latest_for_station("CS") is None


async def test_alert_outbox_groups_and_due(database: Database) -> None:
    async with database.unit_of_work() as uow:
        alerts = uow.repository(RELIABILITY_STORE).alerts
        route = await alerts.add_route(AlertRoute(Channel.WEBHOOK, "https://x.test/h", secret="s"))
        alert = await alerts.add(Alert(route.id, "1|SITE", t(0), t(1), [{"ticket_id": 1}]))
        await uow.commit()
    async with database.unit_of_work() as uow:
        alerts = uow.repository(RELIABILITY_STORE).alerts
        assert (await alerts.pending_group("1|SITE", t(0))) == alert
        assert await alerts.pending_group("1|SITE", t(1)) is None  # the window has closed
        assert await alerts.due(t(0)) == []
        assert [a.id for a in await alerts.due(t(1))] == [alert.id]
        alert.state = AlertState.SENT
        await alerts.save(alert)
        assert await alerts.due(t(2)) == []
        assert (await alerts.routes())[0].secret == "s"
        assert await alerts.delete_route(route.id)
        await uow.commit()


async def test_config_upsert(database: Database) -> None:
    async with database.unit_of_work() as uow:
        config = uow.repository(RELIABILITY_STORE).config
        await config.put("thresholds:*", {"tick_s": 1.0}, t(0))
        await config.put("thresholds:*", {"tick_s": 2.0}, t(1))
        await config.put("thresholds:model:A_B%", {"x": 1}, t(1))
        await uow.commit()
    async with database.unit_of_work() as uow:
        config = uow.repository(RELIABILITY_STORE).config
        assert await config.get("thresholds:*") == {"tick_s": 2.0}
        assert set(await config.with_prefix("thresholds:model:")) == {"thresholds:model:A_B%"}
        assert await config.get("nope") is None


async def test_session_report_query(database: Database) -> None:
    async with database.unit_of_work() as uow:
        await uow.stations.add(Station("CS"))
        tx = await uow.transactions.add(
            Transaction(
                "CS", 1, 1, t(0), station_tx_id="A", state=TransactionState.ENDED,
                stopped_at=t(30), energy_wh=0.0, stop_reason=StopReason.OTHER, id_token="TAG",
            )
        )  # fmt: skip
        samples = [
            StoredSample(
                "CS",
                1,
                tx.id,
                MeterSample(t(0), Measurand.SOC, 20.0, "%", ReadingContext.TRANSACTION_BEGIN),
            ),
            StoredSample("CS", 1, tx.id, MeterSample(t(10), Measurand.SOC, 50.0, "%")),
            StoredSample(
                "CS",
                1,
                tx.id,
                MeterSample(t(30), Measurand.SOC, 80.0, "%", ReadingContext.TRANSACTION_END),
            ),
        ]
        await uow.meter.add(samples)
        report = StatusReport(
            1, 1, ConnectorStatus.FAULTED, t(5), error_code="ConnectorLockFailure"
        )
        await uow.statuses.add(StatusHistoryEntry("CS", report, t(5)))
        await uow.commit()
    async with database.unit_of_work() as uow:
        (record,) = await uow.repository(RELIABILITY_STORE).sessions.ended_sessions(
            t(-60), t(60), ["CS"]
        )
        assert (record.start_soc, record.end_soc) == (20.0, 80.0)
        assert record.error_codes == ("ConnectorLockFailure",)
        assert record.stop_reason == "other"
        assert await uow.repository(RELIABILITY_STORE).sessions.ended_sessions(t(1), t(60)) == []
