"""Keeps local lists and reservations current without an operator: token changes and station
boots resend lists; a periodic sweep expires reservations, drops expired tokens from lists
and retries updates that a station missed while it was offline."""

from __future__ import annotations

import asyncio
import contextlib
import logging
from collections.abc import Callable

from forecourt.domain.events import DomainEvent
from forecourt.domain.local_auth import ListSync
from forecourt.services.context import ServiceContext
from forecourt.services.local_lists import LocalLists
from forecourt.services.reservations import Reservations

log = logging.getLogger(__name__)

DEFAULT_SWEEP_INTERVAL_S = 30.0
_RETRIED = (ListSync.PENDING, ListSync.FAILED)


class LocalAuthAutomation:
    def __init__(
        self,
        ctx: ServiceContext,
        lists: LocalLists,
        reservations: Reservations,
        interval_s: float = DEFAULT_SWEEP_INTERVAL_S,
    ) -> None:
        self._ctx = ctx
        self._lists = lists
        self._reservations = reservations
        self._interval_s = interval_s
        self._unsubscribe: list[Callable[[], None]] = []
        self._task: asyncio.Task[None] | None = None

    def start(self) -> None:
        bus = self._ctx.bus
        self._unsubscribe = [
            bus.subscribe("station.booted", self._booted),
            bus.subscribe("token.changed", self._token_changed),
        ]
        self._task = asyncio.create_task(self._sweep_forever(), name="periodic:local-auth-sweep")

    async def stop(self) -> None:
        for unsubscribe in self._unsubscribe:
            unsubscribe()
        if self._task is not None:
            self._task.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await self._task

    async def sweep_once(self) -> None:
        """Expire reservations; resend lists that missed an update or drifted from the tokens
        (a token expired, or was changed by another process such as the CLI)."""
        await self._reservations.expire_due()
        connected = [s for s in await self._lists.views() if self._lists.is_connected(s.station_id)]
        retried = {s.station_id for s in connected if s.sync in _RETRIED}
        for station_id in sorted(retried | set(await self._lists.drifted(connected))):
            await self._lists.sync(station_id)

    async def _booted(self, event: DomainEvent) -> None:
        if event.data.get("registration") == "accepted":
            snapshot = event.station
            if snapshot is None:
                await self._lists.station_connected(event.station_id)
            else:
                await self._lists.station_connected(event.station_id, snapshot.site_id)

    async def _token_changed(self, event: DomainEvent) -> None:
        token = event.data.get("token")
        if isinstance(token, str):
            await self._lists.token_changed(token)

    async def _sweep_forever(self) -> None:
        while True:
            await asyncio.sleep(self._interval_s)
            try:
                if await self._ctx.leases("local_auth.sweep").held():  # one node sweeps
                    await self.sweep_once()
            except Exception:  # the sweep must outlive one bad round
                log.exception("local authorization sweep failed")
