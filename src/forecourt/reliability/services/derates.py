"""Live derates for the compatibility service, from the reliability monitor.

The monitor sees, session after session, whether a port delivers less than it should (the
station lowering Power.Offered, or a lost power module): its ``PortView.limited`` and
``capability_w``.  Drivers then get estimates at that power, with the reason.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Protocol

from forecourt.ports.derates import EVSE_WIDE, ConnectorRef, Derate
from forecourt.reliability.domain.watch import PortView

REASON = "charging slower than rated in recent sessions (derated or a power module lost)"


class StationPorts(Protocol):
    """What the monitor keeps per station (``reliability.domain.watch.StationWatch``)."""

    @property
    def ports(self) -> Mapping[int, object]: ...

    def view(self, evse_id: int) -> PortView | None: ...


class PortMonitor(Protocol):
    """``reliability.services.monitor.ReliabilityMonitor``, as far as derates need it."""

    def watch(self, station_id: str) -> StationPorts | None: ...


class ReliabilityDerates:
    """A :class:`~forecourt.ports.derates.DerateSource` over the reliability monitor."""

    def __init__(self, monitor: PortMonitor) -> None:
        self._monitor = monitor

    async def derates(self, station_ids: Sequence[str]) -> Mapping[ConnectorRef, Derate]:
        found: dict[ConnectorRef, Derate] = {}
        for station_id in station_ids:
            watch = self._monitor.watch(station_id)
            if watch is None:
                continue
            for evse_id in watch.ports:
                view = watch.view(evse_id)
                if view is not None and view.limited and view.capability_w:
                    ref = ConnectorRef(station_id, evse_id, EVSE_WIDE)
                    found[ref] = Derate(view.capability_w, REASON)
        return found
