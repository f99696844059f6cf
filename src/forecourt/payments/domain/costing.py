"""What a session costs under a tariff: its lines, taxes and total (rules in ``tariffs``)."""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass, replace
from datetime import datetime, time
from decimal import Decimal
from enum import StrEnum
from itertools import pairwise
from typing import Any

from forecourt.domain.errors import Conflict
from forecourt.domain.metering import RegisterReading, register_order, register_problem
from forecourt.domain.money import Money, format_rate
from forecourt.payments.domain.tariffs import IDLE_POWER_W, EnergyBand, Tariff


class LineKind(StrEnum):
    ENERGY = "energy"
    SESSION_FEE = "session_fee"
    IDLE = "idle"
    TAX = "tax"


@dataclass(frozen=True, slots=True)
class CostLine:
    kind: LineKind
    description: str
    quantity: Decimal
    unit: str
    unit_price: Decimal
    amount: Money


@dataclass(frozen=True, slots=True)
class SessionUsage:
    """What happened in a session, as far as price is concerned."""

    started_at: datetime
    ended_at: datetime  # the stop, or "now" for a running cost
    energy_wh: float  # the ledger's total: authoritative
    readings: tuple[RegisterReading, ...] = ()


@dataclass(frozen=True, slots=True)
class CostBreakdown:
    currency: str
    lines: tuple[CostLine, ...]
    energy_wh: int
    duration_s: int
    idle_minutes: int
    charging_ended_at: datetime | None = None
    tariff_code: str = ""
    tariff_revision: int = 0
    #: A session whose tariff was changed while it ran (OCPP 2.1 I10): each tariff's part.
    parts: tuple[TariffPart, ...] = ()

    @property
    def subtotal(self) -> Money:
        return self._sum(line for line in self.lines if line.kind is not LineKind.TAX)

    @property
    def tax(self) -> Money:
        return self._sum(line for line in self.lines if line.kind is LineKind.TAX)

    @property
    def total(self) -> Money:
        return self._sum(self.lines)

    def _sum(self, lines: Iterable[CostLine]) -> Money:
        return Money(sum(line.amount.minor for line in lines), self.currency)

    def to_dict(self) -> dict[str, Any]:
        return {
            "currency": self.currency,
            "energy_wh": self.energy_wh,
            "duration_s": self.duration_s,
            "idle_minutes": self.idle_minutes,
            "charging_ended_at": _iso(self.charging_ended_at),
            "tariff_code": self.tariff_code,
            "tariff_revision": self.tariff_revision,
            "total_minor": self.total.minor,
            "parts": [part.to_dict() for part in self.parts],
            "lines": [
                {
                    "kind": line.kind.value,
                    "description": line.description,
                    "quantity": str(line.quantity),
                    "unit": line.unit,
                    "unit_price": str(line.unit_price),
                    "amount_minor": line.amount.minor,
                }
                for line in self.lines
            ],
        }

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> CostBreakdown:
        currency = data["currency"]
        lines = tuple(
            CostLine(
                LineKind(item["kind"]),
                item["description"],
                Decimal(item["quantity"]),
                item["unit"],
                Decimal(item["unit_price"]),
                Money(int(item["amount_minor"]), currency),
            )
            for item in data["lines"]
        )
        ended = data.get("charging_ended_at")
        return cls(
            currency=currency,
            lines=lines,
            energy_wh=int(data["energy_wh"]),
            duration_s=int(data["duration_s"]),
            idle_minutes=int(data["idle_minutes"]),
            charging_ended_at=datetime.fromisoformat(ended) if ended else None,
            tariff_code=data.get("tariff_code", ""),
            tariff_revision=int(data.get("tariff_revision", 0)),
            parts=tuple(TariffPart.from_dict(item) for item in data.get("parts", ())),
        )


@dataclass(frozen=True, slots=True)
class TariffChange:
    """From ``at`` on, the session is billed by ``tariff`` (an accepted ChangeTransactionTariff)."""

    at: datetime
    tariff: Tariff


