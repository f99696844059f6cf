"""Receipts: itemised, on the web and by email, found later by card last digits, date and
amount; and period statements for fleet cards (RFID / accounts billed per period).

Finding a receipt is public, so it gives away as little as it can: the driver names three
things they know (the card's last 4 digits, the day, the amount charged), gets at most one
receipt back, and an address that keeps missing waits longer and longer between tries.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta

from forecourt.domain.errors import ForecourtError, InvalidInput, NotFound
from forecourt.domain.money import Money, parse_decimal
from forecourt.domain.transactions import Transaction, TransactionState
from forecourt.domain.zones import zone_of
from forecourt.payments.domain.costing import CostBreakdown
from forecourt.payments.domain.payments import Payment, PaymentState
from forecourt.payments.domain.tariffs import Tariff
from forecourt.payments.ports import PAYMENT_STORE, PaymentFilter, ReceiptEmail, ReceiptMailer
from forecourt.payments.services.policy import PaymentPolicy
from forecourt.payments.services.pricing import cost_in
from forecourt.ports.repositories import TransactionFilter, UnitOfWork
from forecourt.services.context import ServiceContext
from forecourt.services.throttle import BackOff, BackOffThrottle, requester_key

log = logging.getLogger("forecourt.payments")

RECEIPT_STATES = (PaymentState.CAPTURED, PaymentState.ESCALATED)

#: Public look-ups that find nothing, per address: 5 free, then 1 min, 2 min ... up to 1 h.
LOOKUP_MISSES = BackOff(5, timedelta(minutes=1), timedelta(hours=1), timedelta(hours=6))
MAX_TRACKED_ADDRESSES = 50_000


class LookupThrottled(ForecourtError):
    """Too many receipt look-ups that found nothing from this address: wait."""

    def __init__(self, retry_after_s: float) -> None:
        super().__init__("too many attempts: try again later")
        self.retry_after_s = retry_after_s


@dataclass(frozen=True, slots=True)
class Receipt:
    payment: Payment
    transaction: Transaction | None
    breakdown: CostBreakdown | None
    site_name: str
    site_address: str
    connector_type: str
    url: str
    timezone: str

    @property
    def charged(self) -> Money:
        return Money(self.payment.captured_minor, self.payment.currency)

    @property
    def released(self) -> Money:
        released = self.payment.authorized_minor - self.payment.captured_minor
        return Money(max(released, 0), self.payment.currency)

    def local(self, at: datetime | None) -> str:
        if at is None:
            return "-"
        return at.astimezone(zone_of(self.timezone)).strftime("%Y-%m-%d %H:%M %Z")


@dataclass(frozen=True, slots=True)
class StatementLine:
    transaction: Transaction
    total: Money


@dataclass(frozen=True, slots=True)
class Statement:
    group: str
    since: datetime
    until: datetime
    lines: list[StatementLine]

    def totals(self) -> dict[str, Money]:
        out: dict[str, Money] = {}
        for line in self.lines:
            code = line.total.currency
            out[code] = out.get(code, Money(0, code)) + line.total
        return out


class Receipts:
    def __init__(self, ctx: ServiceContext, mailer: ReceiptMailer, policy: PaymentPolicy) -> None:
        self._ctx = ctx
        self._mailer = mailer
        self._policy = policy
        self.lookups = BackOffThrottle(ctx.clock, LOOKUP_MISSES, MAX_TRACKED_ADDRESSES)

    async def by_code(self, code: str) -> Receipt:
        async with self._ctx.uow() as uow:
            payment = await uow.repository(PAYMENT_STORE).by_receipt_code(code.strip().upper())
            if payment is None or payment.state not in RECEIPT_STATES:
                raise NotFound("receipt", code)
            return await self._receipt(uow, payment)

    async def for_payment(self, payment: Payment) -> Receipt:
        async with self._ctx.uow() as uow:
            return await self._receipt(uow, payment)

    async def find_mine(self, last4: str, day: date, amount: str, address: str) -> Receipt:
        """The driver's receipt: card ending ``last4``, started on ``day``, ``amount`` charged.

        At most one (the latest if several match); NotFound when none does, and each miss
        counts against ``address`` (LookupThrottled once it must wait).
        """
        self._admit(address)
        charged = parse_decimal(amount.strip().lstrip("$€£"), "the amount charged")
        matches = [r for r in await self.find(last4, day) if r.charged.to_decimal() == charged]
        if not matches:
            self._missed(address)
            raise NotFound("receipt", f"card …{last4} on {day} for {amount}")
        return matches[0]

    async def by_public_code(self, code: str, address: str) -> Receipt:
        """``by_code`` for anyone: wrong codes count against ``address`` like other misses."""
        self._admit(address)
        try:
            return await self.by_code(code)
        except NotFound:
            self._missed(address)
            raise

    def _admit(self, address: str) -> None:
        key = requester_key(address)
        if not self.lookups.admit(key):
            raise LookupThrottled(self.lookups.wait_s(key))

    def _missed(self, address: str) -> None:
        wait_s = self.lookups.failed(requester_key(address))
        if wait_s:
            raise LookupThrottled(wait_s)

    async def find(self, last4: str, day: date) -> list[Receipt]:
        """Receipts of sessions paid with a card ending in ``last4`` that started on ``day``
        (the station's local date). For operators (CLI); drivers use ``find_mine``."""
        if len(last4) != 4 or not last4.isdigit():
            raise InvalidInput("give the last 4 digits of the card")
        start = datetime.combine(day, time(), tzinfo=UTC)
        flt = PaymentFilter(
            states=RECEIPT_STATES,
            card_last4=last4,
            since=start - timedelta(days=1),  # local dates straddle UTC days
            until=start + timedelta(days=2),
            limit=50,
        )
        async with self._ctx.uow() as uow:
            found = [
                await self._receipt(uow, p) for p in await uow.repository(PAYMENT_STORE).list(flt)
            ]
        return [r for r in found if _local_day(r) == day]

    async def _receipt(self, uow: UnitOfWork, payment: Payment) -> Receipt:
        tx = await uow.transactions.get(payment.transaction_id) if payment.transaction_id else None
        station = await uow.stations.get(payment.station_id) if payment.station_id else None
        site = await uow.sites.get(station.site_id) if station and station.site_id else None
        connector_type = ""
        if station is not None and tx is not None:
            evse = station.evse(tx.evse_id)
            connector = evse.connector(tx.connector_id) if evse else None
            connector_type = connector.type.value if connector else ""
        tariff = Tariff.from_dict(payment.tariff) if payment.tariff else None
        return Receipt(
            payment=payment,
            transaction=tx,
            breakdown=CostBreakdown.from_dict(payment.breakdown) if payment.breakdown else None,
            site_name=site.name if site else "",
            site_address=site.address if site else "",
            connector_type=connector_type,
            url=self._policy.url(f"/receipts/{payment.receipt_code}"),
            timezone=tariff.timezone if tariff else (site.timezone if site else "UTC"),
        )

    async def email(self, payment: Payment) -> bool:
        """Send the receipt if the driver left an address; False when there is none."""
        if not payment.email or payment.state not in RECEIPT_STATES:
            return False
        receipt = await self.for_payment(payment)
        subject = f"Your charging receipt {payment.receipt_code}: {receipt.charged}"
        await self._mailer.send(ReceiptEmail(payment.email, subject, receipt_text(receipt)))
        return True

    async def statement(self, group: str, since: datetime, until: datetime) -> Statement:
        """Ended sessions of a fleet's cards in [since, until), each priced by its tariff."""
        if until <= since:
            raise InvalidInput("until must be after since")
        async with self._ctx.uow() as uow:
            members = await uow.tokens.group_members(group)
            if not members:
                raise NotFound("token group", group)
            lines = []
            for token in members:
                flt = TransactionFilter(
                    id_token=token,
                    state=TransactionState.ENDED,
                    since=since,
                    until=until,
                    limit=1000,
                )
                for tx in await uow.transactions.list(flt):
                    cost = await cost_in(uow, tx, self._ctx.clock.now())
                    lines.append(StatementLine(tx, cost.total))
            await uow.commit()  # keeps tariff pins made for sessions that had none
        lines.sort(key=lambda line: line.transaction.started_at)
        return Statement(group, since, until, lines)


def _local_day(receipt: Receipt) -> date:
    tx = receipt.transaction
    at = tx.started_at if tx is not None else receipt.payment.created_at
    return at.astimezone(zone_of(receipt.timezone)).date()


def receipt_text(receipt: Receipt) -> str:
    """The receipt as plain text (email body; mirrors the web page)."""
    payment, tx, cost = receipt.payment, receipt.transaction, receipt.breakdown
    lines = [
        f"Forecourt charging receipt {payment.receipt_code}",
        f"Station {payment.station_id}, EVSE {payment.evse_id}"
        + (f", connector {tx.connector_id} ({receipt.connector_type})" if tx else ""),
    ]
    if receipt.site_name:
        lines.append(", ".join(part for part in (receipt.site_name, receipt.site_address) if part))
    if tx is not None:
        lines.append(
            f"Started {receipt.local(tx.started_at)}, ended {receipt.local(tx.stopped_at)}"
        )
    if cost is not None:
        lines.append(
            f"Energy {cost.energy_wh / 1000:.3f} kWh, duration {cost.duration_s // 60} min"
        )
        lines += [f"  {line.description}: {line.amount}" for line in cost.lines]
        lines.append(f"Total {cost.total} (of which tax {cost.tax})")
    card = f"{payment.card.brand} ending {payment.card.last4}".strip()
    lines.append(f"Charged {receipt.charged} to {card}; hold released: {receipt.released}")
    lines.append(f"Paid by: {payment.method.value.replace('_', ' ')}")
    if payment.taken_by:
        lines.append(f"Taken by: {payment.taken_by}")
    if payment.provider_ref:
        lines.append(f"Authorization reference: {payment.provider_ref}")
    lines.append(f"View it online: {receipt.url}")
    lines.append(f"Questions: contact the operator, quoting receipt {payment.receipt_code}.")
    return "\n".join(lines)
