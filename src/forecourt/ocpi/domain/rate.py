"""A per-client token bucket, in bounded memory (the public feed's rate limit)."""

from __future__ import annotations

from collections import OrderedDict


class RateLimit:
    """``rate`` requests per second per key, bursts of up to ``burst``; ``now`` in seconds
    (a monotonic clock). At most ``max_keys`` keys: the least recently seen is forgotten."""

    def __init__(self, rate: float, burst: int, max_keys: int = 10_000) -> None:
        self._rate = rate
        self._burst = float(burst)
        self._max_keys = max_keys
        self._buckets: OrderedDict[str, tuple[float, float]] = OrderedDict()  # tokens, at
        self.refused = 0

    def admit(self, key: str, now: float) -> bool:
        tokens, at = self._buckets.pop(key, (self._burst, now))
        tokens = min(self._burst, tokens + (now - at) * self._rate)
        admitted = tokens >= 1.0
        self._buckets[key] = (tokens - 1.0 if admitted else tokens, now)
        while len(self._buckets) > self._max_keys:
            self._buckets.popitem(last=False)
        if not admitted:
            self.refused += 1
        return admitted
