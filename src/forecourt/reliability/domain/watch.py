"""Everything Forecourt knows about one station's health, updated one event at a time.

``StationWatch`` owns the port timelines and every detector of one station, and turns each
event into ``Decisions``: timeline transitions to persist, findings to ticket, ports whose
repair a successful session verifies. Pure and synchronous; the monitor service feeds it.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from forecourt.reliability.domain.baselines import PortBaseline, StationBaseline
from forecourt.reliability.domain.chargex import ChargeXCode
from forecourt.reliability.domain.detectors.certificate import certificate_findings
from forecourt.reliability.domain.detectors.chargex import ChargeXWatch
from forecourt.reliability.domain.detectors.connector import ConnectorWatch
from forecourt.reliability.domain.detectors.device import DeviceAlertWatch
from forecourt.reliability.domain.detectors.link import LinkWatch
from forecourt.reliability.domain.detectors.meter import DriftWatch, MeterWatch
from forecourt.reliability.domain.detectors.payment import ReaderWatch
from forecourt.reliability.domain.detectors.power import PowerWatch
from forecourt.reliability.domain.detectors.profile import profile_exceeded
from forecourt.reliability.domain.detectors.silence import RefusalWatch, SilenceWatch
from forecourt.reliability.domain.model import Condition, Finding, PortRef
from forecourt.reliability.domain.sessions import (
    PowerSample,
    SessionEnd,
    SessionOutcome,
    classify,
    failed_to_dispense,
)
from forecourt.reliability.domain.thresholds import Thresholds
from forecourt.reliability.domain.timeline import PortTimeline, Transition

_AC_DC_BOUNDARY_W = 22_000.0  # above this a port without a declared power type is DC
_STATION_WIDE = (Condition.OFFLINE, Condition.UNREACHABLE)


@dataclass(frozen=True, slots=True)
class PortSpec:
    rated_w: float | None = None
    dc: bool | None = None  # None: unknown (guessed from the rating)


@dataclass(frozen=True, slots=True)
class StationProfile:
    station_id: str
    site_id: str | None = None
    model: str = ""
    firmware: str = ""
    ports: Mapping[int, PortSpec] = field(default_factory=dict)


@dataclass(frozen=True, slots=True)
class Verification:
    """A port completed a successful session: resolved repairs on it can be verified."""

    port: PortRef
    at: datetime
    transaction_id: int
    normal_power: bool


@dataclass(slots=True)
class Decisions:
    transitions: list[Transition] = field(default_factory=list)
    findings: list[Finding] = field(default_factory=list)
    verified: list[Verification] = field(default_factory=list)

    def __bool__(self) -> bool:
        return bool(self.transitions or self.findings or self.verified)


@dataclass(frozen=True, slots=True)
class PortView:
    """A port as drivers should see it."""

    port: PortRef
    conditions: frozenset[Condition]
    busy: bool
    capability_w: float | None
    reference_w: float | None
    limited: bool  # derated or a module lost: charges, but slower than it should
    error_codes: tuple[ChargeXCode, ...] = ()  # ChargeX codes the station reports here now


class PortWatch:
    __slots__ = ("busy", "failures", "meter", "port", "power", "silence", "statuses", "timeline")

    def __init__(self, port: PortRef, spec: PortSpec) -> None:
        self.port = port
        self.timeline = PortTimeline(port)
        self.power = PowerWatch(port, spec.rated_w)
        self.silence = SilenceWatch(port.station_id, port.evse_id)
        self.meter = MeterWatch(port.station_id, port.evse_id)
        self.statuses: dict[int, str] = {}  # connector id -> neutral status
        self.busy: set[int] = set()  # transactions running here
        self.failures: list[datetime] = []  # starts of consecutive sessions without energy


class StationWatch:
    def __init__(self, profile: StationProfile, limits: Thresholds) -> None:
        self.profile = profile
        self.limits = limits
        self.ports: dict[int, PortWatch] = {}
        self.station_conditions: set[Condition] = set()
        self.station_statuses: str = ""  # a station-wide (EVSE 0) status, if reported
        self.link = LinkWatch(profile.station_id)
        self.reader = ReaderWatch(profile.station_id)
        self.drift = DriftWatch(profile.station_id)
        self.connectors = ConnectorWatch(profile.station_id)
        self.refusals = RefusalWatch(profile.station_id)
        self.device = DeviceAlertWatch(profile.station_id)
        self.chargex = ChargeXWatch(profile.station_id)
        self._learned: dict[int, PortBaseline] = {}  # restored, for ports not seen yet

    @property
    def station_id(self) -> str:
        return self.profile.station_id

    def update_profile(self, profile: StationProfile, limits: Thresholds) -> None:
        self.profile, self.limits = profile, limits
        for evse_id, watch in self.ports.items():
            spec = profile.ports.get(evse_id)
            if spec is not None and spec.rated_w:
                watch.power.rated_w = spec.rated_w
            elif limits.rated_power_w:
                watch.power.rated_w = limits.rated_power_w

    def port(self, evse_id: int, at: datetime, out: Decisions) -> PortWatch:
        watch = self.ports.get(evse_id)
        if watch is None:
            spec = self.profile.ports.get(evse_id, PortSpec())
            rated = spec.rated_w or self.limits.rated_power_w or None
            watch = self.ports[evse_id] = PortWatch(PortRef(self.station_id, evse_id), spec)
            watch.power.rated_w = rated
            _restore_port(watch, self._learned.pop(evse_id, None))
            watch.timeline.conditions = frozenset(self.station_conditions)
            _add(out, watch.timeline.begin(at))
        return watch

    def baseline(self) -> StationBaseline:
        """What the detectors learned here, to be restored after a restart."""
        reader = self.reader
        ports = {evse_id: _port_baseline(watch) for evse_id, watch in self.ports.items()}
        return StationBaseline(
            self.station_id, reader.reader_sessions, reader.other_sessions, reader.streak,
            reader.abandoned, {**self._learned, **ports},
        )  # fmt: skip

    def restore(self, baseline: StationBaseline) -> None:
        reader = self.reader
        reader.reader_sessions, reader.other_sessions = (
            baseline.reader_sessions, baseline.other_sessions,
        )  # fmt: skip
        reader.streak, reader.abandoned = baseline.streak, baseline.abandoned
        self._learned = dict(baseline.ports)
        for evse_id, watch in self.ports.items():
            _restore_port(watch, self._learned.pop(evse_id, None))

    def resume(self, evse_id: int, since: datetime, conditions: frozenset[Condition]) -> None:
        """After a restart: continue the open interval found in storage."""
        watch = self.port(evse_id, since, Decisions())
        watch.timeline.since, watch.timeline.conditions = since, conditions
        self.station_conditions |= {c for c in conditions if c in _STATION_WIDE}

    # -- connection -------------------------------------------------------------------------
    def connected(self, at: datetime, out: Decisions) -> None:
        out.findings += self.link.on_connected(at, self.limits)
        self._set_station(Condition.OFFLINE, False, at, out)
        self._set_station(Condition.UNREACHABLE, False, at, out)

    def disconnected(self, at: datetime, out: Decisions) -> None:
        out.findings += self.link.on_disconnected(at)
        self._set_station(Condition.OFFLINE, True, at, out)
        self._set_station(Condition.UNREACHABLE, False, at, out)

    def heard(self, at: datetime, out: Decisions) -> None:
        was_silent = self.link.silent_since is not None
        out.findings += self.link.on_heard(at)
        if was_silent and not self.link.half_open:
            self._set_station(Condition.UNREACHABLE, False, at, out)

    def command(self, kind: str, status: str, at: datetime, out: Decisions) -> None:
        found = self.link.on_command(status, at, self.limits)
        out.findings += found
        if self.link.half_open and self.link.first_timeout is not None:
            self._set_station(Condition.UNREACHABLE, True, self.link.first_timeout, out)
        elif not self.link.half_open and self.link.silent_since is None:
            self._set_station(Condition.UNREACHABLE, False, at, out)
        if kind == "remote_start":
            idle = not any(w.busy for w in self.ports.values())
            out.findings += self.refusals.on_remote_start(status, at, idle, self.limits)
            self._sync_silent(at, out)

    def device_event(self, data: dict[str, Any], at: datetime, out: Decisions) -> None:
        out.findings += self.device.on_event(data, at)
        out.findings += self.chargex.on_event(data, at)

    def error_code(
        self,
        evse_id: int,
        connector_id: int,
        vendor_id: str,
        code: str,
        at: datetime,
        out: Decisions,
    ) -> None:
        """A 1.6 status report's error code (ChargeX codes become findings)."""
        out.findings += self.chargex.on_status(evse_id, connector_id, vendor_id, code, at)

    def profile_exceeded(self, data: dict[str, Any], at: datetime, out: Decisions) -> None:
        out.findings += profile_exceeded(self.station_id, data, at)

    def certificate(self, topic: str, data: dict[str, Any], at: datetime, out: Decisions) -> None:
        out.findings += certificate_findings(self.station_id, topic, data, at)

    def clock_drift(self, drift_s: float, at: datetime, out: Decisions) -> None:
        out.findings += self.drift.on_drift(drift_s, at, self.limits)

    # -- connectors and sessions ----------------------------------------------------------------
    def status(
        self, evse_id: int, connector_id: int, status: str, at: datetime, out: Decisions
    ) -> None:
        if evse_id == 0:  # the whole station (1.6 connectorId 0)
            self.station_statuses = status
            for watch in self.ports.values():
                self._apply_status(watch, at, out)
            return
        watch = self.port(evse_id, at, out)
        watch.statuses[connector_id or 1] = status
        self._apply_status(watch, at, out)

    def session_started(
        self, evse_id: int, transaction_id: int, at: datetime, out: Decisions
    ) -> None:
        watch = self.port(evse_id, at, out)
        watch.busy.add(transaction_id)
        out.findings += watch.silence.on_start(at)
        out.findings += self.refusals.on_session(at)
        self._sync_silent(at, out)

    def session_sample(self, sample: PowerSample, out: Decisions) -> None:
        watch = self.port(sample.port.evse_id, sample.at, out)
        watch.busy.add(sample.transaction_id)
        watch.power.on_sample(sample, self.limits)
        out.findings += watch.meter.on_sample(sample, watch.power.reference_w, self.limits)

    def session_resets(
        self, evse_id: int, transaction_id: int, resets: int, at: datetime
    ) -> list[Finding]:
        watch = self.ports.get(evse_id)
        return [] if watch is None else watch.meter.on_resets(transaction_id, resets, at)

    def session_ended(self, session: SessionEnd, out: Decisions) -> SessionOutcome:
        watch = self.port(session.port.evse_id, session.stopped_at, out)
        watch.busy.discard(session.transaction_id)
        outcome = classify(session, self.limits)
        dispensed = outcome in (
            SessionOutcome.SUCCESS,
            SessionOutcome.SHORT,
            SessionOutcome.ERROR_STOP,
            SessionOutcome.FAULT_AFTER,
        )
        out.findings += self.connectors.on_end(session, outcome, self.limits)
        out.findings += watch.power.on_end(session, dispensed, self.limits)
        out.findings += watch.meter.on_end(session, watch.power.reference_w, self.limits)
        abandoned = outcome is SessionOutcome.ABANDONED
        out.findings += self.reader.on_session(
            session.payment_method, session.stopped_at, self.limits, abandoned=abandoned
        )
        self._track_failures(watch, session, outcome, out)
        self._apply_power(watch, session.stopped_at, out)
        if outcome is SessionOutcome.SUCCESS:
            normal = watch.power.is_normal(session, self.limits)
            out.verified.append(
                Verification(watch.port, session.stopped_at, session.transaction_id, normal)
            )
        return outcome

    def _track_failures(
        self, watch: PortWatch, session: SessionEnd, outcome: SessionOutcome, out: Decisions
    ) -> None:
        if outcome in (SessionOutcome.NOT_AUTHORIZED, SessionOutcome.ABANDONED):
            return  # says nothing about whether the port dispenses
        if failed_to_dispense(outcome):
            watch.failures.append(session.started_at)
            if len(watch.failures) >= self.limits.failing_sessions:
                _add(out, watch.timeline.set(Condition.FAILING_SESSIONS, True, watch.failures[0]))
            return
        watch.failures.clear()
        _add(out, watch.timeline.set(Condition.FAILING_SESSIONS, False, session.started_at))

    # -- time -----------------------------------------------------------------------------------
    def tick(self, now: datetime, out: Decisions) -> None:
        found = self.link.tick(now, self.limits)
        out.findings += found
        silent_since = self.link.silent_since
        if silent_since is not None:
            self._set_station(Condition.UNREACHABLE, True, silent_since, out)
        connected = self.link.connected
        for watch in self.ports.values():
            can_charge = connected and not watch.busy and not watch.timeline.conditions
            out.findings += watch.silence.tick(now, self.limits, can_charge)
        self._sync_silent(now, out)

    # -- views ----------------------------------------------------------------------------------
    def view(self, evse_id: int) -> PortView | None:
        watch = self.ports.get(evse_id)
        if watch is None:
            return None
        power = watch.power
        return PortView(
            watch.port,
            watch.timeline.conditions,
            bool(watch.busy),
            power.capability_w,
            power.reference_w,
            power.derate_active or power.module_active,
            tuple(self.chargex.active(evse_id)),
        )

    def minimum_power_w(self, watch: PortWatch) -> float:
        """NEVI's minimum for the port's kind, never above what the port is rated for."""
        spec = self.profile.ports.get(watch.port.evse_id, PortSpec())
        reference = watch.power.reference_w
        dc = spec.dc if spec.dc is not None else bool(reference and reference > _AC_DC_BOUNDARY_W)
        minimum = self.limits.dc_min_power_w if dc else self.limits.ac_min_power_w
        return min(minimum, reference) if reference else minimum

    # -- helpers --------------------------------------------------------------------------------
    def _set_station(self, condition: Condition, on: bool, at: datetime, out: Decisions) -> None:
        if on:
            self.station_conditions.add(condition)
        else:
            self.station_conditions.discard(condition)
        for watch in self.ports.values():
            _add(out, watch.timeline.set(condition, on, at))

    def _sync_silent(self, at: datetime, out: Decisions) -> None:
        for watch in self.ports.values():
            silent = watch.silence.active or (self.refusals.active and not watch.busy)
            _add(out, watch.timeline.set(Condition.SILENT, silent, at))

    def _apply_status(self, watch: PortWatch, at: datetime, out: Decisions) -> None:
        statuses = set(watch.statuses.values()) or {"available"}
        if self.station_statuses in ("faulted", "unavailable"):
            statuses = {self.station_statuses}
        faulted = statuses == {"faulted"}
        unavailable = not faulted and statuses <= {"faulted", "unavailable"}
        _add(out, watch.timeline.set(Condition.FAULTED, faulted, at))
        _add(out, watch.timeline.set(Condition.UNAVAILABLE, unavailable, at))

    def _apply_power(self, watch: PortWatch, at: datetime, out: Decisions) -> None:
        power = watch.power
        capability = power.capability_w
        limited = power.derate_active or power.module_active
        below = limited and capability is not None and capability < self.minimum_power_w(watch)
        _add(out, watch.timeline.set(Condition.BELOW_MIN_POWER, below, at))


def _add(out: Decisions, transition: Transition | None) -> None:
    if transition is not None:
        out.transitions.append(transition)


def _port_baseline(watch: PortWatch) -> PortBaseline:
    power, silence = watch.power, watch.silence
    return PortBaseline(
        power.learned_offer_w, power.best_peak_w, silence.sessions, silence.mean_gap_s,
        silence.last_start,
    )  # fmt: skip


def _restore_port(watch: PortWatch, learned: PortBaseline | None) -> None:
    if learned is None:
        return
    watch.power.learned_offer_w = max(watch.power.learned_offer_w, learned.learned_offer_w)
    watch.power.best_peak_w = max(watch.power.best_peak_w, learned.best_peak_w)
    watch.silence.sessions = learned.sessions
    watch.silence.mean_gap_s = learned.mean_gap_s
    watch.silence.last_start = learned.last_start
