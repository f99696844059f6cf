"""Cluster gauges for /metrics, read from the presence snapshot at scrape time."""

from __future__ import annotations

from collections.abc import Callable, Iterator

from prometheus_client.core import CounterMetricFamily, GaugeMetricFamily, Metric
from prometheus_client.registry import Collector

from forecourt.cluster.status import ClusterStatus


class ClusterCollector(Collector):
    def __init__(self, status: Callable[[], ClusterStatus]) -> None:
        self._status = status

    def collect(self) -> Iterator[Metric]:
        status = self._status()
        up = GaugeMetricFamily("forecourt_cluster_nats_connected", "1 while NATS is reachable")
        up.add_metric([], 1.0 if status.nats_connected else 0.0)
        yield up
        alive = GaugeMetricFamily(
            "forecourt_cluster_node_alive", "1 while the node renews its lease", labels=["node"]
        )
        age = GaugeMetricFamily(
            "forecourt_cluster_node_lease_age_seconds",
            "Seconds since the node last renewed its lease",
            labels=["node"],
        )
        held = GaugeMetricFamily(
            "forecourt_cluster_node_stations",
            "Stations whose socket the node holds",
            labels=["node"],
        )
        for node in status.nodes:
            alive.add_metric([node.node_id], 1.0 if node.alive else 0.0)
            age.add_metric([node.node_id], node.lease_age_s)
            held.add_metric([node.node_id], float(len(node.stations)))
        yield from (alive, age, held)
        orphaned = GaugeMetricFamily(
            "forecourt_cluster_orphaned_stations", "Stations held by a dead node, not yet released"
        )
        orphaned.add_metric([], float(len(status.orphaned)))
        yield orphaned
        lag = GaugeMetricFamily(
            "forecourt_cluster_consumer_lag",
            "Events in the stream this node's consumer has not handled yet",
            labels=["consumer", "delivery", "active"],
        )
        handled = CounterMetricFamily(
            "forecourt_cluster_consumer_handled_events",
            "Events this node's consumer handled since the node started",
            labels=["consumer", "delivery"],
        )
        skipped = CounterMetricFamily(
            "forecourt_cluster_consumer_skipped_events",
            "Redeliveries of events already handled that this node's consumer skipped",
            labels=["consumer", "delivery"],
        )
        for consumer in status.consumers:
            labels = [consumer.name, consumer.delivery, "1" if consumer.active else "0"]
            lag.add_metric(labels, float(consumer.lag))
            handled.add_metric(labels[:2], float(consumer.handled))
            skipped.add_metric(labels[:2], float(consumer.skipped))
        yield from (lag, handled, skipped)
