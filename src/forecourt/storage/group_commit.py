"""Group commit on SQLite: the units of work of many stations share one database transaction.

SQLite commits one transaction at a time and, with ``synchronous=FULL``, each COMMIT waits
for an fsync (about 5 ms on the VM disk the benchmarks ran on): one commit per OCPP message
caps a whole server at about 200 messages/s. Here (ADR 0008) units of work still run one at a
time behind the ``WriterGate``, but inside a shared *batch* transaction, each in its own
SAVEPOINT:

- a unit's ``commit()`` releases its savepoint (its changes join the batch), lets the next unit
  in, and returns only when the batch's COMMIT is done: "acknowledged means stored" holds;
- a unit that fails or does not commit rolls back to its savepoint: the other units of the
  batch are unaffected. A unit that ends normally without committing (a read) still waits for
  the batch it saw, so nothing is answered from changes that were then not stored;
- the batch commits when ``max_units`` units have committed into it, or ``max_delay_s`` after
  its first unit committed (taking the writer turn like any unit). If the COMMIT fails, every
  unit of the batch sees the error from its ``commit()``: none of them was acknowledged.

A unit that reads or writes again after its ``commit()`` re-enters (waits for the writer turn
and opens a new savepoint in the current batch), through ``DbContext.reopen``.
"""

from __future__ import annotations

import asyncio
import logging
from typing import TYPE_CHECKING, Any

from sqlalchemy.ext.asyncio import AsyncConnection, AsyncEngine

if TYPE_CHECKING:
    from forecourt.storage.uow import WriterGate

log = logging.getLogger(__name__)

#: One unit at a time holds the writer turn, so one savepoint name is enough.
_SAVEPOINT = "fc_unit"

DEFAULT_MAX_DELAY_S = 0.002
DEFAULT_MAX_UNITS = 200


class BatchFailed(Exception):
    """The shared transaction could not commit: no unit of the batch was stored."""


class _Batch:
    """One shared database transaction and the units that committed into it."""

    def __init__(self, connection: AsyncConnection, driver: Any) -> None:
        self.connection = connection
        self.driver = driver  # the sqlite3 connection: savepoints cost microseconds there
        self.committed = 0
        self.durable: asyncio.Future[None] = asyncio.get_running_loop().create_future()
        self.timer: asyncio.TimerHandle | None = None


class GroupCommit:
    """The batch of one SQLite database. Callers hold the writer turn (``WriterGate``) for
    every method but ``close``; the timer's flush takes it itself."""

    def __init__(
        self, engine: AsyncEngine, gate: WriterGate, max_delay_s: float, max_units: int
    ) -> None:
        self._engine = engine
        self._gate = gate
        self.max_delay_s = max_delay_s
        self.max_units = max_units
        self._batch: _Batch | None = None
        self._flushes: set[asyncio.Task[None]] = set()

    async def enter(self) -> AsyncConnection:
        """Start a unit of work: its savepoint in the open batch (opening one if needed)."""
        batch = self._batch
        if batch is None:
            batch = self._batch = await self._open()
        batch.driver.execute(f"SAVEPOINT {_SAVEPOINT}")
        return batch.connection

    async def commit_unit(self) -> asyncio.Future[None]:
        """Keep the unit's changes in the batch; the future resolves when the batch is durable."""
        batch = self._require_batch()
        batch.driver.execute(f"RELEASE {_SAVEPOINT}")
        batch.committed += 1
        durable = batch.durable
        if batch.committed >= self.max_units:
            await self._commit_batch()
        elif batch.committed == 1:
            loop = asyncio.get_running_loop()
            batch.timer = loop.call_later(self.max_delay_s, self._schedule_flush, batch)
        return durable

    def rollback_unit(self) -> None:
        """Undo the unit's changes since its savepoint; the savepoint stays open."""
        batch = self._require_batch()
        if not batch.driver.in_transaction:  # SQLite rolled the whole batch back (I/O error...)
            self._abandon(batch, BatchFailed("the shared transaction was rolled back"))
            return
        batch.driver.execute(f"ROLLBACK TO {_SAVEPOINT}")

    async def leave_unit(self) -> asyncio.Future[None] | None:
        """The unit ends without committing (again): discard its savepoint. Returns the
        batch's future when other units' changes, not yet durable, were visible to it."""
        batch = self._batch
        if batch is None:
            return None
        if not batch.driver.in_transaction:
            self._abandon(batch, BatchFailed("the shared transaction was rolled back"))
            return batch.durable
        batch.driver.execute(f"ROLLBACK TO {_SAVEPOINT}")
        batch.driver.execute(f"RELEASE {_SAVEPOINT}")
        if batch.committed:
            return batch.durable
        self._batch = None  # nothing to wait for: do not hold SQLite's write lock
        await batch.connection.rollback()
        await batch.connection.close()
        return None

    async def flush(self) -> None:
        """Commit the open batch now (shutdown, tests). Call with the writer turn held."""
        if self._batch is not None:
            await self._commit_batch()

    async def close(self) -> None:
        if self._flushes:
            await asyncio.gather(*list(self._flushes), return_exceptions=True)

    # -- the batch ------------------------------------------------------------------------

    async def _open(self) -> _Batch:
        connection = await self._engine.connect()
        try:
            await connection.begin()  # BEGIN IMMEDIATE (sqlite_inline)
            raw = await connection.get_raw_connection()
        except BaseException:
            await connection.close()
            raise
        return _Batch(connection, raw.driver_connection)

    def _require_batch(self) -> _Batch:
        if self._batch is None:
            raise RuntimeError("no unit of work is open in the group commit")
        return self._batch

    async def _commit_batch(self) -> None:
        batch = self._require_batch()
        self._batch = None
        if batch.timer is not None:
            batch.timer.cancel()
        try:
            await batch.connection.commit()
        except Exception as error:
            self._fail(batch, error)
            await self._discard(batch)
            return
        await batch.connection.close()
        if not batch.durable.done():
            batch.durable.set_result(None)

    def _abandon(self, batch: _Batch, error: Exception) -> None:
        """The database already dropped the batch's transaction: fail its units, start over."""
        self._batch = None
        if batch.timer is not None:
            batch.timer.cancel()
        self._fail(batch, error)
        self._track(asyncio.get_running_loop().create_task(self._discard(batch)))

    @staticmethod
    def _fail(batch: _Batch, error: Exception) -> None:
        log.error("group commit failed; %d units of work not stored: %s", batch.committed, error)
        if not batch.durable.done():
            failure = BatchFailed(f"the database did not commit: {error}")
            failure.__cause__ = error
            batch.durable.set_exception(failure)
            batch.durable.exception()  # retrieved: nobody may be waiting any more

    @staticmethod
    async def _discard(batch: _Batch) -> None:
        """End a failed batch's transaction (a failed COMMIT leaves it open) and its connection."""
        try:
            if batch.driver.in_transaction:
                batch.driver.execute("ROLLBACK")
            await batch.connection.invalidate()  # its state is unknown: the pool opens a new one
        except Exception:  # the connection is broken too
            log.debug("discarding a failed batch connection", exc_info=True)

    def _schedule_flush(self, batch: _Batch) -> None:
        batch.timer = None
        self._track(asyncio.get_running_loop().create_task(self._flush_when_due(batch)))

    def _track(self, task: asyncio.Task[None]) -> None:
        self._flushes.add(task)
        task.add_done_callback(self._flushes.discard)

    async def _flush_when_due(self, batch: _Batch) -> None:
        await self._gate.acquire()
        try:
            if self._batch is batch:  # not yet committed by a full batch
                await self._commit_batch()
        finally:
            self._gate.release()
