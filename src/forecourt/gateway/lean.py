"""Lean stand-ins for the asyncio primitives every idle websocket holds (issue 12, idle memory).

An ``asyncio.Queue`` allocates three deques (about 2.2 KiB) and an ``asyncio.Event`` one (about
0.75 KiB) when created; ten thousand idle stations hold them all their lives. These keep only
what is in use: a list, and futures only while someone waits. Same semantics for the subset
uvicorn's websocket protocol uses (``put_nowait``/``get``/``empty``; ``set``/``clear``/``wait``).
"""

from __future__ import annotations

import asyncio
from typing import Generic, TypeVar

T = TypeVar("T")


def _wake(waiters: list[asyncio.Future[None]] | None) -> None:
    for waiter in waiters or ():
        if not waiter.done():
            waiter.set_result(None)


class LeanQueue(Generic[T]):
    """Unbounded FIFO; a waiting ``get`` is woken by the next ``put_nowait``."""

    __slots__ = ("_items", "_waiters")

    def __init__(self) -> None:
        self._items: list[T] = []
        self._waiters: list[asyncio.Future[None]] | None = None

    def put_nowait(self, item: T) -> None:
        self._items.append(item)
        waiters, self._waiters = self._waiters, None
        _wake(waiters)

    def empty(self) -> bool:
        return not self._items

    def qsize(self) -> int:
        return len(self._items)

    async def get(self) -> T:
        while not self._items:
            waiter = asyncio.get_running_loop().create_future()
            if self._waiters is None:
                self._waiters = []
            self._waiters.append(waiter)
            try:
                await waiter
            finally:
                if self._waiters is not None and waiter in self._waiters:
                    self._waiters.remove(waiter)
        return self._items.pop(0)


class LeanEvent:
    """``asyncio.Event`` without the deque it allocates up front."""

    __slots__ = ("_set", "_waiters")

    def __init__(self) -> None:
        self._set = False
        self._waiters: list[asyncio.Future[None]] | None = None

    def is_set(self) -> bool:
        return self._set

    def set(self) -> None:
        self._set = True
        waiters, self._waiters = self._waiters, None
        _wake(waiters)

    def clear(self) -> None:
        self._set = False

    async def wait(self) -> bool:
        if self._set:
            return True
        waiter = asyncio.get_running_loop().create_future()
        if self._waiters is None:
            self._waiters = []
        self._waiters.append(waiter)
        try:
            await waiter
        finally:
            if self._waiters is not None and waiter in self._waiters:
                self._waiters.remove(waiter)
        return True
