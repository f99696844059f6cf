"""OCPI in Prometheus (``/metrics``), read at scrape time from the slice's ``OcpiStats``."""

from __future__ import annotations

from collections.abc import Iterator

from prometheus_client.core import CounterMetricFamily, GaugeMetricFamily, Metric
from prometheus_client.registry import Collector

from forecourt.ocpi.services.stats import OcpiStats


class OcpiCollector(Collector):
    def __init__(self, stats: OcpiStats) -> None:
        self._stats = stats

    def collect(self) -> Iterator[Metric]:
        pushes = CounterMetricFamily(
            "forecourt_ocpi_pushes",
            "Objects sent to OCPI parties (status, tariffs, terminals, CommandResults), by "
            "module and outcome (a failed attempt is retried with back-off)",
            labels=["module", "outcome"],
        )
        for (module, outcome), n in sorted(self._stats.pushes.items()):
            pushes.add_metric([module, outcome], n)
        yield pushes
        requests = CounterMetricFamily(
            "forecourt_ocpi_requests",
            "OCPI requests we answered, by module and OCPI status code",
            labels=["module", "status_code"],
        )
        for (module, code), n in sorted(self._stats.requests.items()):
            requests.add_metric([module, str(code)], n)
        yield requests
        depth = GaugeMetricFamily(
            "forecourt_ocpi_push_queue_depth",
            "Objects waiting in the OCPI push queue, by module",
            labels=["module"],
        )
        for module, n in sorted(self._stats.queue_depth.items()):
            depth.add_metric([module], n)
        yield depth
