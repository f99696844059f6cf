"""Departures given by a driver or operator (any OCPP version: a 1.6 car cannot say it)."""

from __future__ import annotations

from dataclasses import replace
from datetime import datetime, timedelta

from forecourt.domain.errors import Conflict, InvalidInput, NotFound
from forecourt.services.context import ServiceContext
from forecourt.smart_charging.ports import SMART_CHARGING_STORE, Departure

#: A departure further away than this is a typo, not a plan.
LONGEST = timedelta(days=7)
MAX_ENERGY_WH = 1_000_000.0


async def save(ctx: ServiceContext, departure: Departure) -> str | None:
    """Keep ``departure`` for the EVSE's running session; the station's site (None: none).
    Refused: an unknown EVSE (NotFound), no session on it (Conflict), bad values."""
    now = ctx.clock.now()
    _check(departure, now)
    ref = departure.ref
    async with ctx.uow() as uow:
        station = await uow.stations.get(ref.station_id)
        if station is None or station.evse(ref.evse_id) is None:
            raise NotFound("EVSE", str(ref))
        active = await uow.transactions.active_on_evse(ref.station_id, ref.evse_id)
        if not active:
            raise Conflict(f"EVSE {ref} has no session: a departure is given for a session")
        kept = replace(departure, station_tx_id=active[0].station_tx_id, at=now)
        await uow.repository(SMART_CHARGING_STORE).save_departure(kept)
        await uow.commit()
    return station.site_id


def _check(departure: Departure, now: datetime) -> None:
    at = departure.departure_at
    if at.tzinfo is None:
        raise InvalidInput("a departure time needs a time zone (e.g. 2026-12-07T18:00:00Z)")
    if not 0 < departure.energy_wh <= MAX_ENERGY_WH:
        raise InvalidInput(f"an energy need is 0 < Wh <= {MAX_ENERGY_WH:g}")
    if at - now > LONGEST:
        raise InvalidInput("a departure more than 7 days away is not a plan")
