"""The reliability monitor: listens to the event bus and keeps one ``StationWatch`` per station.

Every event is handled synchronously and in arrival order (no await before the in-memory
state is updated), so detectors see events exactly as they happened; the resulting decisions
go to the single ``DecisionWriter``. Detectors never rescan history: a timer only looks at
in-memory clocks (offline for how long, silent for how long).

In cluster mode the monitor is a leased singleton (ADR 0012): its events go to the node that
holds its lease, and only that node ticks, marks stations offline at its start and saves
baselines, so each port-minute of the timeline is written by one node. A node that takes the
lease over reloads the timeline's open intervals first: its memory missed the events in between.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Callable
from datetime import datetime
from typing import Any

from forecourt.domain.connectors import PowerType
from forecourt.domain.events import DomainEvent
from forecourt.domain.stations import Station
from forecourt.ports.events import lease_name
from forecourt.reliability.domain.baselines import StationBaseline
from forecourt.reliability.domain.detectors.certificate import CERTIFICATE_TOPICS
from forecourt.reliability.domain.model import PortRef
from forecourt.reliability.domain.sessions import PowerSample, SessionEnd
from forecourt.reliability.domain.thresholds import Thresholds
from forecourt.reliability.domain.watch import (
    Decisions,
    PortSpec,
    PortView,
    StationProfile,
    StationWatch,
)
from forecourt.reliability.ports import RELIABILITY_STORE
from forecourt.reliability.services.config import ReliabilityConfig, ReliabilitySettings
from forecourt.reliability.services.writer import Batch, DecisionWriter
from forecourt.services.context import ServiceContext

log = logging.getLogger("forecourt.reliability")

Handler = Callable[[StationWatch, DomainEvent, Decisions], None]
TOPICS = (
    *("connector.status", "transaction.", "station.", "command.completed", "link."),
    "device.event",
    "smart_charging.exceeded",  # smart charging's verification (no import: its event only)
    "pki.",  # the PKI's expiry watch (no import either)
)


class ReliabilityMonitor:
    def __init__(
        self, ctx: ServiceContext, config: ReliabilityConfig, writer: DecisionWriter
    ) -> None:
        self._ctx = ctx
        self._config = config
        self._writer = writer
        self._watches: dict[str, StationWatch] = {}
        self._unsubscribe: list[Callable[[], None]] = []
        self._tick: asyncio.Task[None] | None = None
        self._refreshes: set[asyncio.Task[None]] = set()
        self._saved: dict[str, StationBaseline] = {}  # baselines as last stored
        self._lease = ctx.leases(lease_name(self._on_event))  # the bus's lease of its events
        self.active = False  # this node holds the lease: it ticks and writes
        self.passes = 0  # tick-loop passes, held or not (tests wait for them, never sleep)
        self.events_seen = 0
        config.on_change(self._settings_changed)
        self._handlers: dict[str, Handler] = {
            "connector.status": _status,
            "transaction.started": _started,
            "transaction.updated": _updated,
            "transaction.ended": _ended,
            "station.connected": _connected,
            "station.disconnected": _disconnected,
            "command.completed": _command,
            "device.event": _device_event,
            "smart_charging.exceeded": _profile_exceeded,
            **dict.fromkeys(CERTIFICATE_TOPICS, _certificate),
        }

    # -- lifecycle ---------------------------------------------------------------------------
    async def start(self) -> None:
        if self._unsubscribe:
            return
        self.active = await self._lease.held()  # one node: always
        await self._load()
        if self.active:  # at the process start no station is connected: offline until back
            now = self._ctx.clock.now()
            for watch in self._watches.values():
                if watch.ports:
                    out = Decisions()
                    watch.disconnected(now, out)
                    self._submit(watch, out)
        for topic in TOPICS:
            # its state is in memory: in cluster mode one node, the lease holder, consumes
            self._unsubscribe.append(self._ctx.bus.subscribe(topic, self._on_event, "leased"))
        self._tick = asyncio.create_task(self._tick_loop(), name="periodic:reliability-tick")

    async def stop(self) -> None:
        for unsubscribe in self._unsubscribe:
            unsubscribe()
        self._unsubscribe.clear()
        tasks = [t for t in (self._tick, *self._refreshes) if t is not None]
        for task in tasks:
            task.cancel()
        await asyncio.gather(*tasks, return_exceptions=True)
        self._tick = None
        if self.active:
            await self.save_baselines()

    async def _load(self) -> None:
        """The stations, their learned baselines and the timeline's open intervals, from
        storage (at start, and again when this node takes the lease over)."""
        async with self._ctx.uow() as uow:
            stations = await uow.stations.list()
            store = uow.repository(RELIABILITY_STORE)
            open_intervals = await store.intervals.open_intervals()
            baselines = await store.baselines.all()
        self._watches.clear()
        self._saved.clear()
        for station in stations:
            self._watch(station.id, refresh=False).update_profile(*self._profile(station))
        for baseline in baselines:  # learned before the restart: not relearned for days
            self._watch(baseline.station_id, refresh=False).restore(baseline)
            self._saved[baseline.station_id] = baseline
        for interval in open_intervals:
            watch = self._watch(interval.port.station_id)
            watch.resume(interval.port.evse_id, interval.start, interval.conditions)

    async def _holds_lease(self) -> bool:
        """Whether this node runs the monitor now; on taking it over, reload first."""
        held = await self._lease.held()
        if held and not self.active:
            await self._load()
            log.info("reliability monitor active on this node")
        self.active = held
        return held

    async def save_baselines(self) -> int:
        """Store the baselines that changed since last time (each tick, and at stop)."""
        changed = [
            baseline
            for baseline in (watch.baseline() for watch in self._watches.values())
            if self._saved.get(baseline.station_id) != baseline
        ]
        if changed:
            async with self._ctx.uow() as uow:
                await uow.repository(RELIABILITY_STORE).baselines.save(
                    changed, self._ctx.clock.now()
                )
                await uow.commit()
            self._saved.update((baseline.station_id, baseline) for baseline in changed)
        return len(changed)

    # -- events --------------------------------------------------------------------------------
    async def _on_event(self, event: DomainEvent) -> None:
        if not self.active:  # the first event after a takeover: reload what we missed
            await self._holds_lease()
        self.handle(event)  # synchronous on purpose: see the module docstring

    def handle(self, event: DomainEvent) -> None:
        self.events_seen += 1
        watch = self._watch(event.station_id)
        out = Decisions()
        handler = self._handlers.get(event.topic)
        if handler is not None:
            handler(watch, event, out)
        elif event.topic.startswith(("station.", "link.")):  # heartbeat, boot, records
            watch.heard(event.at, out)
        if event.topic in ("station.connected", "station.booted"):
            if event.station is not None:  # as the publisher just read or wrote it
                watch.update_profile(*self._profile(event.station))
            else:
                self._refresh_later(event.station_id)
        drift = self._ctx.drift.last_drift(event.station_id)
        if drift is not None:
            watch.clock_drift(drift, event.at, out)
        self._submit(watch, out)

    def tick(self, now: datetime | None = None) -> None:
        """Let time-based detectors look at the clock (the loop calls this every tick_s)."""
        moment = now or self._ctx.clock.now()
        for watch in self._watches.values():
            out = Decisions()
            watch.tick(moment, out)
            self._submit(watch, out)

    async def _tick_loop(self) -> None:
        while True:
            await asyncio.sleep(self._config.current.defaults.tick_s)
            try:
                if await self._holds_lease():  # else another node writes the timeline
                    self.tick()
                    await self.save_baselines()
            except Exception:
                log.exception("reliability tick failed")
            self.passes += 1

    def _submit(self, watch: StationWatch, out: Decisions) -> None:
        if out:
            profile = watch.profile
            self._writer.submit(Batch(profile.station_id, profile.site_id, watch.limits, out))

    # -- stations --------------------------------------------------------------------------------
    def view(self, station_id: str, evse_id: int) -> PortView | None:
        watch = self._watches.get(station_id)
        return None if watch is None else watch.view(evse_id)

    def watch(self, station_id: str) -> StationWatch | None:
        return self._watches.get(station_id)

    def _watch(self, station_id: str, *, refresh: bool = True) -> StationWatch:
        watch = self._watches.get(station_id)
        if watch is None:
            profile = StationProfile(station_id)
            limits = self._config.current.thresholds_for("")
            watch = self._watches[station_id] = StationWatch(profile, limits)
            if refresh:  # a station we did not know at start: read its profile
                self._refresh_later(station_id)
        return watch

    def _refresh_later(self, station_id: str) -> None:
        task = asyncio.create_task(self.refresh(station_id))
        self._refreshes.add(task)
        task.add_done_callback(self._refreshes.discard)

    async def refresh(self, station_id: str) -> None:
        """Reload what storage knows about a station (model, site, ratings)."""
        try:
            async with self._ctx.uow() as uow:
                station = await uow.stations.get(station_id)
        except Exception:  # e.g. the database closing at shutdown: keep the old profile
            log.warning("could not refresh station %s", station_id, exc_info=True)
            return
        if station is not None:
            self._watch(station_id).update_profile(*self._profile(station))

    def _profile(self, station: Station) -> tuple[StationProfile, Thresholds]:
        ports = {
            evse.evse_id: _port_spec(evse.max_power_w, evse.connectors) for evse in station.evses
        }
        profile = StationProfile(
            station.id, station.site_id, station.model, station.firmware_version, ports
        )
        return profile, self._config.current.thresholds_for(station.model)

    def _settings_changed(self, settings: ReliabilitySettings) -> None:
        for watch in self._watches.values():
            watch.update_profile(watch.profile, settings.thresholds_for(watch.profile.model))


def _port_spec(evse_power_w: float | None, connectors: list[Any]) -> PortSpec:
    ratings = [c.rating for c in connectors if c.rating is not None]
    rated = max((r.max_power_w for r in ratings), default=None)
    if evse_power_w:
        rated = min(rated, evse_power_w) if rated else evse_power_w
    dc = any(r.power_type is PowerType.DC for r in ratings) if ratings else None
    return PortSpec(rated, dc)


# -- event handlers: decode the event's data, call the watch ------------------------------------
def _status(watch: StationWatch, event: DomainEvent, out: Decisions) -> None:
    data = event.data
    watch.heard(event.at, out)
    watch.status(
        int(data.get("evse_id", 0)),
        int(data.get("connector_id", 0)),
        str(data.get("status", "unknown")),
        event.at,
        out,
    )
    watch.error_code(
        int(data.get("evse_id", 0)),
        int(data.get("connector_id", 0)),
        str(data.get("vendor_id") or ""),
        str(data.get("error_code") or ""),
        event.at,
        out,
    )


def _device_event(watch: StationWatch, event: DomainEvent, out: Decisions) -> None:
    watch.heard(event.at, out)
    watch.device_event(event.data, event.at, out)


def _profile_exceeded(watch: StationWatch, event: DomainEvent, out: Decisions) -> None:
    watch.profile_exceeded(event.data, event.at, out)


def _certificate(watch: StationWatch, event: DomainEvent, out: Decisions) -> None:
    watch.certificate(event.topic, event.data, event.at, out)


def _started(watch: StationWatch, event: DomainEvent, out: Decisions) -> None:
    data = event.data
    watch.heard(event.at, out)
    started = _time(data.get("started_at")) or event.at
    watch.session_started(int(data.get("evse_id") or 0), int(data["transaction_id"]), started, out)
    _updated_power(watch, event, out)


def _updated(watch: StationWatch, event: DomainEvent, out: Decisions) -> None:
    watch.heard(event.at, out)
    _updated_power(watch, event, out)


def _updated_power(watch: StationWatch, event: DomainEvent, out: Decisions) -> None:
    data = event.data
    evse_id = int(data.get("evse_id") or 0)
    transaction_id = int(data["transaction_id"])
    if not evse_id:
        return  # 2.0.1 may start before it knows the EVSE
    sample = PowerSample(
        PortRef(watch.station_id, evse_id),
        int(data.get("connector_id") or 1),
        transaction_id,
        event.at,
        _float(data.get("power_w")),
        _float(data.get("power_offered_w")),
        data.get("id_token"),
    )
    watch.session_sample(sample, out)
    resets = int(data.get("register_resets") or 0)
    if resets:
        out.findings += watch.session_resets(evse_id, transaction_id, resets, event.at)


def _ended(watch: StationWatch, event: DomainEvent, out: Decisions) -> None:
    data = event.data
    watch.heard(event.at, out)
    evse_id = int(data.get("evse_id") or 0)
    if not evse_id:
        return  # never placed on an EVSE: no port to judge
    started = _time(data.get("started_at")) or event.at
    session = SessionEnd(
        port=PortRef(watch.station_id, evse_id),
        connector_id=int(data.get("connector_id") or 1),
        transaction_id=int(data["transaction_id"]),
        started_at=started,
        stopped_at=_time(data.get("stopped_at")) or event.at,
        energy_wh=float(data.get("energy_wh") or 0.0),
        peak_power_w=float(data.get("peak_power_w") or 0.0),
        stop_reason=data.get("stop_reason"),
        auth_accepted=data.get("auth_status", "accepted") == "accepted",
        id_token=data.get("id_token"),
        payment_method=data.get("payment_method"),
        register_resets=int(data.get("register_resets") or 0),
        vehicle=data.get("vehicle"),
    )
    watch.session_ended(session, out)


def _connected(watch: StationWatch, event: DomainEvent, out: Decisions) -> None:
    watch.connected(event.at, out)


def _disconnected(watch: StationWatch, event: DomainEvent, out: Decisions) -> None:
    watch.disconnected(event.at, out)


def _command(watch: StationWatch, event: DomainEvent, out: Decisions) -> None:
    data = event.data
    watch.command(str(data.get("kind", "")), str(data.get("status", "")), event.at, out)


def _time(value: object) -> datetime | None:
    return datetime.fromisoformat(value) if isinstance(value, str) and value else None


def _float(value: object) -> float | None:
    return float(value) if isinstance(value, int | float) else None
