"""What a session costs (running and final), and how prices are worded for drivers."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from decimal import Decimal

from forecourt.domain.errors import ForecourtError, NotFound
from forecourt.domain.metering import register_readings
from forecourt.domain.money import Money, format_rate
from forecourt.domain.transactions import Transaction
from forecourt.payments.domain.costing import (
    CostBreakdown,
    LineKind,
    SessionUsage,
    price_session,
)
from forecourt.payments.domain.tariffs import Tariff
from forecourt.payments.services.tariffs import schedule_for_transaction
from forecourt.ports.repositories import UnitOfWork
from forecourt.ports.session_costs import BilledCost, BilledTax
from forecourt.services.context import ServiceContext


@dataclass(frozen=True, slots=True)
class SessionCost:
    transaction: Transaction
    tariff: Tariff
    breakdown: CostBreakdown
    final: bool

    @property
    def total(self) -> Money:
        return self.breakdown.total


async def usage_of(uow: UnitOfWork, tx: Transaction, now: datetime) -> SessionUsage:
    """The session's energy and readings; a running session is priced up to ``now``."""
    samples = await uow.meter.for_transaction(tx.id)
    readings = (*register_readings(samples), *tx.readings())
    end = tx.stopped_at if tx.stopped_at is not None else max(now, tx.started_at)
    return SessionUsage(tx.started_at, end, tx.energy_wh, tuple(readings))


async def cost_in(uow: UnitOfWork, tx: Transaction, now: datetime) -> SessionCost:
    """The session priced by its pinned tariff, split at each accepted tariff change."""
    schedule = await schedule_for_transaction(uow, tx)
    breakdown = price_session(schedule.pinned, await usage_of(uow, tx, now), schedule.changes)
    return SessionCost(tx, schedule.current, breakdown, final=not tx.active)


class Pricing:
    def __init__(self, ctx: ServiceContext) -> None:
        self._ctx = ctx

    async def session_cost(self, transaction_id: int) -> SessionCost:
        """Running cost of an active session, final cost of an ended one."""
        async with self._ctx.uow() as uow:
            tx = await uow.transactions.get(transaction_id)
            if tx is None:
                raise NotFound("transaction", transaction_id)
            cost = await cost_in(uow, tx, self._ctx.clock.now())
            await uow.commit()  # keeps the pin made for a session that had none
        return cost

    async def total(self, transaction_id: int) -> str | None:
        """``ports.session_costs.SessionCosts``: the total, or None when no tariff applies."""
        try:
            cost = await self.session_cost(transaction_id)
        except ForecourtError:
            return None
        return cost.total.amount_text()

    async def billed(self, transaction_id: int) -> BilledCost | None:
        """``ports.session_costs.SessionCosts``: the itemised price, or None (no tariff)."""
        try:
            cost = await self.session_cost(transaction_id)
        except ForecourtError:
            return None
        return billed_cost(cost)


def billed_cost(cost: SessionCost) -> BilledCost:
    """The breakdown we bill, as the port's neutral amounts (major units)."""
    breakdown = cost.breakdown

    def summed(kind: LineKind) -> Decimal:
        minor = sum(line.amount.minor for line in breakdown.lines if line.kind is kind)
        return Money(minor, breakdown.currency).to_decimal()

    taxes = tuple(
        BilledTax(tax.name, tax.percent, line.amount.to_decimal())
        for tax, line in zip(
            cost.tariff.taxes, (x for x in breakdown.lines if x.kind is LineKind.TAX), strict=False
        )
    )
    return BilledCost(
        currency=breakdown.currency,
        before_taxes=breakdown.subtotal.to_decimal(),
        taxes=taxes,
        total=breakdown.total.to_decimal(),
        energy_wh=breakdown.energy_wh,
        fixed=summed(LineKind.SESSION_FEE),
        energy=summed(LineKind.ENERGY),
        parking=summed(LineKind.IDLE),
        idle_minutes=breakdown.idle_minutes,
        charging_ended_at=breakdown.charging_ended_at,
        tariff_code=breakdown.tariff_code,
        final=cost.final,
    )