@dataclass(frozen=True, slots=True)
class TariffPart:
    """One tariff's share of a session billed split at a tariff change."""

    tariff_code: str
    tariff_revision: int
    starts_at: datetime
    ends_at: datetime
    energy_wh: int
    total_minor: int

    def to_dict(self) -> dict[str, Any]:
        return {
            "tariff_code": self.tariff_code,
            "tariff_revision": self.tariff_revision,
            "starts_at": self.starts_at.isoformat(),
            "ends_at": self.ends_at.isoformat(),
            "energy_wh": self.energy_wh,
            "total_minor": self.total_minor,
        }

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> TariffPart:
        return cls(
            data["tariff_code"],
            int(data["tariff_revision"]),
            datetime.fromisoformat(data["starts_at"]),
            datetime.fromisoformat(data["ends_at"]),
            int(data["energy_wh"]),
            int(data["total_minor"]),
        )


def _iso(at: datetime | None) -> str | None:
    return None if at is None else at.isoformat()


@dataclass(slots=True)
class _Interval:
    start: datetime
    end: datetime
    wh: float


@dataclass(slots=True)
class _BandShare:
    band: EnergyBand
    wh: Decimal = Decimal(0)


def price_session(
    tariff: Tariff, usage: SessionUsage, changes: Sequence[TariffChange] = ()
) -> CostBreakdown:
    """The itemised cost of a session (running or final) under one tariff revision, or split
    at each accepted tariff change (``changes``, oldest first; see ``_price_split``).

    Raises Conflict when the metered energy is not a usable number (data stored before the
    plausibility rule): such a session is never priced, its payment goes to an operator.
    """
    broken = [register_problem(x) for x in (usage.energy_wh, *(r.wh for r in usage.readings))]
    if any(broken):
        raise Conflict("the session's metered energy is not usable; an operator must settle it")
    effective = [c for c in changes if c.at < usage.ended_at]
    if effective:
        return _price_split(tariff, effective, usage)
    intervals = energy_intervals(usage)
    total_wh = max(0, round(Decimal(str(usage.energy_wh))))
    lines = _energy_lines(tariff, intervals, total_wh)
    if tariff.session_fee > 0:
        fee = Money.of(tariff.session_fee, tariff.currency)
        lines.append(
            CostLine(
                LineKind.SESSION_FEE, "Session fee", Decimal(1), "session", tariff.session_fee, fee
            )
        )
    charging_ended = charging_ended_at(intervals)
    idle_minutes = billable_idle_minutes(tariff, charging_ended, usage.ended_at)
    if idle_minutes > 0 and tariff.idle_fee_per_minute > 0:
        lines.append(_idle_line(tariff, idle_minutes))
    lines += _tax_lines(tariff, lines)
    duration = max(0, int((usage.ended_at - usage.started_at).total_seconds()))
    return CostBreakdown(
        tariff.currency,
        tuple(lines),
        total_wh,
        duration,
        idle_minutes,
        charging_ended,
        tariff.code,
        tariff.revision,
    )


