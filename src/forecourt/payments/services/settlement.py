"""From a held card to exactly one capture (or release): linking, settling, the outbox.

Each step is a state change committed *before* the provider is called; the provider call
carries the payment's idempotency key for that step. Whoever runs a step — an event handler,
the periodic sweep, the recovery pass at start-up, another node — the provider sees the same
key and moves money once.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Awaitable, Callable
from datetime import datetime

from forecourt.domain.errors import ForecourtError
from forecourt.domain.money import Money
from forecourt.domain.transactions import PaymentMethod, Transaction, payment_method_for
from forecourt.payments.domain.payments import (
    LOCAL_FLOWS,
    REUSABLE_TOKEN_FLOWS,
    TERMINAL_FLOWS,
    HoldStatus,
    Payment,
    PaymentFlow,
    PaymentState,
    ProviderRejected,
    ProviderUnavailable,
    new_receipt_code,
)
from forecourt.payments.domain.tariffs import Tariff
from forecourt.payments.ports import (
    PAYMENT_STORE,
    TARIFF_STORE,
    CardTerminal,
    HoldResult,
    PaymentProvider,
)
from forecourt.payments.services.policy import PaymentPolicy
from forecourt.payments.services.pricing import cost_in
from forecourt.ports.repositories import UnitOfWork
from forecourt.services.context import ServiceContext

log = logging.getLogger("forecourt.payments")

#: Why a direct payment (OCPP 2.1) waits for an operator: its station never settled it.
STATION_SILENT = "the station never reported its settlement (NotifySettlement)"

#: Called after a capture or release is recorded (receipts, station screen, events).
AfterSettled = Callable[[Payment], Awaitable[None]]


class Settlement:
    def __init__(
        self,
        ctx: ServiceContext,
        provider: PaymentProvider,
        policy: PaymentPolicy,
        terminal: CardTerminal | None = None,
    ) -> None:
        self._ctx = ctx
        self._provider = provider
        self._terminal = terminal
        self._policy = policy
        self._locks: dict[int, asyncio.Lock] = {}
        self.after_settled: list[AfterSettled] = []

    # -- linking a session ------------------------------------------------------------------
    async def link(self, transaction_id: int) -> Payment | None:
        """Attach the held payment whose token started this session; set its payment method."""
        async with self._ctx.uow() as uow:
            tx = await uow.transactions.get_for_update(transaction_id)
            if tx is None or not tx.id_token:
                return None
            payment = await uow.repository(PAYMENT_STORE).by_transaction(tx.id)
            if payment is None:
                payment = await self._claim_hold(uow, tx)
            method = await _method_of(uow, tx, payment)
            if method is not None and method is not tx.payment_method:
                tx.payment_method = method
                await uow.transactions.save(tx)
            await uow.commit()
        return payment

    async def _claim_hold(self, uow: UnitOfWork, tx: Transaction) -> Payment | None:
        now = self._ctx.clock.now()
        held = [
            p
            for p in await uow.repository(PAYMENT_STORE).by_token(tx.id_token or "")
            if p.transaction_id is None
        ]
        payment = next((p for p in held if p.state is PaymentState.AUTHORIZED), None)
        if payment is None:
            return None
        payment.transaction_id = tx.id
        payment.station_id, payment.evse_id = tx.station_id, tx.evse_id
        payment.move(PaymentState.IN_SESSION, now)
        if payment.tariff:
            await uow.repository(TARIFF_STORE).pin(tx.id, Tariff.from_dict(payment.tariff), now)
        await _block_token(uow, payment)  # one hold, one session
        await uow.repository(PAYMENT_STORE).save(payment)
        return payment

    # -- the session ended: fix the amount --------------------------------------------------
    async def settle(self, transaction_id: int) -> Payment | None:
        """Fix the final amount of an ended session's payment, then capture or release it."""
        now = self._ctx.clock.now()
        async with self._ctx.uow() as uow:
            tx = await uow.transactions.get(transaction_id)
            found = await uow.repository(PAYMENT_STORE).by_transaction(transaction_id)
            if tx is None or tx.active or found is None:
                return found
            payment = await uow.repository(PAYMENT_STORE).get_for_update(found.id)
            if payment is None or payment.state is not PaymentState.IN_SESSION:
                return payment
            cost = await cost_in(uow, tx, now)
            payment.breakdown = cost.breakdown.to_dict()
            payment.final_minor = cost.total.minor
            payment.receipt_code = payment.receipt_code or new_receipt_code()
            owed = PaymentState.TO_CAPTURE if cost.total.minor > 0 else PaymentState.TO_RELEASE
            payment.move(owed, now)
            await uow.repository(PAYMENT_STORE).save(payment)
            await uow.commit()
        return await self.execute(payment.id)

    async def release_unused(self, payment_id: int, message: str) -> Payment | None:
        """No session will use this hold (start refused, timed out, page abandoned)."""
        now = self._ctx.clock.now()
        async with self._ctx.uow() as uow:
            payment = await uow.repository(PAYMENT_STORE).get_for_update(payment_id)
            if payment is None or payment.state not in (
                PaymentState.PENDING,
                PaymentState.AUTHORIZED,
            ):
                return payment
            payment.message = message
            payment.move(PaymentState.TO_RELEASE, now)
            await _block_token(uow, payment)
            await uow.repository(PAYMENT_STORE).save(payment)
            await uow.commit()
        return await self.execute(payment.id)

    async def drop_unheld(self, payment_id: int, message: str) -> Payment | None:
        """A pending payment the provider holds nothing for: nothing to release, ever."""
        now = self._ctx.clock.now()
        async with self._ctx.uow() as uow:
            payment = await uow.repository(PAYMENT_STORE).get_for_update(payment_id)
            if payment is None or payment.state is not PaymentState.PENDING:
                return payment
            payment.message = message
            payment.move(PaymentState.DECLINED, now)
            await _block_token(uow, payment)
            await uow.repository(PAYMENT_STORE).save(payment)
            await uow.commit()
        return payment

    # -- the outbox ---------------------------------------------------------------------------
    async def execute(self, payment_id: int) -> Payment | None:
        """Do the owed capture or release now (idempotent; one at a time per payment here,
        and the idempotency key covers other processes)."""
        lock = self._locks.setdefault(payment_id, asyncio.Lock())
        async with lock:
            done = await self._execute(payment_id)
        if not lock.locked():
            self._locks.pop(payment_id, None)
        return done

    async def _execute(self, payment_id: int) -> Payment | None:
        async with self._ctx.uow() as uow:
            payment = await uow.repository(PAYMENT_STORE).get(payment_id)
        if payment is None or payment.state not in (
            PaymentState.TO_CAPTURE,
            PaymentState.TO_RELEASE,
        ):
            return payment
        if payment.flow is PaymentFlow.DIRECT_PAYMENT:
            return await self._await_station(payment)
        result: HoldResult | None
        try:
            result = await self._call_provider(payment)
        except ProviderUnavailable as exc:
            return await self._retry_later(payment, str(exc))
        except ProviderRejected as exc:
            result = await self._after_rejection(payment)
            if result is None:
                return await self._escalate(payment, f"provider refused: {exc}")
        done = await self._record_result(payment, result)
        if done.state in (PaymentState.CAPTURED, PaymentState.RELEASED):
            for hook in self.after_settled:
                await _safely(hook, done)
        return done

    async def _await_station(self, payment: Payment) -> Payment:
        """The station moves the money and its NotifySettlement ends the payment; one that
        never comes is escalated after the policy's wait (a late one still settles it)."""
        since = payment.updated_at or payment.created_at
        waited = (self._ctx.clock.now() - since).total_seconds()
        if waited < self._policy.station_settlement_timeout_s:
            return payment
        return await self._escalate(payment, STATION_SILENT)

    async def _call_provider(self, payment: Payment) -> HoldResult:
        """Move the money where it is held: the provider, a card terminal, or the till."""
        if not payment.provider_ref:
            raise ProviderRejected("no provider hold to settle")
        if payment.flow in LOCAL_FLOWS:
            return _kept_locally(payment)
        if payment.flow in TERMINAL_FLOWS:
            return await self._settle_at_terminal(payment)
        if payment.state is PaymentState.TO_CAPTURE:
            amount = payment.capture_amount()
            return await self._provider.capture(
                payment.provider_ref, amount, idempotency_key=payment.key("capture")
            )
        return await self._provider.release(
            payment.provider_ref, idempotency_key=payment.key("release")
        )

    async def _settle_at_terminal(self, payment: Payment) -> HoldResult:
        terminal = self.terminal()
        capture = payment.state is PaymentState.TO_CAPTURE
        amount = payment.capture_amount() if capture else Money(0, payment.currency)
        step = "capture" if capture else "release"
        return await terminal.settle(
            payment.provider_ref, amount, idempotency_key=payment.key(step)
        )

    def terminal(self) -> CardTerminal:
        if self._terminal is None:
            raise ProviderRejected("no card terminal is configured")
        return self._terminal

    async def _after_rejection(self, payment: Payment) -> HoldResult | None:
        """A refused call may still have happened earlier (a lost answer): ask the provider."""
        if not payment.provider_ref or payment.flow in LOCAL_FLOWS:
            return None
        try:
            if payment.flow in TERMINAL_FLOWS:
                current = await self.terminal().get_authentication(payment.provider_ref)
            else:
                current = await self._provider.get_hold(payment.provider_ref)
        except (ProviderUnavailable, ProviderRejected):
            return None
        wanted = (
            HoldStatus.CAPTURED if payment.state is PaymentState.TO_CAPTURE else HoldStatus.CANCELED
        )
        return current if current.status is wanted else None

    async def _record_result(self, payment: Payment, result: HoldResult) -> Payment:
        now = self._ctx.clock.now()
        async with self._ctx.uow() as uow:
            current = await uow.repository(PAYMENT_STORE).get_for_update(payment.id)
            assert current is not None
            if current.state is PaymentState.TO_CAPTURE and result.status is HoldStatus.CAPTURED:
                _captured(current, result, now)
            elif current.state is PaymentState.TO_RELEASE and result.status is HoldStatus.CANCELED:
                current.move(PaymentState.RELEASED, now)
            elif not current.state.final and current.state is not PaymentState.CAPTURED:
                current.last_error = f"provider answered {result.status.value}"
                current.move(PaymentState.ESCALATED, now)
            await uow.repository(PAYMENT_STORE).save(current)
            self._announce(uow, current)
            await uow.commit()
        return current

    async def _retry_later(self, payment: Payment, error: str) -> Payment:
        now = self._ctx.clock.now()
        async with self._ctx.uow() as uow:
            current = await uow.repository(PAYMENT_STORE).get_for_update(payment.id)
            assert current is not None
            current.attempts += 1
            current.last_error = error
            current.next_attempt_at = self._policy.next_attempt(now, current.attempts)
            if current.attempts >= self._policy.max_attempts:
                current.move(PaymentState.ESCALATED, now)
            await uow.repository(PAYMENT_STORE).save(current)
            await uow.commit()
        log.warning("payment %s: %s (attempt %d)", current.public_id, error, current.attempts)
        return current

    async def _escalate(self, payment: Payment, reason: str) -> Payment:
        escalated = await self.escalate(payment.id, reason)
        assert escalated is not None
        return escalated

    async def escalate(self, payment_id: int, reason: str) -> Payment | None:
        """Hand a payment to an operator (reconciliation lists it); a settled one stays."""
        now = self._ctx.clock.now()
        async with self._ctx.uow() as uow:
            current = await uow.repository(PAYMENT_STORE).get_for_update(payment_id)
            if current is None or current.state.final:
                return current
            current.last_error = reason[:500]
            current.move(PaymentState.ESCALATED, now)
            await uow.repository(PAYMENT_STORE).save(current)
            self._announce(uow, current)
            await uow.commit()
        return current

    def _announce(self, uow: UnitOfWork, payment: Payment) -> None:
        """The payment's new state, staged in the unit of work that stores it (ADR 0012)."""
        self._ctx.stage_event(
            uow,
            f"payment.{payment.state.value}",
            payment.station_id,
            payment_id=payment.id,
            public_id=payment.public_id,
            transaction_id=payment.transaction_id,
            amount_minor=payment.captured_minor,
            currency=payment.currency,
        )


