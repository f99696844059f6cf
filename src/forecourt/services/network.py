"""Operator management of the network: sites, stations, connectors (incl. retrofits), tokens."""

from __future__ import annotations

from collections.abc import Collection
from dataclasses import dataclass
from datetime import datetime

from forecourt.domain.connectors import (
    DEFAULT_RATINGS,
    ConnectorRating,
    ConnectorType,
    rating_is_plausible,
)
from forecourt.domain.errors import Conflict, InvalidInput, NotFound
from forecourt.domain.events import StationEvent, StationEventKind
from forecourt.domain.stations import RegistrationStatus, Site, Station, check_station_id
from forecourt.domain.tokens import TokenKind, TokenRecord, token_of
from forecourt.ports.repositories import StatusHistoryEntry, UnitOfWork
from forecourt.services.context import ServiceContext
from forecourt.services.credentials import hash_password
from forecourt.services.station_identity import check_new_station_id


@dataclass(frozen=True, slots=True)
class ConnectorSpec:
    evse_id: int
    connector_id: int
    type: ConnectorType
    rating: ConnectorRating | None = None  # None: the type's default envelope
    built_in_plug: ConnectorType | None = None  # a dispenser-integrated adapter's plug


class Network:
    def __init__(self, ctx: ServiceContext) -> None:
        self._ctx = ctx

    # -- sites -------------------------------------------------------------------------------
    async def add_site(self, site: Site) -> Site:
        async with self._ctx.uow() as uow:
            await uow.sites.add(site)
            await uow.commit()
        return site

    async def sites(self) -> list[Site]:
        async with self._ctx.uow() as uow:
            return await uow.sites.list()

    async def site(self, site_id: str) -> Site:
        async with self._ctx.uow() as uow:
            site = await uow.sites.get(site_id)
        if site is None:
            raise NotFound("site", site_id)
        return site

    # -- stations ----------------------------------------------------------------------------
    async def add_station(
        self, station_id: str, *, password: str | None = None, site_id: str | None = None
    ) -> Station:
        check_station_id(station_id)  # before the costly password hash
        station = Station(
            id=station_id,
            site_id=site_id,
            password_hash=hash_password(password) if password else None,
        )
        async with self._ctx.uow() as uow:
            await check_new_station_id(uow, station_id)
            if site_id is not None and await uow.sites.get(site_id) is None:
                raise NotFound("site", site_id)
            await uow.stations.add(station)
            await uow.commit()
        return station

    async def stations(self, site_id: str | None = None) -> list[Station]:
        async with self._ctx.uow() as uow:
            return await uow.stations.list(site_id)

    async def station(self, station_id: str) -> Station:
        async with self._ctx.uow() as uow:
            return await _require_station(uow, station_id)

    async def update_station(
        self,
        station_id: str,
        *,
        site_id: str | None = None,
        password: str | None = None,
        registration: RegistrationStatus | None = None,
    ) -> Station:
        """Change what an operator controls; ``None`` leaves a field as it is."""
        async with self._ctx.uow() as uow:
            station = await _require_station(uow, station_id)
            if site_id is not None:
                if await uow.sites.get(site_id) is None:
                    raise NotFound("site", site_id)
                station.site_id = site_id
            if password is not None:
                station.password_hash = hash_password(password)
                station.previous_password_hash = None  # an operator's choice ends a rotation
            if registration is not None:
                station.registration = registration
            await uow.stations.save(station)
            await uow.commit()
        return station

    async def status_history(self, station_id: str, limit: int = 100) -> list[StatusHistoryEntry]:
        async with self._ctx.uow() as uow:
            await _require_station(uow, station_id)
            return await uow.statuses.list(station_id, limit=limit)

    async def station_events(
        self, station_id: str | None, kind: StationEventKind | None = None, limit: int = 100
    ) -> list[StationEvent]:
        async with self._ctx.uow() as uow:
            return await uow.events.list(station_id, kind, limit)

    async def station_ids(self) -> list[str]:
        async with self._ctx.uow() as uow:
            return await uow.stations.ids()

    async def reset_connections(self, keep: Collection[str] = ()) -> None:
        """At process start no station is connected, whatever a crash left in storage;
        in cluster mode, except those (``keep``) that a live node holds."""
        async with self._ctx.uow() as uow:
            await uow.stations.mark_all_disconnected(keep)
            await uow.commit()

    # -- connectors --------------------------------------------------------------------------
    async def set_connector(self, station_id: str, spec: ConnectorSpec) -> Station:
        """Declare or change a connector (1.6 stations never report their plug type)."""
        rating = spec.rating or DEFAULT_RATINGS[spec.type]
        if not rating_is_plausible(spec.type, rating):
            raise InvalidInput(
                f"a {spec.type.value} connector cannot carry {rating.power_type.value} power"
            )
        if spec.evse_id < 1 or spec.connector_id < 1:
            raise InvalidInput("evse_id and connector_id start at 1")
        if spec.built_in_plug in (spec.type, ConnectorType.UNKNOWN):
            raise InvalidInput("a built-in adapter presents a known plug other than the cable's")
        async with self._ctx.uow() as uow:
            await _require_station(uow, station_id)
            await uow.stations.upsert_connector(
                station_id, spec.evse_id, spec.connector_id, spec.type, rating, spec.built_in_plug
            )
            await uow.commit()
            return await _require_station(uow, station_id)

    async def remove_connector(self, station_id: str, evse_id: int, connector_id: int) -> Station:
        """History (status, transactions) is kept: it refers to connectors by number."""
        async with self._ctx.uow() as uow:
            station = await _require_station(uow, station_id)
            evse = station.evse(evse_id)
            if evse is None or evse.connector(connector_id) is None:
                raise NotFound("connector", f"{station_id}/{evse_id}/{connector_id}")
            if await uow.transactions.active_on_evse(station_id, evse_id):
                raise Conflict("a transaction is running on this EVSE")
            await uow.stations.remove_connector(station_id, evse_id, connector_id)
            await uow.commit()
            return await _require_station(uow, station_id)

    async def set_evse_power(
        self, station_id: str, evse_id: int, max_power_w: float | None
    ) -> None:
        if max_power_w is not None and max_power_w <= 0:
            raise InvalidInput("max_power_w must be positive")
        async with self._ctx.uow() as uow:
            station = await _require_station(uow, station_id)
            if station.evse(evse_id) is None:
                raise NotFound("evse", f"{station_id}/{evse_id}")
            await uow.stations.set_evse_power(station_id, evse_id, max_power_w)
            await uow.commit()

    # -- tokens ------------------------------------------------------------------------------
    async def add_token(self, token: TokenRecord) -> TokenRecord:
        if not token.value or len(token.value) > 255:
            raise InvalidInput("a token value must be 1-255 characters")
        token.value = token_of(token.value, token.kind).value  # one spelling per Autocharge MAC
        async with self._ctx.uow() as uow:
            await uow.tokens.add(token)
            self._ctx.stage_event(uow, "token.changed", "", token=token.value)
            await uow.commit()
        return token

    async def tokens(self) -> list[TokenRecord]:
        async with self._ctx.uow() as uow:
            return await uow.tokens.list()

    async def token(self, value: str) -> TokenRecord:
        async with self._ctx.uow() as uow:
            token = await uow.tokens.get(value)
        if token is None:
            raise NotFound("token", value)
        return token

    async def update_token(
        self,
        value: str,
        *,
        blocked: bool | None = None,
        expires_at: datetime | None = None,
        group: str | None = None,
        kind: TokenKind | None = None,
    ) -> TokenRecord:
        async with self._ctx.uow() as uow:
            token = await uow.tokens.get(value)
            if token is None:
                raise NotFound("token", value)
            if blocked is not None:
                token.blocked = blocked
            if expires_at is not None:
                token.expires_at = expires_at
            if group is not None:
                token.group = group or None
            if kind is not None:
                token.kind = kind
            await uow.tokens.save(token)
            self._ctx.stage_event(uow, "token.changed", "", token=token.value)  # lists follow
            await uow.commit()
        return token


async def _require_station(uow: UnitOfWork, station_id: str) -> Station:
    station = await uow.stations.get(station_id)
    if station is None:
        raise NotFound("station", station_id)
    return station
