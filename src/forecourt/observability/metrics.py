"""Prometheus metrics, on a registry of our own so several apps can live in one process."""

from __future__ import annotations

import gc
from collections.abc import Awaitable, Callable, Iterator, Mapping

from prometheus_client import CollectorRegistry, Counter, Gauge, Histogram, generate_latest
from prometheus_client.core import CounterMetricFamily, GaugeMetricFamily, Metric
from prometheus_client.registry import Collector

from forecourt.services.throttle import BackOffThrottle


class Metrics:
    def __init__(self) -> None:
        self.registry = CollectorRegistry()
        self.connected_stations = Gauge(
            "forecourt_connected_stations",
            "Stations with an open OCPP connection",
            registry=self.registry,
        )
        self.active_transactions = Gauge(
            "forecourt_active_transactions", "Transactions not yet ended", registry=self.registry
        )
        self.messages = Counter(
            "forecourt_ocpp_messages_total",
            "OCPP messages by action, direction and outcome",
            ["action", "direction", "outcome"],
            registry=self.registry,
        )
        self.latency = Histogram(
            "forecourt_ocpp_message_seconds",
            "Time to handle an inbound CALL or to get the answer to an outbound one",
            ["action", "direction"],
            buckets=(0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30),
            registry=self.registry,
        )
        # the same label sets as prometheus keeps itself, so no more entries than it has
        self._message_children: dict[tuple[str, str, str], tuple[Counter, Histogram]] = {}
        self.registrations_refused = Counter(
            "forecourt_station_registrations_refused_total",
            "Handshakes of unknown stations refused: invalid_id, id_case_clash, pending_full",
            ["reason"],
            registry=self.registry,
        )

        self.gc_frozen = Gauge(
            "forecourt_gc_frozen_objects",
            "Objects moved out of the garbage collector's reach after start-up (gc.freeze)",
            registry=self.registry,
        )
        self.gateway_refused = Counter(
            "forecourt_gateway_refused_total",
            "Station connections refused at the edge, by reason",
            ["reason"],
            registry=self.registry,
        )
        self.gateway_timeouts = Counter(
            "forecourt_gateway_timeouts_total",
            "Sockets closed for being slow: request_head, handshake, first_message",
            ["stage"],
            registry=self.registry,
        )
        self.gateway_throttled = Counter(
            "forecourt_gateway_login_backoffs_total",
            "Login back-offs started after failed passwords, by scope (address, station)",
            ["scope"],
            registry=self.registry,
        )

    def refused(self, reason: str) -> None:
        """EdgeObserver hooks, called by the websocket edge."""
        self.gateway_refused.labels(reason).inc()

    def timed_out(self, stage: str) -> None:
        self.gateway_timeouts.labels(stage).inc()

    def throttled(self, scope: str) -> None:
        self.gateway_throttled.labels(scope).inc()

    def message(self, action: str, direction: str, outcome: str, seconds: float) -> None:
        """SessionObserver hook, called by every OCPP session: the label children are looked
        up once per combination (``labels()`` validates and locks on every call)."""
        key = (action, direction, outcome)
        children = self._message_children.get(key)
        if children is None:
            children = (self.messages.labels(*key), self.latency.labels(action, direction))
            self._message_children[key] = children
        children[0].inc()
        children[1].observe(seconds)

    def registration_refused(self, reason: str) -> None:
        """GatewayObserver hook: an unknown station could not register."""
        self.registrations_refused.labels(reason).inc()

    async def render(
        self, connected: Callable[[], int], active: Callable[[], Awaitable[int]]
    ) -> bytes:
        """Gauges are read at scrape time, so they are right after a restart too."""
        self.connected_stations.set(connected())
        self.active_transactions.set(await active())
        self.gc_frozen.set(gc.get_freeze_count())
        return generate_latest(self.registry)


class ThrottleCollector(Collector):
    """Back-off throttles (sign-in, receipt look-ups) read at scrape time."""

    def __init__(self, throttles: Mapping[str, BackOffThrottle]) -> None:
        self._throttles = throttles

    def collect(self) -> Iterator[Metric]:
        counters = {
            "failures": "Failures recorded",
            "refused": "Attempts refused while the requester had to wait",
            "waits_started": "Times a requester began to wait",
            "evicted": "Keys forgotten to keep memory bounded",
        }
        for field, text in counters.items():
            family = CounterMetricFamily(f"forecourt_throttle_{field}", text, labels=["throttle"])
            for name, throttle in self._throttles.items():
                family.add_metric([name], getattr(throttle.stats, field))
            yield family
        tracked = GaugeMetricFamily(
            "forecourt_throttle_tracked_keys", "Keys tracked now", labels=["throttle"]
        )
        for name, throttle in self._throttles.items():
            tracked.add_metric([name], len(throttle))
        yield tracked


class OutboxCollector(Collector):
    """Events committed and not yet delivered (the outbox relay, ADR 0012), read at scrape."""

    def __init__(self, lag: Callable[[], tuple[int, float]], delivered: Callable[[], int]) -> None:
        self._lag = lag
        self._delivered = delivered

    def collect(self) -> Iterator[Metric]:
        yield CounterMetricFamily(
            "forecourt_outbox_delivered_events",
            "Events the outbox relay delivered (recovered after a crash included)",
            value=self._delivered(),
        )
        pending, oldest = self._lag()
        yield GaugeMetricFamily(
            "forecourt_outbox_pending_events",
            "Events committed and not yet delivered to their consumers",
            value=pending,
        )
        yield GaugeMetricFamily(
            "forecourt_outbox_lag_seconds",
            "Age of the oldest event committed and not yet delivered",
            value=oldest,
        )
