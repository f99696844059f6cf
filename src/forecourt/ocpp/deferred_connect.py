"""A fresh connection's "connected" bookkeeping, deferred so a reconnect is one unit of work.

A station that connects almost always sends BootNotification next: the boot's unit of work
then writes "connected" too (`Provisioning.boot(..., connecting)`), one commit instead of two.
Whatever comes first of these writes it alone, before going on: any other first CALL (the
dispatcher), the gateway's grace timer (a silent station), and the close (before the
"disconnected" write). Each is written exactly once, and never after the station's later
writes: a boot that finds the note taken by a write under way waits for it.
"""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable

from forecourt.services.provisioning import Connecting

WriteConnected = Callable[[Connecting], Awaitable[None]]


class DeferredConnect:
    __slots__ = ("_note", "_write", "_writing", "settled")

    def __init__(self, note: Connecting, write: WriteConnected) -> None:
        self._note: Connecting | None = note
        self._write = write
        self._writing: asyncio.Future[None] | None = None
        self.settled = False  # written (by the boot's unit of work or alone)

    @property
    def pending(self) -> bool:
        """Not written, and nobody writing it."""
        return self._note is not None

    def claim(self) -> Connecting | None:
        """The note for a unit of work that writes it (the boot's); ``None`` if taken. The
        claimer then calls ``written`` once committed, or ``release`` if it failed."""
        note, self._note = self._note, None
        return note

    def written(self) -> None:
        self.settled = True

    def release(self, note: Connecting) -> None:
        self._note = note

    async def settle(self) -> None:
        """Return once "connected" is written: by this call, or by the write under way."""
        if self._writing is not None and not self._writing.done():
            await asyncio.shield(self._writing)
            return
        note = self.claim()
        if note is None:
            return
        writing = self._writing = asyncio.ensure_future(self._write(note))
        writing.add_done_callback(lambda done: self._finished(done, note))
        await asyncio.shield(writing)

    def _finished(self, writing: asyncio.Future[None], note: Connecting) -> None:
        if writing.cancelled() or writing.exception() is not None:
            self.release(note)  # not written: the next message (or the close) retries
        else:
            self.settled = True
