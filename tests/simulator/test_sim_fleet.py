"""Fleet and load modes against the independent test CSMS."""

from __future__ import annotations

import asyncio

from forecourt.simulator import ProtocolVersion
from forecourt.simulator.fleet import FleetConfig, run_fleet, station_configs
from forecourt.simulator.load import LatencyStats, LoadConfig, run_load
from tests.simulator.simcsms import CsmsServer


def fast_fleet(url: str, **overrides: object) -> FleetConfig:
    config = FleetConfig(
        stations=3,
        protocol="mixed",
        url=url,
        prefix="FLT",
        speed=600.0,
        meter_interval_s=0.1,
        think_time_s=0.02,
        connect_stagger_s=0.05,
        mean_idle_s=0.1,
        include_chademo=True,
        seed=7,
    )
    for key, value in overrides.items():
        setattr(config, key, value)
    return config


def test_fleet_mixes_versions_and_connector_sets() -> None:
    configs = station_configs(fast_fleet("ws://127.0.0.1:1/ocpp", stations=6))
    assert [c.protocol for c in configs[:2]] == ["1.6", "2.0.1"]
    plugs = {plug for c in configs for evse in c.evses for plug in evse.connectors}
    assert plugs == {"nacs", "ccs1", "j1772", "chademo"}
    assert len({c.station_id for c in configs}) == 6


async def test_fleet_runs_sessions_until_stopped(csms: CsmsServer) -> None:
    events: list[str] = []
    stop = asyncio.Event()
    run = asyncio.create_task(run_fleet(fast_fleet(csms.url), stop=stop, on_event=events.append))
    await csms.recorder.wait_for("FLT-001", "StartTransaction", timeout=5)
    await csms.recorder.wait_for("FLT-002", "TransactionEvent", timeout=5)
    await csms.recorder.wait_for("FLT-003", "StartTransaction", timeout=5)
    stop.set()
    summary = await run
    assert summary.stations == 3
    assert summary.sessions >= 3
    assert summary.energy_wh > 0
    assert set(csms.connections) == {"FLT-001", "FLT-002", "FLT-003"}
    assert any("boot accepted" in line for line in events)


async def test_fleet_stops_by_itself_after_its_duration(csms: CsmsServer) -> None:
    summary = await asyncio.wait_for(run_fleet(fast_fleet(csms.url, stations=1, duration_s=0.3)), 5)
    assert summary.stations == 1


async def test_load_mode_measures_call_latency(csms: CsmsServer, protocol: ProtocolVersion) -> None:
    config = LoadConfig(
        stations=5,
        protocol=protocol,
        url=csms.url,
        rate_per_station_hz=20,
        duration_s=0.5,
        ramp_s=0.1,
    )
    stats = await run_load(config)
    assert stats.connected == 5
    assert stats.failed == 0
    assert stats.calls["BootNotification"] == 5
    assert stats.calls["Heartbeat"] > 0
    assert stats.calls["MeterValues"] > 0
    assert 0 < stats.p50_ms <= stats.p99_ms <= stats.max_ms
    assert stats.calls_per_s > 0


async def test_load_mode_counts_connection_failures() -> None:
    config = LoadConfig(stations=2, url="ws://127.0.0.1:9/ocpp", duration_s=0.2, ramp_s=0)
    stats = await run_load(config)
    assert stats.connected == 0
    assert stats.failed == 2


def test_latency_percentiles_use_nearest_rank() -> None:
    stats = LatencyStats()
    for ms in range(1, 101):
        stats.record("Heartbeat", ms / 1000)
    assert round(stats.p50_ms) == 50
    assert round(stats.p99_ms) == 99
    assert round(stats.max_ms) == 100
    assert LatencyStats().p99_ms == 0.0
