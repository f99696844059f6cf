"""The recovery pass: finish from storage whatever events and crashes left half done.

Runs at start-up (before stations reconnect) and then periodically. Event delivery is only a
shortcut: everything here is derived from what is stored, so a lost event or a crash between
"session ended" and "captured" is finished on the next pass, with the same idempotency keys.
"""

from __future__ import annotations

import logging
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from datetime import datetime
from functools import partial

from forecourt.payments.domain.payments import (
    Payment,
    PaymentState,
    ProviderRejected,
    ProviderUnavailable,
)
from forecourt.payments.ports import PAYMENT_STORE, PaymentFilter, PaymentProvider
from forecourt.payments.services.holds import hold_request
from forecourt.payments.services.policy import PaymentPolicy
from forecourt.payments.services.settlement import Settlement
from forecourt.ports.repositories import TransactionFilter
from forecourt.services.context import ServiceContext

log = logging.getLogger("forecourt.payments")

_BATCH = 500


@dataclass(slots=True)
class SweepReport:
    executed: int = 0  # owed captures/releases attempted
    settled: int = 0  # ended sessions whose amount was fixed
    linked: int = 0  # sessions matched to their hold late
    released: int = 0  # unused holds released
    escalated: int = 0  # payments whose step failed unexpectedly, handed to an operator

    @property
    def total(self) -> int:
        return self.executed + self.settled + self.linked + self.released + self.escalated


class Recovery:
    def __init__(
        self,
        ctx: ServiceContext,
        provider: PaymentProvider,
        settlement: Settlement,
        policy: PaymentPolicy,
    ) -> None:
        self._ctx = ctx
        self._provider = provider
        self._settlement = settlement
        self._policy = policy

    async def sweep(self, *, startup: bool = False) -> SweepReport:
        """One pass. ``startup`` retries owed calls now, whatever their back-off said."""
        report = SweepReport()
        now = self._ctx.clock.now()
        await self._owed(report, now, startup)
        await self._ended_sessions(report)
        await self._unlinked_holds(report, now)
        await self._abandoned_pages(report, now)
        if report.total:
            log.info("payments recovery: %s", report)
        return report

    async def _list(self, *states: PaymentState) -> list[Payment]:
        async with self._ctx.uow() as uow:
            return await uow.repository(PAYMENT_STORE).list(
                PaymentFilter(states=states, limit=_BATCH)
            )

    async def _isolated(
        self, report: SweepReport, payment: Payment, step: Callable[[], Awaitable[object]]
    ) -> bool:
        """Run one payment's step; an unexpected failure escalates that payment (an operator
        reconciles it) instead of wedging the sweep for every payment after it."""
        try:
            await step()
        except Exception as exc:  # isolation is the point: log, escalate, go on
            log.exception("payment %s: settlement step failed", payment.public_id)
            reason = f"settlement failed: {type(exc).__name__}: {exc}"
            try:
                await self._settlement.escalate(payment.id, reason)
                report.escalated += 1
            except Exception:  # storage down: the next pass tries again
                log.exception("payment %s: could not escalate", payment.public_id)
            return False
        return True

    async def _owed(self, report: SweepReport, now: datetime, startup: bool) -> None:
        for payment in await self._list(PaymentState.TO_CAPTURE, PaymentState.TO_RELEASE):
            due = payment.next_attempt_at is None or payment.next_attempt_at <= now
            if (startup or due) and await self._isolated(
                report, payment, partial(self._settlement.execute, payment.id)
            ):
                report.executed += 1

    async def _ended_sessions(self, report: SweepReport) -> None:
        for payment in await self._list(PaymentState.IN_SESSION):
            await self._isolated(report, payment, partial(self._settle, report, payment))

    async def _settle(self, report: SweepReport, payment: Payment) -> None:
        if payment.transaction_id is None:
            raise RuntimeError("payment in session without a transaction")
        settled = await self._settlement.settle(payment.transaction_id)
        if settled is not None and settled.state is not PaymentState.IN_SESSION:
            report.settled += 1

    def _expired(self, payment: Payment, now: datetime) -> bool:
        expires = self._policy.expires_at(payment)
        return expires is not None and expires <= now

    async def _unlinked_holds(self, report: SweepReport, now: datetime) -> None:
        for payment in await self._list(PaymentState.AUTHORIZED):
            await self._isolated(
                report, payment, partial(self._unlinked_hold, report, payment, now)
            )

    async def _unlinked_hold(self, report: SweepReport, payment: Payment, now: datetime) -> None:
        started = await self._session_of(payment)
        if started is not None:
            await self._settlement.link(started)
            await self._settlement.settle(started)
            report.linked += 1
        elif self._expired(payment, now):
            minutes = round(self._policy.start_timeout_s / 60)
            message = f"No charging started within {minutes} min; your hold was released."
            await self._settlement.release_unused(payment.id, message)
            report.released += 1

    async def _session_of(self, payment: Payment) -> int | None:
        flt = TransactionFilter(id_token=payment.id_token, since=payment.created_at, limit=5)
        async with self._ctx.uow() as uow:
            sessions = await uow.transactions.list(flt)
        unpaid = [
            tx for tx in sessions if tx.station_id == payment.station_id or not payment.station_id
        ]
        return unpaid[-1].id if unpaid else None  # the first session after the hold

    async def _abandoned_pages(self, report: SweepReport, now: datetime) -> None:
        message = "The card page was not completed in time; nothing was charged."
        for payment in await self._list(PaymentState.PENDING):
            if self._expired(payment, now):
                await self._isolated(
                    report, payment, partial(self._abandoned_page, report, payment, message)
                )

    async def _abandoned_page(self, report: SweepReport, payment: Payment, message: str) -> None:
        if not payment.provider_ref:
            known = await self._learn_reference(payment)
            if known is None:
                return  # the provider did not answer: the next pass asks again
            if not known:  # the provider holds nothing for it: drop it here too
                await self._settlement.drop_unheld(payment.id, message)
                report.released += 1
                return
        await self._settlement.release_unused(payment.id, message)
        report.released += 1

    async def _learn_reference(self, payment: Payment) -> bool | None:
        """A crash after the provider made the hold but before we stored its reference:
        asking again with the same idempotency key returns the same hold. False: the
        provider refuses (there is no hold); None: it did not answer."""
        request = hold_request(payment, self._policy, reader_id="")
        try:
            result = await self._provider.create_hold(request, idempotency_key=payment.key("hold"))
        except (ProviderUnavailable, ProviderRejected) as exc:
            log.warning("payment %s: hold reference unknown (%s)", payment.public_id, exc)
            return False if isinstance(exc, ProviderRejected) else None
        async with self._ctx.uow() as uow:
            current = await uow.repository(PAYMENT_STORE).get_for_update(payment.id)
            if current is None:
                return None
            current.provider_ref = result.provider_ref
            await uow.repository(PAYMENT_STORE).save(current)
            await uow.commit()
        return True
