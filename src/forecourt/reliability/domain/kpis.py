"""Session-reliability KPIs: what drivers experience, not what stations claim.

A *visit* is one driver's attempts at one station close together in time (same token, the
next attempt starting within ``visit_gap_s`` of the previous one ending); sessions without a
token form visits per port. First-attempt success and failed visits are counted per visit
(attributed to where the visit began); everything else per attempt.
"""

from __future__ import annotations

from collections import Counter, defaultdict
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field
from enum import StrEnum

from forecourt.reliability.domain.sessions import (
    SessionEnd,
    SessionOutcome,
    charging_began,
    classify,
    ended_normally,
)
from forecourt.reliability.domain.thresholds import Thresholds


class Dimension(StrEnum):
    PORT = "port"
    STATION = "station"
    SITE = "site"
    MODEL = "model"
    FIRMWARE = "firmware"
    VEHICLE = "vehicle"


@dataclass(frozen=True, slots=True)
class KpiSession:
    session: SessionEnd
    site_id: str | None = None
    vendor: str = ""
    model: str = ""
    firmware: str = ""
    vehicle_source: str = ""  # how the vehicle was identified (domain/vehicles.py)
    vehicle_confidence: float = 0.0

    def key(self, dimension: Dimension) -> str:
        s = self.session
        keys: dict[Dimension, Callable[[], str]] = {
            Dimension.PORT: lambda: str(s.port),
            Dimension.STATION: lambda: s.port.station_id,
            Dimension.SITE: lambda: self.site_id or "(no site)",
            Dimension.MODEL: lambda: _model(self),
            Dimension.FIRMWARE: lambda: f"{_model(self)} @ {self.firmware or '?'}",
            Dimension.VEHICLE: lambda: s.vehicle or "(unknown vehicle)",
        }
        return keys[dimension]()


@dataclass(slots=True)
class KpiRow:
    key: str
    attempts: int = 0
    successes: int = 0
    visits: int = 0
    visit_attempts: int = 0  # attempts of the visits that began here
    first_attempt_successes: int = 0
    failed_visits: int = 0
    charge_starts: int = 0  # ChargeX: attempts in which power delivery began
    completions: int = 0  # ChargeX: attempts that ended with a normal stop reason
    completed_charges: int = 0  # ChargeX: ... of them, the ones in which power was delivered
    outcomes: Counter[str] = field(default_factory=Counter)
    stop_reasons: Counter[str] = field(default_factory=Counter)

    @property
    def success_rate(self) -> float | None:
        return _ratio(self.successes, self.attempts)

    @property
    def charging_success_rate(self) -> float | None:
        """The German "Ladeerfolgsquote" (Charging Success Rate, NOW GmbH / Nationale
        Leitstelle Ladeinfrastruktur with P3): attempts in which energy began to flow and the
        session then ended normally. Unlike :attr:`success_rate` it counts a short session
        that ended normally, and one after which the port faulted, as a success
        (docs/reliability.md#the-german-charging-success-rate)."""
        also = (SessionOutcome.SHORT, SessionOutcome.FAULT_AFTER)
        completed = self.successes + sum(self.outcomes[o.value] for o in also)
        return _ratio(completed, self.attempts)

    @property
    def chargex_charge_start_success_rate(self) -> float | None:
        """ChargeX "Charge Start Success": power delivery attempts / charge attempts (INL's
        OCPP 2.0.1 Interim KPI Calculator; docs/reliability.md#chargexs-own-rates)."""
        return _ratio(self.charge_starts, self.attempts)

    @property
    def chargex_session_success_rate(self) -> float | None:
        """ChargeX "Session Success": attempts ended by a valid stop trigger / charge attempts
        (as INL's calculator counts it, with or without energy)."""
        return _ratio(self.completions, self.attempts)

    @property
    def chargex_charge_end_success_rate(self) -> float | None:
        """ChargeX "Charge End Success": of the attempts in which power delivery began, the
        share that ended by a valid stop trigger."""
        return _ratio(self.completed_charges, self.charge_starts)

    @property
    def first_attempt_success_rate(self) -> float | None:
        return _ratio(self.first_attempt_successes, self.visits)

    @property
    def failed_visit_rate(self) -> float | None:
        return _ratio(self.failed_visits, self.visits)

    @property
    def attempts_per_visit(self) -> float | None:
        return _ratio(self.visit_attempts, self.visits)

    @property
    def zero_energy(self) -> int:
        return self.outcomes[SessionOutcome.ZERO_ENERGY.value]

    @property
    def short(self) -> int:
        return self.outcomes[SessionOutcome.SHORT.value]