def _kept_locally(payment: Payment) -> HoldResult:
    """Money we hold already: the till keeps what the session cost and the rest is change
    (cash: recorded, not integrated with a drawer); a prepaid card's credit is debited."""
    prepaid = payment.authorized
    if payment.state is PaymentState.TO_CAPTURE:
        kept = payment.capture_amount()
        return HoldResult(payment.provider_ref, HoldStatus.CAPTURED, prepaid, prepaid, kept)
    return HoldResult(payment.provider_ref, HoldStatus.CANCELED, prepaid, prepaid)


def _captured(payment: Payment, result: HoldResult, now: datetime) -> None:
    amount = result.captured or payment.capture_amount()
    payment.captured_minor = amount.minor
    payment.move(PaymentState.CAPTURED, now)
    if payment.final_minor is not None and payment.final_minor > amount.minor:
        # The session cost more than the card allowed: what is missing needs a person.
        short = Money(payment.final_minor - amount.minor, payment.currency)
        payment.last_error = f"session cost exceeds the authorised amount by {short}"
        payment.move(PaymentState.ESCALATED, now)


async def _method_of(
    uow: UnitOfWork, tx: Transaction, payment: Payment | None
) -> PaymentMethod | None:
    """Card and scan-to-pay sessions say so; others by how their token was issued."""
    if payment is not None:
        return payment.method
    record = await uow.tokens.get(tx.id_token or "")
    return None if record is None else payment_method_for(record.kind)


async def _block_token(uow: UnitOfWork, payment: Payment) -> None:
    if payment.flow in REUSABLE_TOKEN_FLOWS:
        return  # the card's own token: its credit, not the token, runs out
    value = payment.id_token
    record = await uow.tokens.get(value) if value else None
    if record is not None and not record.blocked:
        record.blocked = True
        await uow.tokens.save(record)


async def _safely(hook: AfterSettled, payment: Payment) -> None:
    try:
        await hook(payment)
    except (ForecourtError, OSError, RuntimeError):  # side effects must never undo money
        log.exception("after-settlement step failed for payment %s", payment.public_id)
