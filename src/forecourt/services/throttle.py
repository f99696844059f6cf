"""Back-off for repeated failures (sign-in, receipt look-ups), in bounded memory.

A key (an address, or an address and a username) may fail ``free_failures`` times; each
further failure makes it wait twice as long as the last, up to ``cap``. Waits are never a
lock an attacker can impose on someone else: callers key them by the requester's address.

Memory is bounded: at most ``max_keys`` keys are tracked. When full, a key that is not
waiting right now is forgotten first (least recently failed first); a waiting key is forgotten
only when every tracked key is waiting, and then the one that began waiting first. So a flood
of fresh keys cannot wipe the waits it is meant to run into.
"""

from __future__ import annotations

import ipaddress
from collections import OrderedDict
from dataclasses import dataclass
from datetime import datetime, timedelta

from forecourt.ports.clock import Clock


def requester_key(address: str) -> str:
    """What waits are keyed by: the IPv4 address, or the IPv6 /64 (one subscriber's
    network: rotating addresses inside it must not buy fresh tries)."""
    try:
        ip = ipaddress.ip_address(address)
    except ValueError:
        return address
    if isinstance(ip, ipaddress.IPv6Address):
        if ip.ipv4_mapped is not None:
            return str(ip.ipv4_mapped)
        return str(ipaddress.ip_network(f"{ip}/64", strict=False))
    return str(ip)


@dataclass(frozen=True, slots=True)
class BackOff:
    free_failures: int  # failures tolerated before any wait
    first_wait: timedelta  # the wait after one failure too many; doubles with each further one
    cap: timedelta  # the longest wait
    forget_after: timedelta  # a key that did not fail for this long starts afresh


@dataclass(slots=True)
class _Record:
    failures: int
    last_failure: datetime
    wait_until: datetime


@dataclass(slots=True)
class ThrottleStats:
    failures: int = 0  # failures recorded
    refused: int = 0  # attempts refused because the key was waiting
    waits_started: int = 0  # times a key began to wait
    evicted: int = 0  # keys forgotten to stay within max_keys


class BackOffThrottle:
    def __init__(self, clock: Clock, policy: BackOff, max_keys: int) -> None:
        self._clock = clock
        self._policy = policy
        self._max_keys = max_keys
        self._calm: OrderedDict[str, _Record] = OrderedDict()  # not waiting when last failed
        self._waiting: OrderedDict[str, _Record] = OrderedDict()  # began waiting, oldest first
        self.stats = ThrottleStats()

    def __len__(self) -> int:
        return len(self._calm) + len(self._waiting)

    def wait_s(self, key: str) -> float:
        """Seconds before ``key`` may try again (0: now)."""
        record = self._calm.get(key) or self._waiting.get(key)
        if record is None:
            return 0.0
        return max(0.0, (record.wait_until - self._clock.now()).total_seconds())

    def admit(self, key: str) -> bool:
        """May ``key`` try now? A refusal is counted (metrics)."""
        if self.wait_s(key) > 0:
            self.stats.refused += 1
            return False
        return True

    def failed(self, key: str) -> float:
        """Record a failure; the wait it causes in seconds (0: none)."""
        now = self._clock.now()
        self.stats.failures += 1
        record = self._calm.pop(key, None) or self._waiting.pop(key, None)
        if record is None or now - record.last_failure > self._policy.forget_after:
            record = _Record(0, now, now)
        record.failures += 1
        record.last_failure = now
        excess = record.failures - self._policy.free_failures
        if excess <= 0:
            self._keep(key, record, self._calm)
            return 0.0
        wait: timedelta = min(self._policy.cap, self._policy.first_wait * 2 ** min(excess - 1, 30))
        record.wait_until = now + wait
        self.stats.waits_started += 1
        self._keep(key, record, self._waiting)
        return wait.total_seconds()

    def succeeded(self, key: str) -> None:
        self._calm.pop(key, None)
        self._waiting.pop(key, None)

    def _keep(self, key: str, record: _Record, into: OrderedDict[str, _Record]) -> None:
        while len(self) >= self._max_keys:
            victims = self._calm or self._waiting
            victims.popitem(last=False)
            self.stats.evicted += 1
        into[key] = record
