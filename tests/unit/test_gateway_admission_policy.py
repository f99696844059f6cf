"""The admission policy's arithmetic with a hand-driven clock (the e2e tests cover the wire)."""

from __future__ import annotations

import asyncio
import time

from forecourt.gateway.admission import AdmissionPolicy, HandshakeSlots, StationAdmission

POLICY = AdmissionPolicy(
    failures_before_backoff=2, backoff_initial=2.0, backoff_max=60.0, reconnects_per_minute=2
)


class Clock:
    def __init__(self) -> None:
        self.now = 1000.0

    def __call__(self) -> float:
        return self.now


def test_backoff_doubles_up_to_the_maximum_then_is_forgotten() -> None:
    clock = Clock()
    admission = StationAdmission(POLICY, clock)
    started = [admission.failed("CS", "10.0.0.9", known_station=True) for _ in range(8)]
    assert [s.get("address", 0.0) for s in started] == [0, 2, 4, 8, 16, 32, 60, 60]
    assert admission.check("CS", "10.0.0.9") is not None
    clock.now += 60.1  # quiet for the longest back-off: a clean slate
    assert admission.check("CS", "10.0.0.9") is None
    assert admission.failed("CS", "10.0.0.9", known_station=True) == {}


def test_the_usual_address_is_exempt_and_does_not_count_against_the_station() -> None:
    admission = StationAdmission(POLICY, Clock())
    admission.admitted("CS", "10.0.0.1")
    for _ in range(5):
        assert "station" not in admission.failed("CS", "10.0.0.1", known_station=True)
    for _ in range(3):
        admission.failed("CS", "10.0.0.66", known_station=True)
    assert admission.check("CS", "10.0.0.1") is None
    refusal = admission.check("CS", "10.0.0.77")
    assert refusal is not None
    assert refusal.reason == "throttled_station"


def test_reconnects_refill_over_a_minute() -> None:
    clock = Clock()
    admission = StationAdmission(POLICY, clock)
    admission.admitted("CS", "10.0.0.1")
    admission.admitted("CS", "10.0.0.1")
    refusal = admission.check("CS", "10.0.0.1")
    assert refusal is not None
    assert refusal.reason == "reconnecting_too_often"
    assert 29.0 < refusal.retry_after <= 30.0  # one login back per 30 s at 2 a minute
    clock.now += 30.0
    assert admission.check("CS", "10.0.0.1") is None


async def test_one_quiet_loop_turn_lets_every_waiting_handshake_go() -> None:
    """Counted in loop turns, not seconds: one probe per handshake would take a turn each."""
    slots = HandshakeSlots(concurrent=20, queued=100, max_loop_lag=3600.0)  # every turn quiet
    turns = 0
    entered: list[int] = []

    async def count_turns() -> None:
        nonlocal turns
        while True:
            await asyncio.sleep(0)
            turns += 1

    async def handshake() -> None:
        async with slots.slot(quiet=True):
            entered.append(turns)

    counter = asyncio.create_task(count_turns())
    try:
        await asyncio.gather(*(handshake() for _ in range(20)))
    finally:
        counter.cancel()
    assert len(entered) == 20
    assert len(set(entered)) == 1  # one quiet turn admitted them all, in the same turn


async def test_a_congested_loop_still_holds_every_handshake() -> None:
    slots = HandshakeSlots(concurrent=20, queued=100, max_loop_lag=0.001)
    entered = 0

    async def congest() -> None:
        while True:
            time.sleep(0.005)  # noqa: ASYNC251 - every turn takes longer than the budget
            await asyncio.sleep(0)

    async def handshake() -> None:
        nonlocal entered
        async with slots.slot(quiet=True):
            entered += 1

    congestion = asyncio.create_task(congest())
    waiting = [asyncio.create_task(handshake()) for _ in range(5)]
    for _ in range(50):
        await asyncio.sleep(0)
    assert entered == 0
    congestion.cancel()
    await asyncio.gather(*waiting)
    assert entered == 5
