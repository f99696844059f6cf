"""The back-off throttle's own rules: doubling waits, forgetting, and bounded memory that
forgets calm keys before waiting ones (so a flood cannot wipe a wait)."""

from __future__ import annotations

from datetime import timedelta

from forecourt.services.throttle import BackOff, BackOffThrottle, requester_key
from tests.support.harness import SteppingClock

POLICY = BackOff(2, timedelta(seconds=10), timedelta(seconds=40), timedelta(minutes=5))


def test_waits_double_up_to_the_cap_and_are_forgotten_after_a_quiet_spell() -> None:
    clock = SteppingClock()
    throttle = BackOffThrottle(clock, POLICY, max_keys=10)
    assert [throttle.failed("a") for _ in range(5)] == [0, 0, 10, 20, 40]
    assert throttle.failed("a") == 40  # capped
    assert not throttle.admit("a")
    assert throttle.stats.refused == 1
    clock.advance(6 * 60)
    assert throttle.admit("a")
    assert throttle.failed("a") == 0  # a quiet spell starts afresh
    throttle.succeeded("a")
    assert len(throttle) == 0


def test_a_full_table_forgets_calm_keys_first() -> None:
    throttle = BackOffThrottle(SteppingClock(), POLICY, max_keys=3)
    for _ in range(3):
        throttle.failed("victim-of-a-guesser")  # now waiting
    for n in range(100):  # a flood of fresh keys, each failing once
        throttle.failed(f"fresh-{n}")
    assert len(throttle) == 3
    assert throttle.wait_s("victim-of-a-guesser") > 0
    assert throttle.stats.evicted == 98


def test_waiting_keys_go_only_when_all_are_waiting_oldest_first() -> None:
    throttle = BackOffThrottle(SteppingClock(), POLICY, max_keys=2)
    for key in ("first", "second", "third"):
        for _ in range(3):
            throttle.failed(key)
    assert throttle.wait_s("first") == 0  # forgotten: the oldest wait
    assert throttle.wait_s("second") > 0
    assert throttle.wait_s("third") > 0


def test_ipv6_requesters_are_keyed_by_their_64_network() -> None:
    assert requester_key("2001:db8:1:2:aaaa::1") == requester_key("2001:db8:1:2:bbbb::9")
    assert requester_key("2001:db8:1:2::1") == "2001:db8:1:2::/64"
    assert requester_key("2001:db8:1:3::1") != requester_key("2001:db8:1:2::1")
    assert requester_key("::ffff:192.0.2.7") == "192.0.2.7"
    assert requester_key("192.0.2.7") == "192.0.2.7"
    assert requester_key("") == ""
