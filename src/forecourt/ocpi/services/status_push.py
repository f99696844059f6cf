"""Status push (mod_locations §8.2.2, receiver interface): every EVSE status change is sent
as a PATCH to each registered party's locations endpoint, through a durable retry queue.

The OCPP path only publishes ``connector.status``; the subscriber notes the EVSE and wakes a
worker, so no read, write or HTTP call is added to the station's message. The worker computes
the honest status, queues one job per party (a table: a restart retries what was pending) and
sends due jobs; a failure is retried with doubling back-off up to an hour.

The same queue carries every other object we send a party: tariffs, terminal assignments and
activations (payments), and CommandResults, whose job names the command's whole
``response_url`` (module ``response_url``) instead of a path under an endpoint.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
from collections.abc import Callable
from datetime import timedelta

from forecourt.domain.events import DomainEvent
from forecourt.ocpi.domain.parties import Party, PartyState
from forecourt.ocpi.domain.status import StatusCode
from forecourt.ocpi.ports import OCPI_STORE, Codec, OcpiClient, PushJob
from forecourt.ocpi.services.locations import Locations
from forecourt.ocpi.services.stats import OcpiStats
from forecourt.services.context import ServiceContext

log = logging.getLogger(__name__)

MAX_BACKOFF_S = 3600.0
#: ``PushJob.module`` of a CommandResult (``services.commands``): ``path`` is the whole URL.
RESPONSE_URL = "response_url"
BATCH = 50
#: The lease under which due jobs are sent (cluster mode: one node sends them). Selecting due
#: jobs does not claim them, so two senders would PATCH, or POST a CDR, twice. A lease of its
#: own (not shared with the sessions sweeper's) so each singleton is taken and lost alone.
PUSH_LEASE = "ocpi.push"


class StatusPush:
    def __init__(
        self,
        ctx: ServiceContext,
        locations: Locations,
        client: OcpiClient,
        codec: Codec,
        retry_s: float,
        stats: OcpiStats | None = None,
    ) -> None:
        self._ctx = ctx
        self._locations = locations
        self._client = client
        self._codec = codec
        self.retry_s = retry_s
        #: How often the worker looks for due retries while pushes are waiting, and when the
        #: queue was empty (jobs queued by another process: the CLI, another node).
        self.poll_s = 1.0
        self.idle_poll_s = 5.0
        self._changed: set[tuple[str, int]] = set()
        self._wake = asyncio.Event()
        self._task: asyncio.Task[None] | None = None
        self._unsubscribe: Callable[[], None] | None = None
        self.sent = 0
        self.failed = 0
        self.stats = stats or OcpiStats()

    async def start(self) -> None:
        # "shared": one node receives each change, so its jobs are queued once
        self._unsubscribe = self._ctx.bus.subscribe("connector.status", self.on_status, "shared")
        self._task = asyncio.create_task(self._run(), name="periodic:ocpi-push")

    async def stop(self) -> None:
        if self._unsubscribe is not None:
            self._unsubscribe()
        if self._task is not None:
            self._task.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await self._task

    def wake(self) -> None:
        """Send what is due now (new jobs were queued)."""
        self._wake.set()

    async def on_status(self, event: DomainEvent) -> None:
        evse_id = event.data.get("evse_id")
        if isinstance(evse_id, int) and evse_id > 0:
            self._changed.add((event.station_id, evse_id))
            self._wake.set()

    async def _run(self) -> None:
        while True:
            waiting = any(self.stats.queue_depth.values())
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(
                    self._wake.wait(), self.poll_s if waiting else self.idle_poll_s
                )
            self._wake.clear()
            try:
                await self.queue_changes()
                await self.send_due()
                await self.count_waiting()
            except Exception:  # keep pushing after a database hiccup
                log.exception("OCPI status push pass failed")

    async def queue_changes(self) -> None:
        changed, self._changed = self._changed, set()
        if not changed:
            return
        parties = [p for p in await self._registered() if "locations" in p.endpoints]
        if not parties:
            return
        found = [await self._locations.evse(*key) for key in sorted(changed)]
        us = self._locations.us.ref
        now = self._ctx.clock.now()
        async with self._ctx.uow() as uow:
            store = uow.repository(OCPI_STORE)
            for location_id, view in (f for f in found if f is not None):
                path = f"/{us.country_code}/{us.party_id}/{location_id}/{view.uid}"
                for party in parties:
                    assert party.version is not None  # registered parties have one
                    last_updated = self._codec.evse(party.version, view)["last_updated"]
                    body = {"status": view.status.value, "last_updated": last_updated}
                    await store.enqueue(PushJob(party.id, "PATCH", "locations", path, body, now))
            await uow.commit()

    async def send_due(self) -> None:
        """Send the due jobs, on the lease holder only (every node may queue them)."""
        if not await self._ctx.leases(PUSH_LEASE).held():
            return
        now = self._ctx.clock.now()
        async with self._ctx.uow() as uow:
            jobs = await uow.repository(OCPI_STORE).due_jobs(now, BATCH)
        if not jobs:
            return
        parties = {p.id: p for p in await self._registered()}
        for job in jobs:
            await self._send(job, parties.get(job.party_id))

    async def count_waiting(self) -> None:
        """The queue's depth by module (a gauge in the metrics)."""
        async with self._ctx.uow() as uow:
            counts = await uow.repository(OCPI_STORE).job_counts()
        self.stats.queue_depth = {m: counts.get(m, 0) for m in {*counts, *self.stats.queue_depth}}

    async def _send(self, job: PushJob, party: Party | None) -> None:
        error = ""
        url = ""
        if party is None:
            error = "party not registered"
        elif job.module == RESPONSE_URL:
            url = job.path  # a CommandResult: the command's own response_url
        elif job.module not in party.endpoints:
            error = f"party has no {job.module} endpoint"
        else:
            url = party.endpoints[job.module] + job.path
        if url and party is not None:
            try:
                reply = await self._client.call(job.method, url, party.token_out, job.body)
                if reply.status_code != StatusCode.SUCCESS:
                    error = f"HTTP {reply.http_status}, status {reply.status_code}"
            except OSError as exc:
                error = f"unreachable: {exc}"
        self.stats.pushed(job.module, not error)
        async with self._ctx.uow() as uow:
            store = uow.repository(OCPI_STORE)
            if error:
                self.failed += 1
                delay = min(self.retry_s * 2**job.attempts, MAX_BACKOFF_S)
                due = self._ctx.clock.now() + timedelta(seconds=delay)
                await store.job_failed(job.id, error, due)
            else:
                self.sent += 1
                await store.job_done(job.id)
            await uow.commit()

    async def failures(self) -> list[PushJob]:
        """Pushes still waiting after at least one failed attempt (the roaming page)."""
        async with self._ctx.uow() as uow:
            return await uow.repository(OCPI_STORE).failed_jobs()

    async def _registered(self) -> list[Party]:
        async with self._ctx.uow() as uow:
            parties = await uow.repository(OCPI_STORE).parties()
        return [p for p in parties if p.state is PartyState.REGISTERED]
