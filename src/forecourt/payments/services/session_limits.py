"""Starting a session with limits (cost, energy, time, state of charge) on any version.

The limit is recorded for the token at the station, then the session is started remotely.
A 2.1 station is told the limit in the answer to its ``TransactionEvent`` and stops itself;
on every station the CSMS stops the session when the one rule (``limits.reached``) says so.
"""

from __future__ import annotations

from datetime import datetime, timedelta

from forecourt.domain.commands import CommandRecord, RemoteStart
from forecourt.domain.errors import InvalidInput, NotFound
from forecourt.domain.transactions import Transaction
from forecourt.payments.ports import SESSION_LIMIT_STORE
from forecourt.ports.repositories import UnitOfWork
from forecourt.ports.station_payments import PrepaidLimit
from forecourt.services.context import ServiceContext
from forecourt.services.remote_control import RemoteControl

#: A limit applies to a session of its token that starts this long after it was set.
START_WINDOW = timedelta(minutes=10)


class SessionLimits:
    def __init__(self, ctx: ServiceContext, remote: RemoteControl) -> None:
        self._ctx = ctx
        self._remote = remote

    async def start(
        self, station_id: str, evse_id: int | None, id_token: str, limit: PrepaidLimit
    ) -> CommandRecord:
        """Record the limit, then ask the station to start (RemoteStart)."""
        if limit == PrepaidLimit():
            raise InvalidInput("a limited start needs at least one limit")
        async with self._ctx.uow() as uow:
            if await uow.stations.get(station_id) is None:
                raise NotFound("station", station_id)
            await uow.repository(SESSION_LIMIT_STORE).add(
                station_id, id_token, limit, self._ctx.clock.now()
            )
            await uow.commit()
        return await self._remote.send(
            station_id, RemoteStart(id_token, evse_id), requested_by="payments"
        )


async def asked_limit(uow: UnitOfWork, tx: Transaction) -> PrepaidLimit | None:
    """The limit set for this session's token around its start, if any."""
    if not tx.id_token:
        return None
    return await limit_for_token(uow, tx.station_id, tx.id_token, tx.started_at)


async def limit_for_token(
    uow: UnitOfWork, station_id: str, id_token: str, around: datetime
) -> PrepaidLimit | None:
    """The newest limit set for ``id_token`` at the station within the start window."""
    return await uow.repository(SESSION_LIMIT_STORE).newest(
        station_id, id_token, around - START_WINDOW, around + START_WINDOW
    )
