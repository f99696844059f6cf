"""A fleet of simulated stations for demos and soak tests.

Stations get a realistic US forecourt mix (a DC dispenser with NACS + CCS1 cables, a level-2
AC post with J1772, optionally a CHAdeMO dispenser), connect staggered with jitter (no
thundering herd), and every EVSE starts sessions at random with a random vehicle.
"""

from __future__ import annotations

import asyncio
import contextlib
import dataclasses
import random
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Literal

from forecourt.simulator.config import (
    EvseConfig,
    ProtocolVersion,
    StationConfig,
    ac_post,
    chademo_dispenser,
    dc_dispenser,
)
from forecourt.simulator.station import SimulatedStation

FleetProtocol = ProtocolVersion | Literal["mixed"]


@dataclass
class FleetConfig:
    stations: int = 3
    protocol: FleetProtocol = "1.6"  # "mixed" alternates 1.6 and 2.0.1
    url: str = "ws://127.0.0.1:9000/ocpp"
    password: str | None = None
    prefix: str = "SIM"
    speed: float = 30.0
    meter_interval_s: float = 10.0
    think_time_s: float = 1.0
    connect_stagger_s: float = 0.5  # mean gap between two stations connecting
    mean_idle_s: float = 30.0  # mean real time an EVSE stays free between sessions
    include_chademo: bool = False
    duration_s: float | None = None  # None: until ``stop`` is set
    seed: int | None = None
    id_tags: list[str] = field(default_factory=lambda: [f"FLEETTAG{i:04d}" for i in range(20)])
    # EVSEs ("STATION/EVSE") no simulated driver uses: free for a person to try (remote starts
    # from the CSMS, e.g. after paying by card, still charge a simulated car there)
    keep_free: frozenset[str] = frozenset()
    card_terminal: bool = False  # 2.1 stations: a card terminal at each dispenser (C18)
    card_decline_rate: float = 0.0
    signed_meter: bool = False  # 2.0.1/2.1 stations sign their start and end readings (OCMF)
    # Security profile 3: ID.pem/ID.key per station (what `forecourt pki issue --out` writes)
    client_cert_dir: str | None = None
    ca_file: str | None = None  # trusted for a wss:// CSMS


@dataclass
class FleetSummary:
    stations: int
    sessions: int
    energy_wh: float


def _layout(index: int, include_chademo: bool) -> tuple[str, list[EvseConfig]]:
    """Station ``index``'s model and EVSEs, cycling through a typical site mix."""
    if index % 3 == 0:
        return "SimDC-150", [dc_dispenser(), dc_dispenser()]
    if index % 3 == 1:
        return "SimAC-L2", [ac_post(), ac_post()]
    if include_chademo:
        return "SimDC-CHA", [dc_dispenser(350_000.0, ("nacs", "ccs1")), chademo_dispenser()]
    return "SimDC-350", [dc_dispenser(350_000.0, ("nacs", "ccs1"))]


def station_configs(config: FleetConfig) -> list[StationConfig]:
    configs = []
    for index in range(config.stations):
        model, evses = _layout(index, config.include_chademo)
        protocol: ProtocolVersion = (
            ("1.6", "2.0.1")[index % 2] if config.protocol == "mixed" else config.protocol
        )
        station_id = f"{config.prefix}-{index + 1:03d}"
        configs.append(
            StationConfig(
                station_id=station_id,
                protocol=protocol,
                url=config.url,
                password=config.password,
                model=model,
                serial=f"SN{station_id}"[:25],
                evses=evses,
                id_tags=list(config.id_tags),
                meter_interval_s=config.meter_interval_s,
                speed=config.speed,
                think_time_s=config.think_time_s,
                card_terminal=config.card_terminal and protocol == "2.1",
                card_decline_rate=config.card_decline_rate,
                signed_meter=config.signed_meter and protocol != "1.6",
                client_cert=_certificate_file(config, station_id, "pem"),
                client_key=_certificate_file(config, station_id, "key"),
                ca_file=config.ca_file,
            )
        )
    return configs


class Fleet:
    def __init__(
        self, config: FleetConfig, *, on_event: Callable[[str], None] | None = None
    ) -> None:
        self.config = config
        self._rng = random.Random(config.seed)
        self.stations = [
            SimulatedStation(station, on_event=on_event, seed=self._rng.randrange(2**32))
            for station in station_configs(config)
        ]

    async def run(self, stop: asyncio.Event | None = None) -> FleetSummary:
        stop = stop or asyncio.Event()
        tasks = [
            asyncio.create_task(self._run_station(i, s, stop)) for i, s in enumerate(self.stations)
        ]
        try:
            await _wait_until(stop, self.config.duration_s)
        finally:
            stop.set()
            await asyncio.gather(*tasks, return_exceptions=True)
            await asyncio.gather(*(s.stop() for s in self.stations), return_exceptions=True)
        return self.summary()

    def summary(self) -> FleetSummary:
        sessions = [session for station in self.stations for session in station.sessions]
        energy = sum(session.energy_wh for session in sessions)
        return FleetSummary(len(self.stations), len(sessions), energy)

    async def _run_station(
        self, index: int, station: SimulatedStation, stop: asyncio.Event
    ) -> None:
        delay = index * self.config.connect_stagger_s * self._rng.uniform(0.5, 1.5)
        if await _wait_until(stop, delay):
            return
        await station.start()
        station_id = station.config.station_id
        drivers = [
            self._drive(station, evse.evse_id, stop)
            for evse in station.evses
            if f"{station_id}/{evse.evse_id}" not in self.config.keep_free
        ]
        await asyncio.gather(*drivers)

    async def _drive(self, station: SimulatedStation, evse_id: int, stop: asyncio.Event) -> None:
        """Vehicles arrive at one EVSE at random (exponential gaps) until ``stop``."""
        while not await _wait_until(stop, self._rng.expovariate(1 / self.config.mean_idle_s)):
            if not station.is_online:
                continue  # drivers still come, but a station that never booted is no use
            evse = station.evse(evse_id)
            vehicle = dataclasses.replace(
                station.pick_vehicle(evse),
                start_soc=round(self._rng.uniform(10, 50)),
                target_soc=round(self._rng.uniform(70, 95)),
            )
            session = station.start_session(evse_id, vehicle=vehicle)
            if session is not None:
                ended = asyncio.create_task(session.ended.wait())
                stopping = asyncio.create_task(stop.wait())
                await asyncio.wait({ended, stopping}, return_when=asyncio.FIRST_COMPLETED)
                for task in (ended, stopping):
                    task.cancel()


async def run_fleet(
    config: FleetConfig,
    *,
    stop: asyncio.Event | None = None,
    on_event: Callable[[str], None] | None = None,
) -> FleetSummary:
    """Run a fleet until ``stop`` is set (or ``config.duration_s`` passes)."""
    return await Fleet(config, on_event=on_event).run(stop)


async def _wait_until(stop: asyncio.Event, timeout: float | None) -> bool:
    """Sleep up to ``timeout`` seconds (forever if None); True if ``stop`` was set."""
    with contextlib.suppress(TimeoutError):
        await asyncio.wait_for(stop.wait(), timeout)
    return stop.is_set()


def _certificate_file(config: FleetConfig, station_id: str, suffix: str) -> str | None:
    folder = config.client_cert_dir
    return f"{folder}/{station_id}.{suffix}" if folder else None
