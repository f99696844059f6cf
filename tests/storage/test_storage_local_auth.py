"""Local-list and reservation repositories on SQLite and PostgreSQL."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from forecourt.domain.errors import NotFound
from forecourt.domain.local_auth import (
    ListSync,
    LocalListEntry,
    LocalListState,
    Reservation,
    ReservationState,
)
from forecourt.domain.tokens import AuthorizationStatus, TokenKind
from forecourt.storage.database import Database

NOW = datetime(2026, 12, 7, 12, 0, tzinfo=UTC)


async def test_members_and_state_round_trip(database: Database) -> None:
    entry = LocalListEntry("A", TokenKind.EMAID, AuthorizationStatus.ACCEPTED, "2027-01-01Z", "G")
    state = LocalListState("CS-1", 3, {"A": entry}, ListSync.IN_SYNC, "", 50, False, NOW)
    async with database.unit_of_work() as uow:
        await uow.local_lists.set_members("site", "S1", ["B", "A", "A"])
        await uow.local_lists.set_members("station", "CS-1", ["A"])
        await uow.local_lists.save_state(state)
        state.version = 4
        await uow.local_lists.save_state(state)  # an update, not a second row
        await uow.commit()
    async with database.unit_of_work() as uow:
        assert await uow.local_lists.members("site", "S1") == ["A", "B"]
        assert sorted(await uow.local_lists.scopes_of("A")) == [("site", "S1"), ("station", "CS-1")]
        stored = await uow.local_lists.state("CS-1")
        assert stored == state
        assert [s.station_id for s in await uow.local_lists.states()] == ["CS-1"]
        await uow.local_lists.set_members("site", "S1", [])
        assert await uow.local_lists.members("site", "S1") == []


async def test_reservations_hold_until_they_end(database: Database) -> None:
    async with database.unit_of_work() as uow:
        early = await uow.reservations.add(
            Reservation("CS-1", 1, "A", NOW + timedelta(minutes=5), NOW, group="G")
        )
        late = await uow.reservations.add(
            Reservation("CS-1", 2, "B", NOW + timedelta(hours=1), NOW)
        )
        await uow.commit()
    async with database.unit_of_work() as uow:
        assert [r.id for r in await uow.reservations.holding("CS-1")] == [early.id, late.id]
        assert [r.id for r in await uow.reservations.due(NOW + timedelta(minutes=10))] == [early.id]
        early.state, early.ended_at = ReservationState.EXPIRED, NOW
        await uow.reservations.save(early)
        await uow.commit()
    async with database.unit_of_work() as uow:
        assert [r.id for r in await uow.reservations.holding("CS-1")] == [late.id]
        assert await uow.reservations.get(early.id) == early
        assert [r.id for r in await uow.reservations.list("CS-1")] == [late.id, early.id]
        with pytest.raises(NotFound):
            await uow.reservations.save(Reservation("CS-1", 1, "A", NOW, NOW, id=999))
