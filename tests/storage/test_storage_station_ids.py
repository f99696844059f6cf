"""Contract: what the station id rule and the pending cap need from storage."""

from __future__ import annotations

from forecourt.domain.stations import RegistrationStatus
from forecourt.storage import Database

from .factories import make_station


async def test_ids_are_found_ignoring_case_and_registrations_counted(database: Database) -> None:
    async with database.unit_of_work() as uow:
        await uow.stations.add(make_station("sec-a"))
        pending = make_station("New-1")
        pending.registration = RegistrationStatus.PENDING
        await uow.stations.add(pending)
        await uow.commit()
    async with database.unit_of_work() as uow:
        assert await uow.stations.id_ignoring_case("SEC-A") == "sec-a"
        assert await uow.stations.id_ignoring_case("sec-a") == "sec-a"
        assert await uow.stations.id_ignoring_case("new-1") == "New-1"
        assert await uow.stations.id_ignoring_case("sec-b") is None
        assert await uow.stations.count_registered(RegistrationStatus.PENDING) == 1
        assert await uow.stations.count_registered(RegistrationStatus.ACCEPTED) == 1
        assert await uow.stations.count_registered(RegistrationStatus.REJECTED) == 0
