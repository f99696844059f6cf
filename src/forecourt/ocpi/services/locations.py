"""Locations (sender, mod_locations): sites as Locations, stations' EVSEs, connectors, status.

Status is the driver pages' honest rule (``StatusRule``, the core's ``web.status``) plus the
fault board (reliability, through the core's FAULTS port): a port known to be broken is
OUTOFORDER even while the station reports it Available.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime

from forecourt.domain.errors import NotFound
from forecourt.domain.stations import Evse, ProtocolVersion, Site, Station
from forecourt.ocpi.domain.amenities import Amenities
from forecourt.ocpi.domain.capabilities import Known, StationFeatures, capabilities
from forecourt.ocpi.domain.locations import (
    ConnectorView,
    EvseView,
    LocationView,
    ParkingPlace,
    evse_status,
    evse_uid,
)
from forecourt.ocpi.domain.parties import Us
from forecourt.ocpi.domain.payments import Terminal
from forecourt.ocpi.ports import OCPI_PAYMENTS, OCPI_STORE
from forecourt.ports.faults import FaultBoard
from forecourt.ports.repositories import UnitOfWork
from forecourt.ports.stalls import StallDirectory
from forecourt.ports.tariff_catalogue import TariffCatalogue
from forecourt.services.context import ServiceContext

#: The honest status words of each connector of an EVSE (``web.status.connector_status``).
StatusRule = Callable[[Station, Evse], list[str]]


@dataclass(frozen=True, slots=True)
class _Known:
    """What capabilities are computed from, read once per listing."""

    features: Mapping[str, StationFeatures]
    terminals: Sequence[Terminal]


class Locations:
    def __init__(
        self,
        ctx: ServiceContext,
        us: Us,
        status_rule: StatusRule,
        faults: FaultBoard | None,
        cards_at_dispenser: bool,
        pnc_available: bool = False,
        tariffs: TariffCatalogue | None = None,
        stalls: StallDirectory | None = None,
    ) -> None:
        self._ctx = ctx
        self._stalls = stalls
        self.us = us
        self._status_rule = status_rule
        self._faults = faults
        self._cards = cards_at_dispenser
        self._pnc = pnc_available
        self._tariffs = tariffs

    async def all(self) -> list[LocationView]:
        async with self._ctx.uow() as uow:
            sites = sorted(await uow.sites.list(), key=lambda s: s.id)
            stations = await uow.stations.list()
            amenities = await uow.repository(OCPI_STORE).amenities()
            known = await _known(uow)
        return await self._views(sites, stations, amenities, known)

    async def one(self, site_id: str) -> LocationView | None:
        async with self._ctx.uow() as uow:
            site = await uow.sites.get(site_id)
            stations = await uow.stations.list(site_id) if site else []
            amenities = await uow.repository(OCPI_STORE).amenities()
            known = await _known(uow)
        if site is None:
            return None
        return (await self._views([site], stations, amenities, known))[0]

    async def evse(self, station_id: str, evse_number: int) -> tuple[str, EvseView] | None:
        """The EVSE and its location id, or ``None`` (unknown or not on a site)."""
        async with self._ctx.uow() as uow:
            station = await uow.stations.get(station_id)
            known = await _known(uow)
        if station is None or station.site_id is None:
            return None
        broken = await self._broken([station.id])
        views = self._evse_views(station, broken, known, await self._codes([station]))
        view = next((v for v in views if v.evse_number == evse_number), None)
        return (station.site_id, view) if view else None

    async def _views(
        self,
        sites: Sequence[Site],
        stations: Sequence[Station],
        amenities: Mapping[str, Amenities],
        known: _Known,
    ) -> list[LocationView]:
        broken = await self._broken([s.id for s in stations])
        placed = [s for s in stations if s.site_id is not None]
        codes = await self._codes(placed)
        by_site: dict[str, list[EvseView]] = {}
        for station in placed:
            assert station.site_id is not None
            found = self._evse_views(station, broken, known, codes)
            by_site.setdefault(station.site_id, []).extend(found)
        epoch = self._ctx.clock.now().replace(year=2000, month=1, day=1)
        parking = await self._parking([s.id for s in sites])
        views = []
        for site in sites:
            evses = tuple(by_site.get(site.id, ()))
            updated = max((e.last_updated for e in evses), default=epoch)
            uids = {e.uid for e in evses}
            places = tuple(p for p in parking.get(site.id, ()) if p.evse_uid in uids)
            extras = amenities.get(site.id, Amenities())
            views.append(LocationView(site, evses, updated, extras, places))
        return views

    async def _parking(self, site_ids: list[str]) -> dict[str, list[ParkingPlace]]:
        """The stalls each site's EVSEs serve (``STALLS``, offered by compat), by site."""
        if self._stalls is None or not site_ids:
            return {}
        by_site: dict[str, list[ParkingPlace]] = {}
        for stall in await self._stalls.stalls(site_ids):
            place = ParkingPlace(
                stall.stall_id,
                evse_uid(stall.station_id, stall.evse_id),
                stall.pull_through,
                stall.accessible,
                stall.width_m,
                stall.post_side,
            )
            by_site.setdefault(stall.site_id, []).append(place)
        return by_site

    async def amenities(self, site_id: str) -> Amenities:
        async with self._ctx.uow() as uow:
            if await uow.sites.get(site_id) is None:
                raise NotFound("site", site_id)
            return (await uow.repository(OCPI_STORE).amenities()).get(site_id, Amenities())

    async def set_amenities(self, site_id: str, amenities: Amenities) -> Amenities:
        amenities.validate()
        async with self._ctx.uow() as uow:
            if await uow.sites.get(site_id) is None:
                raise NotFound("site", site_id)
            store = uow.repository(OCPI_STORE)
            await store.save_amenities(site_id, amenities, self._ctx.clock.now())
            await uow.commit()
        return amenities

    async def _broken(self, station_ids: list[str]) -> set[tuple[str, int | None]]:
        if self._faults is None or not station_ids:
            return set()
        return {(f.station_id, f.evse_id) for f in await self._faults.active_faults(station_ids)}

    async def _codes(self, stations: Sequence[Station]) -> dict[tuple[str, int], str]:
        """The tariff each EVSE is billed under (Connector.tariff_ids), from our assignments."""
        if self._tariffs is None:
            return {}
        codes = {}
        for station in stations:
            for evse in station.evses:
                code = await self._tariffs.code_for(station.id, evse.evse_id)
                if code is not None:
                    codes[station.id, evse.evse_id] = code
        return codes

    def _evse_views(
        self,
        station: Station,
        broken: set[tuple[str, int | None]],
        known: _Known,
        codes: Mapping[tuple[str, int], str],
    ) -> list[EvseView]:
        whole_station = (station.id, None) in broken
        features = known.features.get(station.id, StationFeatures(station.id))
        views = []
        for evse in station.evses:
            uid = evse_uid(station.id, evse.evse_id)
            site = station.site_id or ""
            can = capabilities(
                Known(
                    features,
                    any(t.serves(site, uid) for t in known.terminals),
                    self._cards and _takes_cards(station),
                    self._pnc,
                )
            )
            updated = self._last_updated(station, evse)
            code = codes.get((station.id, evse.evse_id))
            connectors = tuple(
                ConnectorView(
                    str(c.connector_id), c.type, c.rating, updated, (code,) if code else ()
                )
                for c in evse.connectors
            )
            status = evse_status(
                self._status_rule(station, evse),
                whole_station or (station.id, evse.evse_id) in broken,
            )
            views.append(
                EvseView(
                    uid,
                    self._emi3_id(station.id, evse.evse_id),
                    station.id,
                    evse.evse_id,
                    status,
                    can,
                    connectors,
                    updated,
                )
            )
        return views

    def _emi3_id(self, station_id: str, evse_number: int) -> str:
        """eMI3 EVSE id (mod_locations EVSE.evse_id): CC*PPP*E<id>; only [A-Z0-9*] allowed."""
        clean = "".join(ch for ch in station_id.upper() if ch.isalnum())
        return f"{self.us.ref.country_code}*{self.us.ref.party_id}*E{clean}*{evse_number}"

    def _last_updated(self, station: Station, evse: Evse) -> datetime:
        stamps = [c.status_at for c in evse.connectors if c.status_at is not None]
        if station.booted_at is not None:  # not last_seen_at: a heartbeat changes nothing
            stamps.append(station.booted_at)
        return max(stamps, default=self._ctx.clock.now())


async def _known(uow: UnitOfWork) -> _Known:
    store = uow.repository(OCPI_PAYMENTS)
    return _Known(await store.features(), await store.terminals())


def _takes_cards(station: Station) -> bool:
    return station.protocol is ProtocolVersion.V21
