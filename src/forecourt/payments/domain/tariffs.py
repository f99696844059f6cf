"""Tariffs and what a session costs: $/kWh in time-of-day bands, session fee, idle fee, taxes.

Rules (docs/payments.md, tested in tests/payments/test_tariff_math.py):

* A band applies from its local start time until the next band starts (wrapping at midnight),
  in the tariff's time zone; daylight-saving changes follow the zone.
* Energy is measured in whole Wh (the ledger total, rounded half-up). Energy between two meter
  readings is attributed to bands in proportion to the time spent in each; whole Wh are handed
  out by largest remainder, so the bands always add up to the total.
* Each line is rounded once, half-up, to the currency's minor unit. Each tax is computed on the
  sum of the rounded lines and rounded half-up. The total is the sum of what is printed.
* Idle time starts when charging ends (the end of the last interval with at least
  ``IDLE_POWER_W`` average power) and is billed in whole minutes (partial minutes are free)
  after the grace period. Without meter readings inside the session no idle fee is charged.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass, replace
from datetime import UTC, datetime, time, timedelta
from decimal import Decimal
from enum import StrEnum
from itertools import pairwise
from typing import Any
from zoneinfo import ZoneInfo

from forecourt.domain.errors import Conflict, InvalidInput
from forecourt.domain.metering import RegisterReading, register_problem
from forecourt.domain.money import Money, check_currency, format_rate, parse_decimal
from forecourt.domain.zones import zone_of

#: Below this average power (W) a plugged-in vehicle counts as idle, not charging.
IDLE_POWER_W = 100.0


@dataclass(frozen=True, slots=True)
class EnergyBand:
    """From ``starts_at`` (local time of day) until the next band: ``price_per_kwh``."""

    starts_at: time
    price_per_kwh: Decimal


@dataclass(frozen=True, slots=True)
class TaxRate:
    name: str
    percent: Decimal


@dataclass(frozen=True, slots=True)
class Tariff:
    """One revision of a tariff. Revisions are immutable; a change is a new revision."""

    code: str
    name: str
    currency: str
    energy_bands: tuple[EnergyBand, ...]
    session_fee: Decimal = Decimal(0)
    idle_fee_per_minute: Decimal = Decimal(0)
    idle_grace_minutes: int = 0
    taxes: tuple[TaxRate, ...] = ()
    timezone: str = "UTC"
    hold_amount: Decimal = Decimal(50)  # pre-authorised on the driver's card
    revision: int = 0
    effective_from: datetime | None = None

    def validate(self) -> Tariff:
        """Return a normalised copy, or raise InvalidInput saying what is wrong."""
        if not self.code or len(self.code) > 64:
            raise InvalidInput("a tariff code must be 1-64 characters")
        if not self.energy_bands:
            raise InvalidInput("a tariff needs at least one energy price band")
        starts = [b.starts_at for b in self.energy_bands]
        if len(set(starts)) != len(starts):
            raise InvalidInput("two energy bands start at the same time")
        for what, value in self._amounts():
            if value < 0:
                raise InvalidInput(f"{what} cannot be negative")
        if self.idle_grace_minutes < 0:
            raise InvalidInput("idle_grace_minutes cannot be negative")
        if self.hold_amount <= 0:
            raise InvalidInput("hold_amount must be positive")
        zone_of(self.timezone)
        bands = tuple(sorted(self.energy_bands, key=lambda b: b.starts_at))
        return replace(self, currency=check_currency(self.currency), energy_bands=bands)

    def _amounts(self) -> list[tuple[str, Decimal]]:
        amounts = [(f"band {b.starts_at} price", b.price_per_kwh) for b in self.energy_bands]
        amounts += [("session_fee", self.session_fee), ("idle fee", self.idle_fee_per_minute)]
        return amounts + [(f"tax {t.name}", t.percent) for t in self.taxes]

    @property
    def zone(self) -> ZoneInfo:
        return zone_of(self.timezone)

    def band_at(self, at: datetime) -> EnergyBand:
        local = at.astimezone(self.zone).time()
        started = [b for b in self.energy_bands if b.starts_at <= local]
        return started[-1] if started else self.energy_bands[-1]  # before the first: wrapped

    def next_change_after(self, at: datetime) -> datetime | None:
        """The next instant the energy price band changes, or None for a flat price."""
        if len(self.energy_bands) == 1:
            return None
        local = at.astimezone(self.zone)
        candidates = (
            datetime.combine(local.date() + timedelta(days=day), band.starts_at, self.zone)
            for day in (0, 1, 2)
            for band in self.energy_bands
        )
        return min(c.astimezone(UTC) for c in candidates if c.astimezone(UTC) > at)

    def hold(self) -> Money:
        return Money.of(self.hold_amount, self.currency)

    def to_dict(self) -> dict[str, Any]:
        """JSON-ready snapshot (decimals as strings, never floats)."""
        return {
            "code": self.code,
            "name": self.name,
            "currency": self.currency,
            "energy_bands": [
                {
                    "starts_at": b.starts_at.isoformat("minutes"),
                    "price_per_kwh": str(b.price_per_kwh),
                }
                for b in self.energy_bands
            ],
            "session_fee": str(self.session_fee),
            "idle_fee_per_minute": str(self.idle_fee_per_minute),
            "idle_grace_minutes": self.idle_grace_minutes,
            "taxes": [{"name": t.name, "percent": str(t.percent)} for t in self.taxes],
            "timezone": self.timezone,
            "hold_amount": str(self.hold_amount),
            "revision": self.revision,
            "effective_from": self.effective_from.isoformat() if self.effective_from else None,
        }

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> Tariff:
        bands = tuple(
            EnergyBand(time.fromisoformat(b["starts_at"]), parse_decimal(b["price_per_kwh"]))
            for b in data["energy_bands"]
        )
        taxes = tuple(TaxRate(t["name"], parse_decimal(t["percent"])) for t in data["taxes"])
        effective = data.get("effective_from")
        return cls(
            code=data["code"],
            name=data["name"],
            currency=data["currency"],
            energy_bands=bands,
            session_fee=parse_decimal(data["session_fee"]),
            idle_fee_per_minute=parse_decimal(data["idle_fee_per_minute"]),
            idle_grace_minutes=int(data["idle_grace_minutes"]),
            taxes=taxes,
            timezone=data["timezone"],
            hold_amount=parse_decimal(data["hold_amount"]),
            revision=int(data.get("revision", 0)),
            effective_from=datetime.fromisoformat(effective) if effective else None,
        )


# -- what a session costs ----------------------------------------------------------------------


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


def price_session(tariff: Tariff, usage: SessionUsage) -> CostBreakdown:
    """The itemised cost of a session (running or final) under one tariff revision.

    Raises Conflict when the metered energy is not a usable number (data stored before the
    plausibility rule): such a session is never priced, its payment goes to an operator.
    """
    broken = [register_problem(x) for x in (usage.energy_wh, *(r.wh for r in usage.readings))]
    if any(broken):
        raise Conflict("the session's metered energy is not usable; an operator must settle it")
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


def energy_intervals(usage: SessionUsage) -> list[_Interval]:
    """Energy between consecutive register readings (a register reset restarts from zero)."""
    inside = sorted(
        (r for r in usage.readings if usage.started_at <= r.timestamp <= usage.ended_at),
        key=lambda r: r.timestamp,
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
