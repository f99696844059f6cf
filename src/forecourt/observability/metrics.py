"""Prometheus metrics, on a registry of our own so several apps can live in one process."""

from __future__ import annotations

import gc
from collections.abc import Awaitable, Callable

from prometheus_client import CollectorRegistry, Counter, Gauge, Histogram, generate_latest


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
        """SessionObserver hook, called by every OCPP session."""
        self.messages.labels(action, direction, outcome).inc()
        self.latency.labels(action, direction).observe(seconds)

    async def render(
        self, connected: Callable[[], int], active: Callable[[], Awaitable[int]]
    ) -> bytes:
        """Gauges are read at scrape time, so they are right after a restart too."""
        self.connected_stations.set(connected())
        self.active_transactions.set(await active())
        self.gc_frozen.set(gc.get_freeze_count())
        return generate_latest(self.registry)
