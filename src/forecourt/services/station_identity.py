"""The one rule for a new station id, whoever creates it: API, CLI or self-registration."""

from __future__ import annotations

from forecourt.domain.errors import Conflict
from forecourt.domain.stations import check_station_id
from forecourt.ports.repositories import UnitOfWork


async def check_new_station_id(uow: UnitOfWork, station_id: str) -> None:
    """A valid OCPP identity (InvalidInput) that no stored id equals ignoring case (Conflict).

    Ids are matched exactly everywhere else; refusing case variants here keeps ``sec-a`` and
    ``SEC-A`` from ever being two stations (OCPP identifierString is case-insensitive).
    An exact duplicate is left to the repository, which raises Conflict on insert.
    """
    check_station_id(station_id)
    existing = await uow.stations.id_ignoring_case(station_id)
    if existing is not None and existing != station_id:
        raise Conflict(
            f"station id {station_id!r} differs only in letter case from station {existing!r}"
        )
