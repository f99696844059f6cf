"""Retrofits as first-class operations: add a cable to an EVSE, or convert one in place.

Networks add NACS cables to CCS dispensers, or swap a CCS1 cable for NACS.  The station
stays the same station: status history, transactions and uptime refer to connectors by
number, so they continue across the change.  Each retrofit is recorded as a ``retrofit``
station event saying what was there before and what is there now.
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum
from typing import Any

from forecourt.domain.connectors import DEFAULT_RATINGS, ConnectorRating, rating_is_plausible
from forecourt.domain.errors import Conflict, InvalidInput, NotFound
from forecourt.domain.events import StationEvent, StationEventKind
from forecourt.domain.stations import Connector, Station
from forecourt.ports.repositories import UnitOfWork
from forecourt.services.context import ServiceContext
from forecourt.services.network import ConnectorSpec


class RetrofitAction(StrEnum):
    ADD = "add"  # a new cable on an existing EVSE
    CONVERT = "convert"  # an existing cable's plug type and/or rating changed in place


@dataclass(frozen=True, slots=True)
class Retrofit:
    station: Station  # as it is after the retrofit
    event: StationEvent  # what was recorded (data: action, before, after, note, by)


class Equipment:
    def __init__(self, ctx: ServiceContext) -> None:
        self._ctx = ctx

    async def add_connector(
        self, station_id: str, spec: ConnectorSpec, *, note: str = "", by: str = ""
    ) -> Retrofit:
        """A new connector on an existing EVSE (e.g. a NACS cable beside the CCS1 one)."""
        return await self._retrofit(station_id, spec, RetrofitAction.ADD, note, by)

    async def convert_connector(
        self, station_id: str, spec: ConnectorSpec, *, note: str = "", by: str = ""
    ) -> Retrofit:
        """Change an existing connector's plug type and/or rating; its history stays."""
        return await self._retrofit(station_id, spec, RetrofitAction.CONVERT, note, by)

    async def retrofits(self, station_id: str, limit: int = 100) -> list[StationEvent]:
        async with self._ctx.uow() as uow:
            if await uow.stations.get(station_id) is None:
                raise NotFound("station", station_id)
            return await uow.events.list(station_id, StationEventKind.RETROFIT, limit)

    async def _retrofit(
        self, station_id: str, spec: ConnectorSpec, action: RetrofitAction, note: str, by: str
    ) -> Retrofit:
        rating = _checked_rating(spec)
        async with self._ctx.uow() as uow:
            before = await _existing(uow, station_id, spec, action)
            await _refuse_while_charging(uow, station_id, spec.evse_id)
            if before is not None and before.type is spec.type and before.rating == rating:
                raise InvalidInput(
                    f"connector {_where(station_id, spec)} already is {_describe(before)}:"
                    " nothing to convert"
                )
            await uow.stations.upsert_connector(
                station_id, spec.evse_id, spec.connector_id, spec.type, rating
            )
            data = _event_data(action, spec, before, rating, note, by)
            event = StationEvent(station_id, StationEventKind.RETROFIT, self._ctx.clock.now(), data)
            event_id = await uow.events.add(event)
            self._ctx.stage(uow, station_id, [(f"station.{event.kind.value}", data)], at=event.at)
            await uow.commit()
            station = await uow.stations.get(station_id)
        assert station is not None
        return Retrofit(station, StationEvent(station_id, event.kind, event.at, data, event_id))


def _checked_rating(spec: ConnectorSpec) -> ConnectorRating:
    if spec.evse_id < 1 or spec.connector_id < 1:
        raise InvalidInput("evse_id and connector_id start at 1")
    rating = spec.rating or DEFAULT_RATINGS[spec.type]
    if not rating_is_plausible(spec.type, rating):
        raise InvalidInput(
            f"a {spec.type.value} connector cannot carry {rating.power_type.value} power"
        )
    return rating


async def _existing(
    uow: UnitOfWork, station_id: str, spec: ConnectorSpec, action: RetrofitAction
) -> Connector | None:
    """The connector before the change: must exist to convert, must not exist to add."""
    station = await uow.stations.get(station_id)
    if station is None:
        raise NotFound("station", station_id)
    evse = station.evse(spec.evse_id)
    if evse is None:
        raise NotFound("evse", f"{station_id}/{spec.evse_id}")
    connector = evse.connector(spec.connector_id)
    if action is RetrofitAction.ADD and connector is not None:
        raise Conflict(
            f"connector {_where(station_id, spec)} already exists ({_describe(connector)}):"
            " convert it instead"
        )
    if action is RetrofitAction.CONVERT and connector is None:
        raise NotFound("connector", _where(station_id, spec))
    return connector


async def _refuse_while_charging(uow: UnitOfWork, station_id: str, evse_id: int) -> None:
    running = await uow.transactions.active_on_evse(station_id, evse_id)
    if running:
        ids = ", ".join(str(tx.id) for tx in running)
        raise Conflict(
            f"transaction {ids} is running on EVSE {station_id}/{evse_id}:"
            " retrofit it once the session has ended"
        )


def _event_data(
    action: RetrofitAction,
    spec: ConnectorSpec,
    before: Connector | None,
    rating: ConnectorRating,
    note: str,
    by: str,
) -> dict[str, Any]:
    return {
        "action": action.value,
        "evse_id": spec.evse_id,
        "connector_id": spec.connector_id,
        "before": None if before is None else _plug(before.type.value, before.rating),
        "after": _plug(spec.type.value, rating),
        "note": note,
        "by": by,
    }


def _plug(connector_type: str, rating: ConnectorRating | None) -> dict[str, Any]:
    plug: dict[str, Any] = {"type": connector_type}
    if rating is not None:
        plug |= {
            "power_type": rating.power_type.value,
            "max_voltage_v": rating.max_voltage_v,
            "max_current_a": rating.max_current_a,
            "max_power_w": rating.max_power_w,
            "cooled_cable": rating.cooled_cable,
            "cable_length_m": rating.cable_length_m,
        }
    return plug


def _where(station_id: str, spec: ConnectorSpec) -> str:
    return f"{station_id}/{spec.evse_id}/{spec.connector_id}"


def _describe(connector: Connector) -> str:
    rating = connector.rating
    power = f" {rating.max_power_w / 1000:g} kW" if rating else ""
    return f"{connector.type.value}{power}"


def describe_plug(plug: dict[str, Any] | None) -> str:
    """``before``/``after`` of a retrofit event in words, e.g. ``nacs 250 kW DC, 500 V, 700 A``."""
    if not plug:
        return "(none)"
    if "max_power_w" not in plug:
        return str(plug.get("type", "?"))
    kind = "DC" if plug["power_type"] == "dc" else "AC"
    return (
        f"{plug['type']} {plug['max_power_w'] / 1000:g} kW {kind}, "
        f"{plug['max_voltage_v']:g} V, {plug['max_current_a']:g} A"
    )
