"""Sessions, sender (mod_sessions §9): our transactions of roaming tokens, as OCPI Sessions.

A transaction is a partner's when its token is: a START_SESSION it sent (``COMMAND``, with
its ``authorization_reference``), a token it answered for in real time (``AUTH_REQUEST``), or
one it pushed whose copy decided (``WHITELIST``). That partner, and only it, gets the session:
a PUT when it starts, PATCHes of what changes (kWh, cost, status, charging periods), through
the durable push queue with at most one waiting push per session (the latest wins). When the
session ends its CDR is made (``services.cdrs``). Amounts are the bill's (``SESSION_COSTS``).
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
from collections.abc import Awaitable, Callable
from datetime import datetime, timedelta
from typing import Any

from forecourt.domain.events import DomainEvent
from forecourt.domain.transactions import Transaction
from forecourt.ocpi.domain.commands import StartSession
from forecourt.ocpi.domain.parties import Party, PartyState, Us
from forecourt.ocpi.domain.sessions import AuthMethod, CdrToken, Expected, RoamingSession
from forecourt.ocpi.domain.versions import Version
from forecourt.ocpi.ports import OCPI_SESSIONS, OCPI_STORE, PushJob, SessionFacts
from forecourt.ocpi.services.locations import Locations
from forecourt.ocpi.services.tokens import RoamingTokens, owner
from forecourt.ports.session_costs import SessionCosts
from forecourt.services.context import ServiceContext

log = logging.getLogger(__name__)

#: Renders a Session (whole, or the PATCH of what changes) for one version (``schemas.cdrs``).
SessionRenderer = Callable[[Version, SessionFacts], dict[str, Any]]
#: Called when a roaming session ended (``RoamingCdrs.create``).
OnEnded = Callable[[RoamingSession], Awaitable[object]]

#: The lease under which ended sessions are swept (cluster mode: one node sweeps). Two sweeping
#: nodes would both queue a session's last PATCH (the first may be sent already, and the
#: second goes out again). Its own lease, not the push worker's: each singleton alone.
SWEEP_LEASE = "ocpi.sessions"

#: How long a START_SESSION waits for its transaction to start.
EXPECT_S = 180.0


class RoamingSessions:
    def __init__(
        self,
        ctx: ServiceContext,
        us: Us,
        locations: Locations,
        tokens: RoamingTokens,
        costs: SessionCosts | None,
        render: SessionRenderer,
        render_patch: SessionRenderer,
        wake: Callable[[], None],
    ) -> None:
        self._ctx = ctx
        self.us = us
        self._locations = locations
        self._tokens = tokens
        self._costs = costs
        self._render = render
        self._render_patch = render_patch
        self._wake = wake
        self.on_ended: OnEnded | None = None
        #: Least seconds between two PATCHes of a running session (the end is always sent).
        self.patch_interval_s = 15.0
        self._expected: dict[str, Expected] = {}
        self._known: dict[int, RoamingSession | None] = {}  # transaction id -> ours or not
        #: Events arrive concurrently: one at a time per transaction, each reading it afresh.
        self._locks: dict[int, asyncio.Lock] = {}
        self._patched_at: dict[int, datetime] = {}
        self._unsubscribe: Callable[[], None] | None = None
        #: How often ended sessions still without a CDR are looked for (a restart, or an end
        #: whose handling failed, e.g. a busy database): their last PATCH and CDR are made then.
        self.sweep_s = 60.0
        self._sweeper: asyncio.Task[None] | None = None

    async def start(self) -> None:
        self._unsubscribe = self._ctx.bus.subscribe("transaction.", self.on_transaction)
        self._sweeper = asyncio.create_task(self._sweep_forever(), name="periodic:ocpi-sessions")

    async def stop(self) -> None:
        if self._unsubscribe is not None:
            self._unsubscribe()
        if self._sweeper is not None:
            self._sweeper.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await self._sweeper

    async def _sweep_forever(self) -> None:
        while True:
            try:
                if await self._ctx.leases(SWEEP_LEASE).held():  # one node sweeps
                    await self.sweep()
            except Exception:  # the next pass retries
                log.exception("OCPI session sweep failed")
            await asyncio.sleep(self.sweep_s)

    async def sweep(self) -> int:
        """Finish ended roaming sessions that have no CDR yet; how many were finished."""
        async with self._ctx.uow() as uow:
            waiting = await uow.repository(OCPI_SESSIONS).without_cdr(100)
        finished = 0
        for record in waiting:
            tx = await self._transaction(record.transaction_id)
            if tx is None or tx.active:
                continue
            async with self._locks.setdefault(tx.id, asyncio.Lock()):
                self._known[tx.id] = record
                await self._changed(tx.id, final=True)
            self._locks.pop(tx.id, None)
            finished += 1
        return finished

    def expect(
        self, party: Party, command: StartSession, station_id: str, evse: int | None
    ) -> None:
        """A START_SESSION was accepted: its session will be the party's (``COMMAND``)."""
        token = command.token
        now = self._ctx.clock.now()
        for uid in [u for u, e in self._expected.items() if e.until < now]:
            del self._expected[uid]  # commands whose session never started
        self._expected[token.uid] = Expected(
            party.id,
            CdrToken(token.country_code, token.party_id, token.uid, token.type, token.contract_id),
            station_id,
            evse,
            command.authorization_reference,
            now + timedelta(seconds=EXPECT_S),
        )

    # -- the bus ------------------------------------------------------------------------------
    async def on_transaction(self, event: DomainEvent) -> None:
        tx_id = event.data.get("transaction_id")
        if not isinstance(tx_id, int):
            return
        if not event.data.get("id_token") and tx_id not in self._known:
            return  # no token (yet): nobody's roaming session, and no query for it
        try:
            async with self._locks.setdefault(tx_id, asyncio.Lock()):
                if event.topic == "transaction.started":
                    await self._started(tx_id)
                elif event.topic == "transaction.updated":
                    await self._changed(tx_id, final=False)
                elif event.topic == "transaction.ended":
                    await self._changed(tx_id, final=True)
        except Exception:  # a roaming hiccup must never disturb the charging path
            log.exception("OCPI session %s: %s not handled", tx_id, event.topic)
        if event.topic == "transaction.ended":
            self._locks.pop(tx_id, None)
            self._known.pop(tx_id, None)  # ended: nothing more to decide or remember
            self._patched_at.pop(tx_id, None)

    async def _started(self, tx_id: int) -> None:
        tx = await self._transaction(tx_id)
        if tx is None or not tx.id_token or tx_id in self._known:
            return
        record = await self._record(tx)
        self._known[tx_id] = record
        if record is None:
            return
        party = (await self._parties()).get(record.party_id)
        facts = await self._facts_of(record, tx)  # its own unit of work: before ours
        async with self._ctx.uow() as uow:
            await uow.repository(OCPI_SESSIONS).add_session(record)
            if party is not None and "sessions" in party.endpoints and party.version:
                body = self._render(party.version, facts)
                await self._enqueue(uow, party, "PUT", record, body)
            await uow.commit()
        self._wake()
        if not tx.active:  # its end was handled first (events are not ordered)
            await self._changed(tx_id, final=True)

    async def _changed(self, tx_id: int, *, final: bool) -> None:
        if tx_id not in self._known and await self._roaming(tx_id) is None:
            await self._started(tx_id)  # the token came after the start (plug in, then tap)
            if final:
                return  # _started saw it ended and handled the end
        record = self._known.get(tx_id)
        if record is None:
            return
        now = self._ctx.clock.now()
        last = self._patched_at.get(tx_id)
        if not final and last is not None and (now - last).total_seconds() < self.patch_interval_s:
            return
        self._patched_at[tx_id] = now
        tx = await self._transaction(tx_id)
        if tx is None:
            return
        party = (await self._parties()).get(record.party_id)
        if party is not None and "sessions" in party.endpoints and party.version:
            facts = await self._facts_of(record, tx)
            body = self._render_patch(party.version, facts)
            async with self._ctx.uow() as uow:
                await self._enqueue(uow, party, "PATCH", record, body)
                await uow.commit()
            self._wake()
        if final:
            self._known.pop(tx_id, None)
            self._patched_at.pop(tx_id, None)
            if self.on_ended is not None:
                await self.on_ended(record)

    async def _enqueue(
        self, uow: Any, party: Party, method: str, record: RoamingSession, body: dict[str, Any]
    ) -> None:
        path = f"/{self.us.ref.country_code}/{self.us.ref.party_id}/{record.session_id}"
        job = PushJob(party.id, method, "sessions", path, body, self._ctx.clock.now())
        await uow.repository(OCPI_SESSIONS).enqueue_latest(job)

    # -- whose session -----------------------------------------------------------------------
    async def _record(self, tx: Transaction) -> RoamingSession | None:
        assert tx.id_token is not None
        place = await self._locations.evse(tx.station_id, tx.evse_id)
        if place is None:
            return None  # not on a site: nothing roaming can name
        location_id, view = place
        now = self._ctx.clock.now()
        found = self._expected.pop(tx.id_token, None)
        if found is not None and found.until >= now and found.station_id == tx.station_id:
            party_id, token = found.party_id, found.token
            method, reference = AuthMethod.COMMAND, found.authorization_reference
        else:
            issued = await self._tokens.issuer(tx.id_token)
            if issued is None:
                return None
            roaming, asked = issued
            party = owner(
                list((await self._parties()).values()), roaming.country_code, roaming.party_id
            )
            if party is None:
                return None
            party_id, reference = party.id, None
            token = CdrToken(
                roaming.country_code,
                roaming.party_id,
                roaming.uid,
                roaming.type,
                roaming.contract_id,
            )
            method = AuthMethod.AUTH_REQUEST if asked else AuthMethod.WHITELIST
        return RoamingSession(
            tx.id,
            party_id,
            token,
            method,
            reference,
            location_id,
            view.uid,
            str(tx.connector_id or 1),
            now,
        )

    async def _roaming(self, tx_id: int) -> RoamingSession | None:
        """Ours or not: decided at the start; else (a restart) looked up, and remembered
        only when found (its start may not have been handled yet)."""
        if tx_id not in self._known:
            async with self._ctx.uow() as uow:
                found = await uow.repository(OCPI_SESSIONS).session(tx_id)
            if found is None:
                return None
            self._known[tx_id] = found
        return self._known[tx_id]

    # -- what a session says -------------------------------------------------------------------
    async def facts(self, record: RoamingSession) -> SessionFacts | None:
        tx = await self._transaction(record.transaction_id)
        return None if tx is None else await self._facts_of(record, tx)

    async def _facts_of(self, record: RoamingSession, tx: Transaction) -> SessionFacts:
        cost = await self._costs.billed(tx.id) if self._costs is not None else None
        ended = None if tx.active else (tx.stopped_at or tx.updated_at or tx.started_at)
        updated = max(
            (t for t in (tx.started_at, tx.updated_at, tx.stopped_at) if t is not None),
        )
        return SessionFacts(
            record,
            tx.started_at,
            ended,
            tx.energy_wh,
            cost,
            updated,
            tx.signed_start,
            tx.signed_end,
        )

    async def listing(self, party_id: int | None, limit: int = 1000) -> list[SessionFacts]:
        """Sessions, newest first: a partner's own (the sender interface), or all (operator)."""
        async with self._ctx.uow() as uow:
            records = await uow.repository(OCPI_SESSIONS).sessions(party_id, limit)
        found = [await self.facts(r) for r in records]
        return [f for f in found if f is not None]

    async def _transaction(self, tx_id: int) -> Transaction | None:
        async with self._ctx.uow() as uow:
            return await uow.transactions.get(tx_id)

    async def _parties(self) -> dict[int, Party]:
        async with self._ctx.uow() as uow:
            parties = await uow.repository(OCPI_STORE).parties()
        return {p.id: p for p in parties if p.state is PartyState.REGISTERED}
