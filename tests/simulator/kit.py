"""Shared helpers for the simulator tests: fast station settings and test vehicles."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from forecourt.simulator import ProtocolVersion, SimulatedStation, VehicleProfile

StationFactory = Callable[..., SimulatedStation]

# A top-up that ends by itself within a second of test time, and a session that does not.
SHORT_TOP_UP = VehicleProfile("test car", battery_kwh=10, start_soc=50, target_soc=60)
LONG_SESSION = VehicleProfile("test truck", battery_kwh=200, start_soc=10, target_soc=95)

FAST: dict[str, Any] = {
    "meter_interval_s": 0.1,
    "heartbeat_interval_s": 1.0,
    "speed": 120.0,
    "think_time_s": 0.02,
    "call_timeout_s": 2.0,
    "boot_retry_s": 0.2,
    "reconnect_delay_s": 0.05,
    "reboot_delay_s": 0.05,
    "id_tags": ["TAG-0001"],
}


async def ready_station(
    make_station: StationFactory, protocol: ProtocolVersion, **overrides: Any
) -> SimulatedStation:
    """A started station that has booted and announced its connectors."""
    station = make_station(protocol, **overrides)
    await station.start()
    await station.wait_ready(30)
    return station