@dataclass(frozen=True, slots=True)
class PriceBand:
    """One row of a time-of-day price table, in the tariff's local time ("24:00" = midnight)."""

    starts: str
    ends: str
    rate: str
    current: bool


def price_bands(tariff: Tariff, at: datetime) -> list[PriceBand]:
    """The whole day's energy prices, from midnight, local to the tariff's time zone.

    Before the first band's start the last band applies (it wraps past midnight), so a day
    that does not start with a band at 00:00 begins with the last band's price.
    """
    bands = list(tariff.energy_bands)
    starts = [band.starts_at.strftime("%H:%M") for band in bands]
    rows = [(starts[i], starts[i + 1] if i + 1 < len(bands) else "24:00", band)
            for i, band in enumerate(bands)]  # fmt: skip
    if starts[0] != "00:00":
        rows.insert(0, ("00:00", starts[0], bands[-1]))
    now = tariff.band_at(at)
    local = at.astimezone(tariff.zone).strftime("%H:%M")
    return [
        PriceBand(start, end, format_rate(band.price_per_kwh, tariff.currency, "kWh"),
                  band is now and start <= local < end)
        for start, end, band in rows
    ]  # fmt: skip


def price_text(tariff: Tariff, at: datetime) -> str:
    """The price as a driver reads it, $/kWh first (NEVI §680.116(a)(1) and (3)).

    Time-of-day prices list the whole day with the time zone, never only the next change
    ("until 16:00, then $0.58" read as a permanent price).
    """
    band = tariff.band_at(at)
    parts = [format_rate(band.price_per_kwh, tariff.currency, "kWh")]
    if len(tariff.energy_bands) > 1:
        table = ", ".join(f"{b.starts}–{b.ends} {b.rate}" for b in price_bands(tariff, at))
        parts[0] += f" now; by time of day ({tariff.timezone} time): {table}"
    return "; ".join([*parts, *price_fees(tariff)])


def price_fees(tariff: Tariff) -> list[str]:
    """What is added to the energy price, each in a few words."""
    fees = []
    if tariff.session_fee > 0:
        fees.append(f"session fee {Money.of(tariff.session_fee, tariff.currency)}")
    if tariff.idle_fee_per_minute > 0:
        idle = format_rate(tariff.idle_fee_per_minute, tariff.currency, "min")
        fees.append(f"idle fee {idle} after {tariff.idle_grace_minutes} min once charging ends")
    return fees + [f"{tax.name} {tax.percent}% added" for tax in tariff.taxes]


def fee_explanations(tariff: Tariff) -> list[str]:
    """Each fee explained in a sentence (NEVI: other fees clearly displayed and explained)."""
    out = [
        "Energy is billed per kWh delivered, at the price in force when the session starts; "
        "that price does not change during the session."
    ]
    if tariff.session_fee > 0:
        out.append(f"A fee of {Money.of(tariff.session_fee, tariff.currency)} per session.")
    if tariff.idle_fee_per_minute > 0:
        idle = format_rate(tariff.idle_fee_per_minute, tariff.currency, "min")
        out.append(
            f"Once charging ends, {idle} for each full minute the vehicle stays plugged in, "
            f"after {tariff.idle_grace_minutes} free minutes."
        )
    out += [f"{tax.name}: {tax.percent}% of the total, added." for tax in tariff.taxes]
    hold = Money.of(tariff.hold_amount, tariff.currency)
    out.append(
        f"Card payments place a temporary hold of {hold}; only the final amount is charged "
        "and the rest is released."
    )
    return out


def receipt_summary(cost: CostBreakdown) -> str:
    """One line for the station screen at the end (1.6 FinalCost priceText)."""
    kwh = cost.energy_wh / 1000
    minutes = cost.duration_s // 60
    return f"{kwh:.3f} kWh, {minutes} min, total {cost.total} (tax {cost.tax})"
