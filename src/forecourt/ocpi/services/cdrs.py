"""CDRs, sender (mod_cdrs §10): one immutable CDR per ended roaming session.

Made once, when the session ends, from exactly what we bill (``SESSION_COSTS``: energy, the
session fee, the idle fee, each tax) and the location as it was; its object is stored per
version as sent and never changes (a replayed or second stop finds the CDR and makes
nothing). It is POSTed to the partner's CDRs receiver through the durable push queue.
"""

from __future__ import annotations

import logging
from collections.abc import Awaitable, Callable
from datetime import datetime
from typing import Any

from forecourt.ocpi.domain.locations import LocationView
from forecourt.ocpi.domain.sessions import RoamingSession, StoredCdr
from forecourt.ocpi.domain.versions import SUPPORTED, Version
from forecourt.ocpi.ports import OCPI_SESSIONS, OCPI_STORE, CdrFacts, PushJob, SessionFacts
from forecourt.ocpi.services.locations import Locations
from forecourt.ports.tariff_catalogue import TariffCatalogue
from forecourt.services.context import ServiceContext

log = logging.getLogger(__name__)

#: Renders one CDR for one version, stamped with its creation time (``schemas.cdrs``).
CdrRenderer = Callable[[Version, CdrFacts, datetime], dict[str, Any]]
FactsOf = Callable[[RoamingSession], Awaitable[SessionFacts | None]]


class RoamingCdrs:
    def __init__(
        self,
        ctx: ServiceContext,
        locations: Locations,
        catalogue: TariffCatalogue | None,
        facts: FactsOf,
        render: CdrRenderer,
        wake: Callable[[], None],
    ) -> None:
        self._ctx = ctx
        self._locations = locations
        self._catalogue = catalogue
        self._facts = facts
        self._render = render
        self._wake = wake
        self.made = 0

    async def create(self, record: RoamingSession) -> StoredCdr | None:
        """The session's CDR: the one already made, or a new one (None: it cannot be made,
        e.g. the session is still running or its site is gone)."""
        async with self._ctx.uow() as uow:
            existing = await uow.repository(OCPI_SESSIONS).cdr_for(record.transaction_id)
        if existing is not None:
            return existing
        found = await self._cdr_facts(record)
        if found is None:
            return None
        now = self._ctx.clock.now()
        bodies = {v.value: self._render(v, found, now) for v in SUPPORTED}
        cost = found.facts.cost
        some = bodies[SUPPORTED[-1].value]
        stored = StoredCdr(
            record.cdr_id,
            record.transaction_id,
            record.party_id,
            str(some["currency"]),
            str(cost.total) if cost else "0",
            float(some["total_energy"]),
            now,
            bodies,
        )
        async with self._ctx.uow() as uow:
            sessions = uow.repository(OCPI_SESSIONS)
            if not await sessions.add_cdr(stored):  # made meanwhile: that one stands
                return await sessions.cdr_for(record.transaction_id)
            party = await uow.repository(OCPI_STORE).party(record.party_id)
            if party is not None and party.version is not None and "cdrs" in party.endpoints:
                job = PushJob(party.id, "POST", "cdrs", "", bodies[party.version.value], now)
                await uow.repository(OCPI_STORE).enqueue(job)
            await uow.commit()
        self.made += 1
        self._wake()
        return stored

    async def _cdr_facts(self, record: RoamingSession) -> CdrFacts | None:
        facts = await self._facts(record)
        if facts is None or facts.ended_at is None:
            return None
        view = await self._locations.one(record.location_id)
        evse = next((e for e in view.evses if e.uid == record.evse_uid), None) if view else None
        plug = (
            next((c for c in evse.connectors if c.id == record.connector_id), evse.connectors[0])
            if evse and evse.connectors
            else None
        )
        if view is None or evse is None or plug is None:
            log.warning("no CDR for session %s: its EVSE is gone", record.session_id)
            return None
        place = LocationView(view.site, (evse,), view.last_updated, view.amenities)
        tariff = None
        if self._catalogue is not None and facts.cost is not None and facts.cost.tariff_code:
            published = await self._catalogue.published()
            tariff = next((t for t in published if t.code == facts.cost.tariff_code), None)
        return CdrFacts(facts, place, plug, tariff)

    async def listing(self, party_id: int | None, limit: int = 1000) -> list[StoredCdr]:
        """CDRs, newest first: a partner's own (the sender interface), or all (operator)."""
        async with self._ctx.uow() as uow:
            return await uow.repository(OCPI_SESSIONS).cdrs(party_id, limit)

    async def one(self, cdr_id: str) -> StoredCdr | None:
        async with self._ctx.uow() as uow:
            return await uow.repository(OCPI_SESSIONS).cdr(cdr_id)

    async def queue_depth(self) -> dict[str, tuple[int, int]]:
        """Pushes waiting per module, and how many of them failed at least once."""
        async with self._ctx.uow() as uow:
            return await uow.repository(OCPI_SESSIONS).queue_depth()
