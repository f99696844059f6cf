"""Simulated charging stations and vehicles speaking real OCPP-J over a real websocket.

An independent peer of the CSMS: it imports nothing from the rest of ``forecourt``, has its
own OCPP-J framing (``rpc.py``) and talks to the server only over the wire (import-linter
enforces this).

One station::

    config = StationConfig("SIM-001", protocol="2.0.1", url="ws://127.0.0.1:9000/ocpp")
    async with SimulatedStation(config) as station:     # connects to {url}/{station_id}
        await station.wait_ready(timeout=10)            # booted, statuses announced
        session = station.start_session(1)              # plug in + tap a card
        await session.wait_ended()

Layout: ``config`` (what a station is), ``physics`` (vehicle and power model), ``session``
(neutral runtime state), ``charging`` (one session, version-neutral), ``uplink`` (connect,
boot, heartbeat, ordered outbox), ``v16`` / ``v201`` + ``v201_calls`` (each version's
messages and CSMS-initiated calls, mapped from neutral enums by total tables), ``station``
(public API), ``fleet`` and ``load`` (many stations).

Conventions worth knowing:

* OCPP 1.6 has one connector per EVSE: 1.6 ``connectorId`` N is EVSE N (0 = station).
* Energy registers are lifetime counters per EVSE, never reset by a session or a reboot.
* Timestamps are real UTC wall-clock with milliseconds; ``speed`` scales only the energy.
* AC sessions (J1772 / Type 2) report no SoC: those plugs do not carry it.
* Transaction messages go through an outbox that survives disconnects and reboots and is
  sent strictly in order; everything else is sent only while online.
* Fault knobs: :class:`StationFaults` (``station.faults``) and :class:`EvseFaults`
  (``station.evse(n).config.faults``), both mutable at runtime.
"""

from forecourt.simulator.config import (
    ConnectorType,
    EvseConfig,
    EvseFaults,
    ProtocolVersion,
    StationConfig,
    StationFaults,
    ac_post,
    chademo_dispenser,
    dc_dispenser,
)
from forecourt.simulator.fleet import Fleet, FleetConfig, FleetSummary, run_fleet
from forecourt.simulator.load import LatencyStats, LoadConfig, run_load
from forecourt.simulator.physics import VEHICLES, VehicleProfile
from forecourt.simulator.rpc import ConnectionLost, OcppCallError
from forecourt.simulator.session import ChargingSession, ConnectorStatus, StopCause
from forecourt.simulator.station import SimulatedStation

__all__ = [
    "VEHICLES",
    "ChargingSession",
    "ConnectionLost",
    "ConnectorStatus",
    "ConnectorType",
    "EvseConfig",
    "EvseFaults",
    "Fleet",
    "FleetConfig",
    "FleetSummary",
    "LatencyStats",
    "LoadConfig",
    "OcppCallError",
    "ProtocolVersion",
    "SimulatedStation",
    "StationConfig",
    "StationFaults",
    "StopCause",
    "VehicleProfile",
    "ac_post",
    "chademo_dispenser",
    "dc_dispenser",
    "run_fleet",
    "run_load",
]