def _price_split(
    first: Tariff, changes: Sequence[TariffChange], usage: SessionUsage
) -> CostBreakdown:
    """A session whose tariff changed while it ran (OCPP 2.1 I10), the one rule:

    - energy delivered before a change is billed at the tariff in force before it, after at
      the new one (register intervals cut at the change time in proportion to their time;
      whole Wh per part by largest remainder so the parts add up to the ledger's total);
    - the session fee is the first tariff's (a session starts once);
    - idle time is billed by the tariff in force at the session's end (with its grace);
    - each part carries its own tariff's taxes.
    """
    periods = _periods(first, changes, usage)
    currencies = {tariff.currency for tariff, _, _ in periods}
    if len(currencies) > 1:
        raise Conflict("a session cannot be billed in two currencies")
    intervals = energy_intervals(usage)
    clipped = [_clip(intervals, start, end) for _, start, end in periods]
    total_wh = max(0, round(Decimal(str(usage.energy_wh))))
    exact = [sum((Decimal(str(i.wh)) for i in part), Decimal(0)) for part in clipped]
    whole = _largest_remainder(exact, total_wh)
    charging_ended = charging_ended_at(intervals)
    last = periods[-1][0]
    final = len(periods) - 1
    lines: list[CostLine] = []
    parts: list[TariffPart] = []
    for index, ((tariff, start, end), part, wh) in enumerate(
        zip(periods, clipped, whole, strict=True)
    ):
        mark = f" [{tariff.code} r{tariff.revision} from {_local(tariff, start)}]"
        own = [replace(line, description=line.description + mark)
               for line in _energy_lines(tariff, part, wh) if part]  # fmt: skip
        if index == 0 and tariff.session_fee > 0:
            fee = Money.of(tariff.session_fee, tariff.currency)
            own.append(
                CostLine(LineKind.SESSION_FEE, "Session fee" + mark, Decimal(1), "session",
                         tariff.session_fee, fee)
            )  # fmt: skip
        if index == final:
            idle_minutes = billable_idle_minutes(tariff, charging_ended, usage.ended_at)
            if idle_minutes > 0 and tariff.idle_fee_per_minute > 0:
                idle = _idle_line(tariff, idle_minutes)
                own.append(replace(idle, description=idle.description + mark))
        own += [replace(line, description=line.description + mark)
                for line in _tax_lines(tariff, own)]  # fmt: skip
        lines += own
        minor = sum(line.amount.minor for line in own)
        parts.append(TariffPart(tariff.code, tariff.revision, start, end, wh, minor))
    duration = max(0, int((usage.ended_at - usage.started_at).total_seconds()))
    return CostBreakdown(
        first.currency,
        tuple(lines),
        total_wh,
        duration,
        billable_idle_minutes(last, charging_ended, usage.ended_at),
        charging_ended,
        first.code,
        first.revision,
        tuple(parts),
    )


def _periods(
    first: Tariff, changes: Sequence[TariffChange], usage: SessionUsage
) -> list[tuple[Tariff, datetime, datetime]]:
    """(tariff, from, until) covering the session; a change at or before its start replaces
    the first tariff."""
    out: list[tuple[Tariff, datetime, datetime]] = []
    tariff, since = first, usage.started_at
    for change in sorted(changes, key=lambda c: c.at):
        at = max(change.at, usage.started_at)
        if at > since:
            out.append((tariff, since, at))
        tariff, since = change.tariff, at
    out.append((tariff, since, max(since, usage.ended_at)))
    return out


def _clip(intervals: Sequence[_Interval], start: datetime, end: datetime) -> list[_Interval]:
    """The part of each interval between ``start`` and ``end`` (energy in proportion to time)."""
    out = []
    for interval in intervals:
        lo, hi = max(interval.start, start), min(interval.end, end)
        seconds = (interval.end - interval.start).total_seconds()
        if seconds <= 0:
            if start <= interval.start < end:
                out.append(interval)
            continue
        if hi <= lo:
            continue
        share = (hi - lo).total_seconds() / seconds
        out.append(_Interval(lo, hi, interval.wh * share))
    return out


def _local(tariff: Tariff, at: datetime) -> str:
    return at.astimezone(tariff.zone).strftime("%H:%M")


def energy_intervals(usage: SessionUsage) -> list[_Interval]:
    """Energy between consecutive register readings (a register reset restarts from zero)."""
    inside = sorted(
        (r for r in usage.readings if usage.started_at <= r.timestamp <= usage.ended_at),
        key=register_order,
    )
    out: list[_Interval] = []
    for previous, reading in pairwise(inside):
        delta = reading.wh - previous.wh
        out.append(
            _Interval(previous.timestamp, reading.timestamp, delta if delta >= 0 else reading.wh)
        )
    if not out or sum(i.wh for i in out) <= 0:
        # No usable readings: spread the ledger's energy evenly over the session.
        return [_Interval(usage.started_at, usage.ended_at, max(usage.energy_wh, 0.0))]
    return out


def charging_ended_at(intervals: Sequence[_Interval]) -> datetime | None:
    """End of the last interval that delivered at least IDLE_POWER_W on average."""
    if len(intervals) < 2:
        return None  # one interval (start -> stop) cannot tell charging from idling
    charging = [i for i in intervals if _average_power_w(i) >= IDLE_POWER_W]
    return charging[-1].end if charging else intervals[0].start