def visits(sessions: Iterable[KpiSession], gap_s: float) -> list[list[KpiSession]]:
    """Group attempts into visits (each visit in time order)."""
    by_driver: dict[tuple[str, str], list[KpiSession]] = defaultdict(list)
    for item in sessions:
        s = item.session
        who = s.id_token or f"port:{s.port}"
        by_driver[(s.port.station_id, who)].append(item)
    grouped: list[list[KpiSession]] = []
    for attempts in by_driver.values():
        attempts.sort(key=lambda k: k.session.started_at)
        current: list[KpiSession] = []
        for item in attempts:
            if (
                current
                and (item.session.started_at - current[-1].session.stopped_at).total_seconds()
                > gap_s
            ):
                grouped.append(current)
                current = []
            current.append(item)
        if current:
            grouped.append(current)
    return grouped


def kpis(sessions: Sequence[KpiSession], dimension: Dimension, limits: Thresholds) -> list[KpiRow]:
    rows: dict[str, KpiRow] = {}
    outcomes = {id(item): classify(item.session, limits) for item in sessions}
    for item in sessions:
        row = rows.setdefault(item.key(dimension), KpiRow(item.key(dimension)))
        outcome = outcomes[id(item)]
        row.attempts += 1
        row.successes += outcome is SessionOutcome.SUCCESS
        began, normal = charging_began(item.session), ended_normally(item.session)
        row.charge_starts += began
        row.completions += normal
        row.completed_charges += began and normal
        row.outcomes[outcome.value] += 1
        row.stop_reasons[item.session.stop_reason or "unknown"] += 1
    for visit in visits(sessions, limits.visit_gap_s):
        row = rows[visit[0].key(dimension)]
        results = [outcomes[id(item)] for item in visit]
        row.visits += 1
        row.visit_attempts += len(visit)
        row.first_attempt_successes += results[0] is SessionOutcome.SUCCESS
        row.failed_visits += SessionOutcome.SUCCESS not in results
    return sorted(rows.values(), key=lambda r: r.key)


@dataclass(frozen=True, slots=True)
class InteropCell:
    vehicle: str
    station: str  # model @ firmware
    attempts: int
    successes: int
    confidence: float = 0.0  # mean confidence of the vehicle identifications (0: unknown)
    sources: tuple[str, ...] = ()  # how the vehicle was identified

    @property
    def success_rate(self) -> float | None:
        return _ratio(self.successes, self.attempts)


def interop_matrix(sessions: Sequence[KpiSession], limits: Thresholds) -> list[InteropCell]:
    """Vehicle × station model/firmware: which combinations fail (authorization refusals are
    left out: they say nothing about the hardware)."""
    counts: dict[tuple[str, str], list[int]] = defaultdict(lambda: [0, 0])
    confidence: dict[tuple[str, str], float] = defaultdict(float)
    sources: dict[tuple[str, str], set[str]] = defaultdict(set)
    for item in sessions:
        outcome = classify(item.session, limits)
        if outcome is SessionOutcome.NOT_AUTHORIZED:
            continue
        key = (item.key(Dimension.VEHICLE), item.key(Dimension.FIRMWARE))
        counts[key][0] += 1
        counts[key][1] += outcome is SessionOutcome.SUCCESS
        confidence[key] += item.vehicle_confidence
        if item.vehicle_source:
            sources[key].add(item.vehicle_source)
    return [
        InteropCell(
            vehicle,
            station,
            attempts,
            successes,
            round(confidence[(vehicle, station)] / attempts, 3),
            tuple(sorted(sources[(vehicle, station)])),
        )
        for (vehicle, station), (attempts, successes) in sorted(counts.items())
    ]


def worst_combinations(
    cells: Sequence[InteropCell], min_attempts: int = 2, limit: int = 5
) -> list[InteropCell]:
    """Known vehicles × station model/firmware with the lowest success, fewest first dropped:
    what the dashboard shows (unknown vehicles say nothing about a pairing)."""
    known = [
        c for c in cells if c.attempts >= min_attempts and not c.vehicle.startswith("(unknown")
    ]
    return sorted(known, key=lambda c: (c.success_rate or 0.0, -c.attempts))[:limit]


def _model(item: KpiSession) -> str:
    name = " ".join(part for part in (item.vendor, item.model) if part)
    return name or "(unknown model)"


def _ratio(part: int, whole: int) -> float | None:
    return part / whole if whole else None
