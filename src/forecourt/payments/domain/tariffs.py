"""Tariffs:  $/kWh in time-of-day bands, session fee, idle fee, taxes.

Rules (docs/payments.md, tested in tests/payments/test_tariff_math.py; the arithmetic of a
session's cost is in ``costing``):

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

from dataclasses import dataclass, replace
from datetime import UTC, datetime, time, timedelta
from decimal import Decimal
from typing import Any
from zoneinfo import ZoneInfo

from forecourt.domain.errors import InvalidInput
from forecourt.domain.money import Money, check_currency, parse_decimal
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