def billable_idle_minutes(tariff: Tariff, charging_ended: datetime | None, until: datetime) -> int:
    if charging_ended is None or until <= charging_ended:
        return 0
    whole_minutes = int((until - charging_ended).total_seconds() // 60)
    return max(0, whole_minutes - tariff.idle_grace_minutes)


def _average_power_w(interval: _Interval) -> float:
    seconds = (interval.end - interval.start).total_seconds()
    if seconds <= 0:
        return float("inf") if interval.wh > 0 else 0.0
    return interval.wh * 3600.0 / seconds


def _energy_lines(tariff: Tariff, intervals: Sequence[_Interval], total_wh: int) -> list[CostLine]:
    shares = _band_shares(tariff, intervals)
    whole = _largest_remainder([s.wh for s in shares], total_wh)
    lines = []
    for share, wh in zip(shares, whole, strict=True):
        if wh == 0 and len(shares) > 1:
            continue
        kwh = Decimal(wh) / 1000
        price = share.band.price_per_kwh
        rate = format_rate(price, tariff.currency, "kWh")
        label = f"Energy {kwh:.3f} kWh @ {rate}"
        if len(tariff.energy_bands) > 1:
            label += f" (from {share.band.starts_at.isoformat('minutes')})"
        amount = Money.of(kwh * price, tariff.currency)
        lines.append(CostLine(LineKind.ENERGY, label, kwh, "kWh", price, amount))
    return lines


def _band_shares(tariff: Tariff, intervals: Sequence[_Interval]) -> list[_BandShare]:
    """Exact Wh per band, in the order the bands were first used."""
    shares: dict[time, _BandShare] = {}
    for interval in intervals:
        for start, end, band in _segments(tariff, interval.start, interval.end):
            seconds = (interval.end - interval.start).total_seconds()
            part = (
                Decimal(1)
                if seconds <= 0
                else Decimal(str((end - start).total_seconds())) / Decimal(str(seconds))
            )
            share = shares.setdefault(band.starts_at, _BandShare(band))
            share.wh += Decimal(str(interval.wh)) * part
    if not shares and intervals:
        band = tariff.band_at(intervals[0].start)
        shares[band.starts_at] = _BandShare(band)
    return list(shares.values())


def _segments(
    tariff: Tariff, start: datetime, end: datetime
) -> list[tuple[datetime, datetime, EnergyBand]]:
    if end <= start:
        return [(start, start, tariff.band_at(start))]
    out = []
    cursor = start
    while cursor < end:
        change = tariff.next_change_after(cursor)
        stop = end if change is None else min(change, end)
        out.append((cursor, stop, tariff.band_at(cursor)))
        cursor = stop
    return out


def _largest_remainder(exact: Sequence[Decimal], total: int) -> list[int]:
    """Whole numbers proportional to ``exact`` that add up to ``total``."""
    weight = sum(exact, Decimal(0))
    if not exact:
        return []
    if weight <= 0:
        return [total] + [0] * (len(exact) - 1)
    scaled = [value * total / weight for value in exact]
    floors = [int(value) for value in scaled]
    missing = total - sum(floors)
    by_remainder = sorted(range(len(scaled)), key=lambda i: scaled[i] - floors[i], reverse=True)
    for index in by_remainder[:missing]:
        floors[index] += 1
    return floors


def _idle_line(tariff: Tariff, minutes: int) -> CostLine:
    rate = format_rate(tariff.idle_fee_per_minute, tariff.currency, "min")
    label = f"Idle {minutes} min @ {rate} (after {tariff.idle_grace_minutes} min grace)"
    amount = Money.of(tariff.idle_fee_per_minute * minutes, tariff.currency)
    return CostLine(
        LineKind.IDLE, label, Decimal(minutes), "min", tariff.idle_fee_per_minute, amount
    )


def _tax_lines(tariff: Tariff, lines: Sequence[CostLine]) -> list[CostLine]:
    base = Money(sum(line.amount.minor for line in lines), tariff.currency)
    out = []
    for tax in tariff.taxes:
        amount = Money.of(base.to_decimal() * tax.percent / 100, tariff.currency)
        label = f"{tax.name} {tax.percent}% of {base.format()}"
        out.append(CostLine(LineKind.TAX, label, base.to_decimal(), "%", tax.percent, amount))
    return out
