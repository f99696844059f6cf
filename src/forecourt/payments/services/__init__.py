"""Paying like at a gas pump: tariffs, holds, captures, receipts, reconciliation.

``build_payments`` assembles the services; ``PaymentServices.start()`` (server only) subscribes
to transaction events and runs the recovery pass now and then periodically.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime

from forecourt.domain.commands import CommandRecord, NotifyWebPaymentStarted, RemoteStop
from forecourt.domain.device import MessagePriority, MessageState, SetDisplayMessage
from forecourt.domain.errors import ForecourtError
from forecourt.domain.events import DomainEvent
from forecourt.domain.stations import ProtocolVersion
from forecourt.domain.transactions import Transaction
from forecourt.payments.domain.costing import CostBreakdown
from forecourt.payments.domain.payments import Payment, PaymentState
from forecourt.payments.ports import CardTerminal, PaymentProvider, ReceiptMailer
from forecourt.payments.services.cost_checks import CostChecks
from forecourt.payments.services.counter import Counter
from forecourt.payments.services.direct import DirectPayments
from forecourt.payments.services.display import StationPrices
from forecourt.payments.services.holds import Holds
from forecourt.payments.services.limits import (
    HOLD_STOP_SHARE,
    Usage,
    reached,
    running_energy_wh,
    session_limit,
    wants_increase,
)
from forecourt.payments.services.policy import PaymentPolicy
from forecourt.payments.services.prepaid import PrepaidCards
from forecourt.payments.services.pricing import Pricing, SessionCost, cost_in
from forecourt.payments.services.qr_codes import DYNAMIC_QR_MESSAGE_ID, DynamicCode, DynamicCodes
from forecourt.payments.services.receipts import Receipts
from forecourt.payments.services.reconciliation import Reconciliation
from forecourt.payments.services.recovery import Recovery
from forecourt.payments.services.running_cost import RunningCostPacer
from forecourt.payments.services.session_limits import SessionLimits, asked_limit
from forecourt.payments.services.settlement import Settlement
from forecourt.payments.services.station_tariffs import StationTariffs
from forecourt.payments.services.tariffs import Tariffs
from forecourt.ports.station_payments import PrepaidLimit
from forecourt.services.context import ServiceContext
from forecourt.services.remote_control import RemoteControl

__all__ = ["HOLD_STOP_SHARE", "PaymentPolicy", "PaymentServices", "build_payments"]

log = logging.getLogger("forecourt.payments")


@dataclass(slots=True)
class PaymentServices:
    ctx: ServiceContext
    remote: RemoteControl
    provider: PaymentProvider
    policy: PaymentPolicy
    tariffs: Tariffs
    pricing: Pricing
    display: StationPrices
    settlement: Settlement
    holds: Holds
    receipts: Receipts
    recovery: Recovery
    reconciliation: Reconciliation
    direct: DirectPayments
    station_tariffs: StationTariffs
    cost_checks: CostChecks
    counter: Counter
    qr_codes: DynamicCodes
    prepaid: PrepaidCards
    limits: SessionLimits
    _unsubscribe: list[Callable[[], None]] = field(default_factory=list)
    _sweeper: asyncio.Task[None] | None = None
    _pacer: RunningCostPacer[Payment | None] = field(
        default_factory=lambda: RunningCostPacer(PaymentPolicy().running_cost_interval_s)
    )
    _deferral: asyncio.Task[None] | None = None
    _stopping: set[int] = field(default_factory=set)
    #: Running sessions and the card payment found for each (None: none, looked up at
    #: ``_looked_up``); a meter value must not cost a payment query (issue 12).
    _linked: dict[int, Payment | None] = field(default_factory=dict)
    _looked_up: dict[int, datetime] = field(default_factory=dict)
    _asked_limits: dict[int, PrepaidLimit | None] = field(default_factory=dict)

    # -- lifecycle (server only) ----------------------------------------------------------------
    async def start(self) -> None:
        """Recover what a previous run left half done, then react to events and sweep."""
        try:
            await self.recovery.sweep(startup=True)
        except Exception:  # a provider outage must not keep the CSMS down; the loop retries
            log.exception("payments recovery at start-up failed")
        bus = self.ctx.bus
        self._unsubscribe = [
            bus.subscribe("transaction.", self.on_transaction_event),
            bus.subscribe("station.booted", self.display.on_event),
            bus.subscribe("token.authorized", self.display.on_event),
            bus.subscribe("tariff.published", self.display.on_event),
            bus.subscribe("station.booted", self.station_tariffs.on_event),
            bus.subscribe("payment.increased", self._forget_linked, delivery="every_node"),
            bus.subscribe("tariff.published", self.station_tariffs.on_event),
        ]
        self._sweeper = asyncio.create_task(self._sweep_forever(), name="periodic:payments-sweep")

    async def stop(self) -> None:
        for unsubscribe in self._unsubscribe:
            unsubscribe()
        self._unsubscribe = []
        if self._sweeper is not None:
            self._sweeper.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await self._sweeper
            self._sweeper = None
        if self._deferral is not None:
            self._deferral.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await self._deferral
            self._deferral = None
        await self.holds.drain()

    async def _sweep_forever(self) -> None:
        while True:
            await asyncio.sleep(self.policy.sweep_interval_s)
            try:
                if await self.ctx.leases("payments.recovery").held():  # one node sweeps
                    await self.recovery.sweep()
            except Exception:  # the loop must survive a bad pass; the next one retries
                log.exception("payments recovery pass failed")

    async def scan_to_pay(
        self, station_id: str, evse_id: int, email: str = "", code: str = ""
    ) -> Payment:
        """Scan-to-pay from a static code, or a dynamic one (C25: redeemed once, in time)."""
        if code:
            await self.qr_codes.redeem(code, station_id, evse_id)
            await self._web_payment_started(station_id, evse_id)
        return await self.holds.start_scan_to_pay(station_id, evse_id, email)

    async def show_dynamic_qr(
        self, station_id: str, evse_id: int
    ) -> tuple[DynamicCode, CommandRecord]:
        """C25: a fresh dynamic code on the EVSE's screen while it is idle, until it expires
        (2.1: a QR code; 2.0.1: the link; 1.6 has no display messages: the record says
        ``not_supported``)."""
        issued = self.qr_codes.issue(station_id, evse_id)
        message = SetDisplayMessage(
            DYNAMIC_QR_MESSAGE_ID + evse_id,
            issued.url,
            priority=MessagePriority.IN_FRONT,
            state=MessageState.IDLE,
            end=issued.expires_at.isoformat(),
            qr_code=True,
        )
        record = await self.remote.send(station_id, message, requested_by="payments")
        return issued, record

    async def _web_payment_started(self, station_id: str, evse_id: int) -> None:
        """C25: a 2.1 station is told a driver opened the payment page of its dynamic code (it
        shows the payment under way); a station that cannot be told changes nothing."""
        async with self.ctx.uow() as uow:
            station = await uow.stations.get(station_id)
        if station is None or station.protocol is not ProtocolVersion.V21:
            return
        notice = NotifyWebPaymentStarted(evse_id, max(1, round(self.policy.dynamic_qr_ttl_s)))
        try:
            await self.remote.send(station_id, notice, requested_by="payments")
        except ForecourtError as exc:  # offline, or busy: the payment goes on regardless
            log.info("web payment at %s/%s not notified: %s", station_id, evse_id, exc)

    async def _forget_linked(self, event: DomainEvent) -> None:
        """A hold grown outside the running-cost loop (C23 at a 2.1 station's terminal): the
        session's cached payment is read again, with its new authorized amount."""
        tx_id = event.data.get("transaction_id")
        if tx_id is not None:
            self._linked.pop(int(str(tx_id)), None)

    # -- transactions ---------------------------------------------------------------------------
    async def on_transaction_event(self, event: DomainEvent) -> None:
        tx_id = int(str(event.data["transaction_id"]))
        if event.topic == "transaction.ended":
            self._linked.pop(tx_id, None)
            self._looked_up.pop(tx_id, None)
            self._asked_limits.pop(tx_id, None)
            await self.settlement.link(tx_id)
            payment = await self.settlement.settle(tx_id)
            if payment is None:
                await self._final_cost_without_card(tx_id)
        elif event.topic in ("transaction.started", "transaction.updated"):
            payment = await self._payment_of(tx_id, bool(event.data.get("id_token")))
            await self._while_running(tx_id, payment)

    async def _payment_of(self, tx_id: int, has_token: bool) -> Payment | None:
        """The card payment of a running session, looked up once; a session without one is
        looked at again only every ``running_cost_interval_s`` (a hold authorized after the
        start is still claimed then, and at the latest when the session ends)."""
        if tx_id in self._linked:
            found = self._linked[tx_id]
            if found is not None or not self._look_again(tx_id):
                return found
        if not has_token:
            return None
        self._looked_up[tx_id] = self.ctx.clock.now()
        payment = self._linked[tx_id] = await self.settlement.link(tx_id)
        if payment is not None:
            await self.counter.trigger(payment)
        return payment

    def _look_again(self, tx_id: int) -> bool:
        last = self._looked_up.get(tx_id)
        elapsed = (self.ctx.clock.now() - last).total_seconds() if last else None
        return elapsed is None or elapsed >= self.policy.running_cost_interval_s

    async def _while_running(self, tx_id: int, payment: Payment | None) -> None:
        """Running cost to the station, paced (a throttled update is deferred, never
        dropped); stop before the cost outgrows the card's hold."""
        now = self.ctx.clock.now()
        if not self._pacer.may_send(tx_id, now, payment):
            self._flush_later()
            return
        await self._running_cost(tx_id, payment, now)

    async def flush_deferred(self) -> None:
        """Send the deferred running costs that are due (the timer calls this; tests too,
        with a clock they move)."""
        now = self.ctx.clock.now()
        for tx_id, payment in self._pacer.take_due(now):
            await self._running_cost(tx_id, payment, now)

    def _flush_later(self) -> None:
        if self._deferral is None or self._deferral.done():
            self._deferral = asyncio.create_task(self._flush_when_due())

    async def _flush_when_due(self) -> None:
        while (due := self._pacer.next_due()) is not None:
            wait = (due - self.ctx.clock.now()).total_seconds()
            await asyncio.sleep(max(wait, 0.0))
            await self.flush_deferred()

    async def _running_cost(self, tx_id: int, payment: Payment | None, now: datetime) -> None:
        cost = await self._cost(tx_id, now)
        if cost is not None and cost.transaction.active:
            await self.display.running_cost(cost)
        tx = cost.transaction if cost is not None else await self._transaction(tx_id)
        if tx is None or not tx.active:
            return
        held = payment if payment is not None and payment.state is PaymentState.IN_SESSION else None
        if held is not None and cost is not None and wants_increase(held, cost.total.minor):
            held = self._linked[tx.id] = await self.holds.increase(held)  # C23
        limit = session_limit(held, await self._asked(tx))
        if limit is not None:  # energy, time and SoC limits hold without a tariff too
            await self._guard(limit, tx, cost, now)

    async def _guard(
        self, limit: PrepaidLimit, tx: Transaction, cost: SessionCost | None, now: datetime
    ) -> None:
        """Stop the session when it reaches its limit (the one rule, ``limits.reached``)."""
        used = Usage(
            cost=None if cost is None else cost.total,
            energy_wh=running_energy_wh(tx),
        )
        why = reached(limit, tx, used, now)
        if why is None or tx.id in self._stopping:
            return
        self._stopping.add(tx.id)
        log.info("transaction %s reached its limit (%s), stopping", tx.id, why.value)
        await self.remote.send(tx.station_id, RemoteStop(tx.station_tx_id), requested_by="payments")

    async def _transaction(self, tx_id: int) -> Transaction | None:
        async with self.ctx.uow() as uow:
            return await uow.transactions.get(tx_id)

    async def _asked(self, tx: Transaction) -> PrepaidLimit | None:
        """The operator's limit of a running session, looked up once."""
        if tx.id not in self._asked_limits:
            async with self.ctx.uow() as uow:
                self._asked_limits[tx.id] = await asked_limit(uow, tx)
        return self._asked_limits[tx.id]

    async def _cost(self, tx_id: int, now: datetime) -> SessionCost | None:
        try:
            async with self.ctx.uow() as uow:
                tx = await uow.transactions.get(tx_id)
                if tx is None:
                    return None
                cost = await cost_in(uow, tx, now)
                await uow.commit()
            return cost
        except ForecourtError:
            return None  # no tariff applies: nothing to price

    async def _final_cost_without_card(self, tx_id: int) -> None:
        self._pacer.forget(tx_id)
        cost = await self._cost(tx_id, self.ctx.clock.now())
        if cost is not None:
            await self.display.final_cost(cost.transaction, cost.breakdown, "")

    async def after_settled(self, payment: Payment) -> None:
        """Receipt by email, final cost on the station's screen (card sessions)."""
        if payment.transaction_id is not None:
            self._pacer.forget(payment.transaction_id)
            self._stopping.discard(payment.transaction_id)
        if payment.state is not PaymentState.CAPTURED:
            return
        with contextlib.suppress(OSError, RuntimeError, ForecourtError):
            await self.receipts.email(payment)
        async with self.ctx.uow() as uow:
            tx = await uow.transactions.get(payment.transaction_id or 0)
        if tx is not None and payment.breakdown:
            url = self.policy.url(f"/receipts/{payment.receipt_code}")
            await self.display.final_cost(tx, CostBreakdown.from_dict(payment.breakdown), url)


def build_payments(
    ctx: ServiceContext,
    remote: RemoteControl,
    provider: PaymentProvider,
    mailer: ReceiptMailer,
    policy: PaymentPolicy | None = None,
    terminal: CardTerminal | None = None,
) -> PaymentServices:
    policy = policy or PaymentPolicy()
    tariffs = Tariffs(ctx)
    settlement = Settlement(ctx, provider, policy, terminal)
    holds = Holds(ctx, provider, remote, tariffs, settlement, policy)
    prepaid = PrepaidCards(ctx)
    recovery = Recovery(ctx, provider, settlement, policy)
    services = PaymentServices(
        ctx=ctx,
        remote=remote,
        provider=provider,
        policy=policy,
        tariffs=tariffs,
        pricing=Pricing(ctx),
        display=StationPrices(ctx, remote, policy),
        settlement=settlement,
        holds=holds,
        receipts=Receipts(ctx, mailer, policy),
        recovery=recovery,
        reconciliation=Reconciliation(ctx, provider, recovery, policy),
        _pacer=RunningCostPacer(policy.running_cost_interval_s),
        station_tariffs=StationTariffs(ctx, remote, tariffs, policy),
        cost_checks=CostChecks(ctx),
        direct=DirectPayments(ctx, settlement, policy, prepaid),
        prepaid=prepaid,
        counter=Counter(holds, settlement, prepaid),
        qr_codes=DynamicCodes(ctx, policy),
        limits=SessionLimits(ctx, remote),
    )
    settlement.after_settled.append(services.after_settled)
    return services
