"""Tariffs: revisions, where they apply, and the price a driver sees before a session.

Which tariff applies to an EVSE: the most specific binding wins —
EVSE > station > site + connector type > site > connector type > the network default; a
session of a token with its own tariff (a driver tariff, OCPP 2.1 ``DriverTariff``) is billed
by that one.
The price in force when a session starts is pinned to it and never changes (NEVI §680.116).
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from datetime import datetime, timedelta

from forecourt.domain.errors import Conflict, InvalidInput, NotFound
from forecourt.domain.stations import Station
from forecourt.domain.transactions import Transaction
from forecourt.payments.domain.tariffs import Tariff
from forecourt.payments.ports import TARIFF_STORE, TariffBinding, TariffSchedule
from forecourt.ports.repositories import UnitOfWork
from forecourt.services.context import ServiceContext

#: Clocks of API clients drift a little; further in the past is a retroactive price change.
_PAST_TOLERANCE = timedelta(minutes=1)


@dataclass(frozen=True, slots=True)
class PricedEvse:
    """The tariff in force for one EVSE now, and what the driver is told."""

    station: Station
    evse_id: int
    tariff: Tariff
    connector_types: tuple[str, ...]


class Tariffs:
    def __init__(self, ctx: ServiceContext) -> None:
        self._ctx = ctx

    async def publish(self, tariff: Tariff, effective_from: datetime | None = None) -> Tariff:
        """A new tariff, or a new revision of one; never changes the past."""
        now = self._ctx.clock.now()
        start = effective_from or now
        if start < now - _PAST_TOLERANCE:
            raise InvalidInput("a tariff change cannot take effect in the past")
        checked = replace(tariff, effective_from=start).validate()
        async with self._ctx.uow() as uow:
            stored = await uow.repository(TARIFF_STORE).add_revision(checked)
            self._ctx.stage_event(
                uow, "tariff.published", "", code=stored.code, revision=stored.revision
            )
            await uow.commit()
        return stored

    async def get(self, code: str, at: datetime | None = None) -> Tariff:
        async with self._ctx.uow() as uow:
            tariff = await uow.repository(TARIFF_STORE).in_force(code, at or self._ctx.clock.now())
            if tariff is None and not await uow.repository(TARIFF_STORE).revisions(code):
                raise NotFound("tariff", code)
        if tariff is None:
            raise NotFound("tariff in force now", code)
        return tariff

    async def revisions(self, code: str) -> list[Tariff]:
        async with self._ctx.uow() as uow:
            found = await uow.repository(TARIFF_STORE).revisions(code)
        if not found:
            raise NotFound("tariff", code)
        return found

    async def current(self) -> list[Tariff]:
        """Every tariff as in force now (or its first revision, if none is in force yet)."""
        now = self._ctx.clock.now()
        async with self._ctx.uow() as uow:
            out = []
            for code in await uow.repository(TARIFF_STORE).codes():
                tariff = await uow.repository(TARIFF_STORE).in_force(code, now)
                out.append(tariff or (await uow.repository(TARIFF_STORE).revisions(code))[0])
            return out

    async def bind(self, binding: TariffBinding) -> TariffBinding:
        if binding.evse_id is not None and binding.station_id is None:
            raise InvalidInput("an EVSE binding needs its station_id")
        async with self._ctx.uow() as uow:
            if not await uow.repository(TARIFF_STORE).revisions(binding.tariff_code):
                raise NotFound("tariff", binding.tariff_code)
            if binding.station_id and await uow.stations.get(binding.station_id) is None:
                raise NotFound("station", binding.station_id)
            if binding.site_id and await uow.sites.get(binding.site_id) is None:
                raise NotFound("site", binding.site_id)
            stored = await uow.repository(TARIFF_STORE).bind(binding)
            await uow.commit()
        return stored

    async def unbind(self, binding_id: int) -> None:
        async with self._ctx.uow() as uow:
            if not await uow.repository(TARIFF_STORE).unbind(binding_id):
                raise NotFound("tariff binding", binding_id)
            await uow.commit()

    async def bindings(self) -> list[TariffBinding]:
        async with self._ctx.uow() as uow:
            return await uow.repository(TARIFF_STORE).bindings()

    async def set_driver(self, id_token: str, code: str) -> Tariff:
        """The token's own tariff (OCPP 2.1 DriverTariff): its sessions started from now on
        are billed by it, whatever the station's binding; 2.1 stations get it when the token
        is authorized. Returns the revision in force now."""
        tariff = await self.get(code)  # NotFound: unknown, or not in force yet
        async with self._ctx.uow() as uow:
            if await uow.tokens.get(id_token) is None:
                raise NotFound("token", id_token)
            await uow.repository(TARIFF_STORE).set_driver(id_token, code, self._ctx.clock.now())
            await uow.commit()
        return tariff

    async def clear_driver(self, id_token: str) -> None:
        async with self._ctx.uow() as uow:
            if not await uow.repository(TARIFF_STORE).clear_driver(id_token):
                raise NotFound("driver tariff", id_token)
            await uow.commit()

    async def drivers(self) -> list[tuple[str, str]]:
        """(id_token, tariff code) of every token with its own tariff."""
        async with self._ctx.uow() as uow:
            return await uow.repository(TARIFF_STORE).drivers()

    async def for_evse(self, station_id: str, evse_id: int) -> PricedEvse:
        """The price a driver sees at this EVSE now (API, driver page, QR page)."""
        async with self._ctx.uow() as uow:
            station = await uow.stations.get(station_id)
            if station is None:
                raise NotFound("station", station_id)
            evse = station.evse(evse_id)
            if evse is None:
                raise NotFound("evse", f"{station_id}/{evse_id}")
            tariff = await resolve_tariff(uow, station, evse_id, None, self._ctx.clock.now())
        types = tuple(c.type.value for c in evse.connectors)
        return PricedEvse(station, evse_id, tariff, types)


async def resolve_tariff(
    uow: UnitOfWork, station: Station, evse_id: int, connector_id: int | None, at: datetime
) -> Tariff:
    """The tariff revision that applies to a connector at ``at`` (Conflict when none does)."""
    connector_type = _connector_type(station, evse_id, connector_id)
    candidates = [
        b
        for b in await uow.repository(TARIFF_STORE).bindings()
        if _matches(b, station, evse_id, connector_type)
    ]
    for binding in sorted(candidates, key=_specificity, reverse=True):
        tariff = await uow.repository(TARIFF_STORE).in_force(binding.tariff_code, at)
        if tariff is not None:
            return tariff
    raise Conflict(
        f"no tariff applies to {station.id}/{evse_id}: bind one (forecourt tariffs bind)"
    )


async def tariff_at_station(
    uow: UnitOfWork, station_id: str, evse_id: int | None, at: datetime
) -> Tariff | None:
    """The tariff a hold opened at a station before its session will be pinned to (the EVSE
    when known, else the station's first); None when the station or a tariff is missing."""
    station = await uow.stations.get(station_id)
    if station is None:
        return None
    evse = evse_id or (station.evses[0].evse_id if station.evses else 1)
    try:
        return await resolve_tariff(uow, station, evse, None, at)
    except Conflict:
        return None


async def tariff_for_transaction(uow: UnitOfWork, tx: Transaction) -> Tariff:
    """The tariff pinned to a session; pins the one in force at its start when missing."""
    pinned = await uow.repository(TARIFF_STORE).pinned(tx.id)
    if pinned is not None:
        return pinned
    return await _pin(uow, tx)


async def schedule_for_transaction(uow: UnitOfWork, tx: Transaction) -> TariffSchedule:
    """The tariffs a session is billed by: the pin (made when missing) and each accepted
    change since (OCPP 2.1 I10), in one read when pinned."""
    found = await uow.repository(TARIFF_STORE).schedule(tx.id)
    return found if found is not None else TariffSchedule(await _pin(uow, tx))


async def driver_tariff(uow: UnitOfWork, id_token: str | None, at: datetime) -> Tariff | None:
    """The token's own tariff in force at ``at`` (OCPP 2.1 DriverTariff), if it has one."""
    if not id_token:
        return None
    code = await uow.repository(TARIFF_STORE).driver(id_token)
    return None if code is None else await uow.repository(TARIFF_STORE).in_force(code, at)


async def _pin(uow: UnitOfWork, tx: Transaction) -> Tariff:
    """A driver's own tariff outranks every binding; else the binding rule at the start."""
    driver = await driver_tariff(uow, tx.id_token, tx.started_at)
    if driver is not None:
        await uow.repository(TARIFF_STORE).pin(tx.id, driver, tx.started_at)
        return driver
    station = await uow.stations.get(tx.station_id)
    if station is None:
        raise NotFound("station", tx.station_id)
    tariff = await resolve_tariff(uow, station, tx.evse_id, tx.connector_id, tx.started_at)
    await uow.repository(TARIFF_STORE).pin(tx.id, tariff, tx.started_at)
    return tariff


def _connector_type(station: Station, evse_id: int, connector_id: int | None) -> str | None:
    evse = station.evse(evse_id)
    if evse is None or not evse.connectors:
        return None
    connector = evse.connector(connector_id or 1) or evse.connectors[0]
    return connector.type.value


def _matches(b: TariffBinding, station: Station, evse_id: int, connector_type: str | None) -> bool:
    return (
        (b.station_id is None or b.station_id == station.id)
        and (b.evse_id is None or b.evse_id == evse_id)
        and (b.site_id is None or b.site_id == station.site_id)
        and (b.connector_type is None or b.connector_type == connector_type)
    )


def _specificity(b: TariffBinding) -> int:
    if b.evse_id is not None:
        return 5
    if b.station_id is not None:
        return 4
    if b.site_id is not None:
        return 3 if b.connector_type is not None else 2
    return 1 if b.connector_type is not None else 0
