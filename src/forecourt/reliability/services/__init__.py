"""Reliability: "up when you arrive".

``Reliability`` bundles the feature's services: the monitor (event-driven detectors and port
timelines), the ticket desk, alerts, remediation, reports (NEVI uptime, KPIs, exports) and
the public status drivers see. ``start()`` subscribes to the bus; ``stop()`` unsubscribes
and flushes what is still queued.
"""

from __future__ import annotations

from forecourt.ports.delivery import AlertTransport
from forecourt.reliability.services.alerts import AlertDispatcher
from forecourt.reliability.services.config import ReliabilityConfig
from forecourt.reliability.services.monitor import ReliabilityMonitor
from forecourt.reliability.services.remediation import Remediator
from forecourt.reliability.services.reports import ReliabilityReports
from forecourt.reliability.services.status import PublicStatus
from forecourt.reliability.services.tickets import TicketDesk
from forecourt.reliability.services.vehicles import (
    DriverCarsLookup,
    VehicleIdentification,
    no_driver_cars,
)
from forecourt.reliability.services.writer import DecisionWriter
from forecourt.services.context import ServiceContext
from forecourt.services.remote_control import RemoteControl

__all__ = ["Reliability"]


class Reliability:
    def __init__(
        self,
        ctx: ServiceContext,
        remote: RemoteControl,
        transport: AlertTransport | None = None,
        driver_cars: DriverCarsLookup = no_driver_cars,
    ) -> None:
        self.config = ReliabilityConfig(ctx)
        self.tickets = TicketDesk(ctx, self.config)
        self.alerts = AlertDispatcher(ctx, self.config, transport)
        self.remediation = Remediator(ctx, remote)
        self.writer = DecisionWriter(ctx, self.tickets, self.alerts, self.remediation)
        self.monitor = ReliabilityMonitor(ctx, self.config, self.writer)
        self.reports = ReliabilityReports(ctx, self.config, driver_cars)
        self.public = PublicStatus(ctx, self.monitor)
        self.vehicles = VehicleIdentification(ctx, driver_cars)  # + compat's "my car"
        self.running = False

    async def start(self) -> None:
        """Load settings, resume open timelines, subscribe to events, start the loops."""
        if self.running:
            return
        await self.config.load()
        await self.tickets.load()
        await self.monitor.start()
        self.alerts.start()
        self.running = True

    async def stop(self) -> None:
        """Idempotent; also ends the writer a test or the CLI started without ``start()``."""
        self.running = False
        await self.monitor.stop()
        await self.writer.stop()
        await self.remediation.stop()
        await self.alerts.stop()

    async def settle(self) -> None:
        """Wait until every decision made so far is persisted (tests, CLI)."""
        await self.writer.drain()
