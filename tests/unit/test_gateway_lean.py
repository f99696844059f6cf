"""The lean queue and event the gateway gives uvicorn's websocket protocol: asyncio's semantics
for what uvicorn uses, without the deques allocated up front."""

from __future__ import annotations

import asyncio
import sys

from forecourt.gateway.lean import LeanEvent, LeanQueue


async def test_the_queue_is_fifo_and_wakes_a_waiting_get() -> None:
    queue: LeanQueue[int] = LeanQueue()
    assert queue.empty()
    waiting = asyncio.ensure_future(queue.get())
    await asyncio.sleep(0)
    assert not waiting.done()
    queue.put_nowait(1)
    queue.put_nowait(2)
    assert await waiting == 1
    assert queue.qsize() == 1
    assert await queue.get() == 2
    assert queue.empty()


async def test_a_cancelled_get_leaves_no_waiter_behind() -> None:
    queue: LeanQueue[str] = LeanQueue()
    waiting = asyncio.ensure_future(queue.get())
    await asyncio.sleep(0)
    waiting.cancel()
    await asyncio.gather(waiting, return_exceptions=True)
    queue.put_nowait("x")
    assert await queue.get() == "x"


async def test_the_event_wakes_every_waiter_and_clears() -> None:
    event = LeanEvent()
    waiters = [asyncio.ensure_future(event.wait()) for _ in range(3)]
    await asyncio.sleep(0)
    assert not any(w.done() for w in waiters)
    event.set()
    assert await asyncio.gather(*waiters) == [True, True, True]
    assert event.is_set()
    event.clear()
    assert not event.is_set()
    late = asyncio.ensure_future(event.wait())
    await asyncio.sleep(0)
    assert not late.done()
    event.set()
    assert await late


def test_they_are_smaller_than_asyncio_s() -> None:
    lean = sys.getsizeof(LeanQueue()) + sys.getsizeof([])
    stock = asyncio.Queue()
    stock_size = sys.getsizeof(stock) + sum(
        sys.getsizeof(getattr(stock, name)) for name in ("_queue", "_getters", "_putters")
    )
    assert lean * 4 < stock_size
