"""Reconciliation: our payments against the provider's holds; fix what is safe, escalate the rest.

Fixed automatically (idempotent, never takes more money than decided):
  owed captures/releases, ended sessions not yet settled, unused or abandoned holds, a provider
  hold still open although we released or captured it, a provider hold we never heard of.
Escalated to an operator (money already moved in a way we did not decide):
  a capture without a session, a captured amount that differs from ours, a capture of a hold we
  released, a session that cost more than the card allowed.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta
from enum import StrEnum

from forecourt.domain.money import Money
from forecourt.payments.domain.payments import (
    HoldStatus,
    Payment,
    PaymentState,
    ProviderRejected,
    ProviderUnavailable,
)
from forecourt.payments.ports import PAYMENT_STORE, HoldResult, PaymentFilter, PaymentProvider
from forecourt.payments.services.policy import PaymentPolicy
from forecourt.payments.services.recovery import Recovery
from forecourt.services.context import ServiceContext


class FindingKind(StrEnum):
    OWED = "owed"  # a capture or release we still owe
    STALE_HOLD = "stale_hold"  # a hold never used, not yet released
    UNSETTLED_SESSION = "unsettled_session"  # the session ended, the amount is not fixed
    PROVIDER_HOLD_OPEN = "provider_hold_open"  # we settled, the provider still holds money
    UNKNOWN_HOLD = "unknown_hold"  # the provider holds money for no payment of ours
    CAPTURE_WITHOUT_SESSION = "capture_without_session"
    AMOUNT_MISMATCH = "amount_mismatch"
    CAPTURED_AFTER_RELEASE = "captured_after_release"
    ESCALATED = "escalated"  # waiting for an operator already


class Action(StrEnum):
    FIXED = "fixed"
    ESCALATED = "escalated"
    PENDING = "pending"  # will be retried (provider unavailable)
    LISTED = "listed"  # dry run


@dataclass(frozen=True, slots=True)
class Finding:
    kind: FindingKind
    action: Action
    detail: str
    public_id: str = ""
    provider_ref: str = ""


class Reconciliation:
    def __init__(
        self,
        ctx: ServiceContext,
        provider: PaymentProvider,
        recovery: Recovery,
        policy: PaymentPolicy,
    ) -> None:
        self._ctx = ctx
        self._provider = provider
        self._recovery = recovery
        self._policy = policy

    async def run(self, *, fix: bool = True, days: int = 7) -> list[Finding]:
        since = self._ctx.clock.now() - timedelta(days=days)
        findings = await self._local()
        if fix:
            await self._recovery.sweep(startup=True)
            findings = [await self._after_sweep(f) for f in findings]
        return findings + await self._against_provider(since, fix)

    async def _local(self) -> list[Finding]:
        async with self._ctx.uow() as uow:
            open_states = (
                PaymentState.TO_CAPTURE,
                PaymentState.TO_RELEASE,
                PaymentState.IN_SESSION,
                PaymentState.AUTHORIZED,
                PaymentState.PENDING,
                PaymentState.ESCALATED,
            )
            payments = await uow.repository(PAYMENT_STORE).list(
                PaymentFilter(states=open_states, limit=5000)
            )
            out = []
            for payment in payments:
                tx = await uow.transactions.get(payment.transaction_id or 0)
                ended = tx is not None and not tx.active
                finding = _local_finding(payment, ended=ended, stale=self._stale(payment))
                if finding is not None:
                    out.append(finding)
        return out

    def _stale(self, payment: Payment) -> bool:
        now = self._ctx.clock.now()
        if payment.state is PaymentState.PENDING:
            window = self._policy.card_page_timeout_s
            return payment.created_at + timedelta(seconds=window) <= now
        started = payment.authorized_at or payment.created_at
        return started + timedelta(seconds=self._policy.start_timeout_s) <= now

    async def _after_sweep(self, finding: Finding) -> Finding:
        if finding.action is not Action.LISTED:
            return finding
        async with self._ctx.uow() as uow:
            payment = await uow.repository(PAYMENT_STORE).by_public_id(finding.public_id)
        state = payment.state if payment else None
        if state in (PaymentState.CAPTURED, PaymentState.RELEASED, PaymentState.DECLINED):
            action = Action.FIXED
        elif state is PaymentState.ESCALATED:
            action = Action.ESCALATED
        else:
            action = Action.PENDING
        return Finding(
            finding.kind, action, finding.detail, finding.public_id, finding.provider_ref
        )

    async def _against_provider(self, since: datetime, fix: bool) -> list[Finding]:
        try:
            holds = await self._provider.recent_holds(since)
        except (ProviderUnavailable, ProviderRejected) as exc:
            return [Finding(FindingKind.OWED, Action.PENDING, f"provider not reachable: {exc}")]
        out = []
        for hold in holds:
            async with self._ctx.uow() as uow:
                payment = await uow.repository(PAYMENT_STORE).by_provider_ref(
                    self._provider.name, hold.provider_ref
                )
            finding = await self._compare(hold, payment, fix)
            if finding is not None:
                out.append(finding)
        return out

    async def _compare(
        self, hold: HoldResult, payment: Payment | None, fix: bool
    ) -> Finding | None:
        ref = hold.provider_ref
        if payment is None:
            if hold.status is HoldStatus.CAPTURED:
                amount = hold.captured or hold.amount
                return Finding(
                    FindingKind.CAPTURE_WITHOUT_SESSION,
                    Action.ESCALATED,
                    f"the provider captured {amount} for a hold Forecourt never had",
                    provider_ref=ref,
                )
            if hold.status is HoldStatus.AUTHORIZED:
                return await self._release_unknown(hold, fix)
            return None
        return await self._compare_known(hold, payment, fix)

    async def _compare_known(self, hold: HoldResult, payment: Payment, fix: bool) -> Finding | None:
        ref, pid = hold.provider_ref, payment.public_id
        if hold.status is HoldStatus.CAPTURED:
            captured = hold.captured or hold.amount
            if payment.state is PaymentState.RELEASED:
                detail = f"the provider captured {captured} of a hold we released"
                await self._escalate(payment, detail, fix)
                return Finding(FindingKind.CAPTURED_AFTER_RELEASE, _esc(fix), detail, pid, ref)
            if payment.state is PaymentState.CAPTURED and captured.minor != payment.captured_minor:
                ours = Money(payment.captured_minor, payment.currency)
                detail = f"the provider captured {captured}, Forecourt recorded {ours}"
                await self._escalate(payment, detail, fix)
                return Finding(FindingKind.AMOUNT_MISMATCH, _esc(fix), detail, pid, ref)
            if payment.state is PaymentState.CAPTURED and payment.transaction_id is None:
                detail = f"{captured} captured without a charging session"
                await self._escalate(payment, detail, fix)
                return Finding(FindingKind.CAPTURE_WITHOUT_SESSION, _esc(fix), detail, pid, ref)
            return None
        settled = payment.state in (
            PaymentState.CAPTURED,
            PaymentState.RELEASED,
            PaymentState.DECLINED,
        )
        if hold.status is HoldStatus.AUTHORIZED and settled:
            return await self._finish_open_hold(hold, payment, fix)
        return None

    async def _finish_open_hold(self, hold: HoldResult, payment: Payment, fix: bool) -> Finding:
        """We captured or released, but the provider still holds: repeat our call (same key)."""
        held = hold.authorized or hold.amount
        detail = f"the provider still holds {held} ({payment.state.value} here)"
        finding = Finding(
            FindingKind.PROVIDER_HOLD_OPEN,
            Action.LISTED,
            detail,
            payment.public_id,
            hold.provider_ref,
        )
        if not fix:
            return finding
        try:
            if payment.state is PaymentState.CAPTURED:
                await self._provider.capture(
                    hold.provider_ref,
                    Money(payment.captured_minor, payment.currency),
                    idempotency_key=payment.key("capture"),
                )
            else:
                await self._provider.release(
                    hold.provider_ref, idempotency_key=payment.key("release")
                )
        except ProviderUnavailable:
            return Finding(
                finding.kind, Action.PENDING, detail, payment.public_id, hold.provider_ref
            )
        except ProviderRejected as exc:
            await self._escalate(payment, f"{detail}; repeating failed: {exc}", fix)
            return Finding(
                finding.kind, Action.ESCALATED, detail, payment.public_id, hold.provider_ref
            )
        return Finding(finding.kind, Action.FIXED, detail, payment.public_id, hold.provider_ref)

    async def _release_unknown(self, hold: HoldResult, fix: bool) -> Finding:
        detail = f"the provider holds {hold.authorized or hold.amount} for no payment of ours"
        finding = Finding(
            FindingKind.UNKNOWN_HOLD, Action.LISTED, detail, provider_ref=hold.provider_ref
        )
        if not fix:
            return finding
        try:
            await self._provider.release(
                hold.provider_ref, idempotency_key=f"forecourt-orphan-{hold.provider_ref}-release"
            )
        except ProviderUnavailable:
            return Finding(finding.kind, Action.PENDING, detail, provider_ref=hold.provider_ref)
        except ProviderRejected:
            return Finding(finding.kind, Action.ESCALATED, detail, provider_ref=hold.provider_ref)
        return Finding(finding.kind, Action.FIXED, detail, provider_ref=hold.provider_ref)

    async def _escalate(self, payment: Payment, reason: str, fix: bool) -> None:
        if not fix or payment.state is PaymentState.ESCALATED:
            return
        now = self._ctx.clock.now()
        async with self._ctx.uow() as uow:
            current = await uow.repository(PAYMENT_STORE).get_for_update(payment.id)
            if current is None:
                return
            current.last_error = reason
            current.move(PaymentState.ESCALATED, now)
            await uow.repository(PAYMENT_STORE).save(current)
            self._ctx.stage_event(
                uow,
                "payment.escalated",
                payment.station_id,
                public_id=payment.public_id,
                reason=reason,
            )
            await uow.commit()


def _esc(fix: bool) -> Action:
    return Action.ESCALATED if fix else Action.LISTED


def _local_finding(payment: Payment, *, ended: bool, stale: bool) -> Finding | None:
    pid, ref = payment.public_id, payment.provider_ref
    match payment.state:
        case PaymentState.TO_CAPTURE | PaymentState.TO_RELEASE:
            detail = f"{payment.state.value.replace('_', ' ')} owed ({payment.attempts} attempts)"
            return Finding(FindingKind.OWED, Action.LISTED, detail, pid, ref)
        case PaymentState.IN_SESSION if ended:
            return Finding(
                FindingKind.UNSETTLED_SESSION, Action.LISTED, "session ended, not settled", pid, ref
            )
        case PaymentState.AUTHORIZED | PaymentState.PENDING if stale:
            detail = f"{payment.state.value} hold of {payment.hold} without a session"
            return Finding(FindingKind.STALE_HOLD, Action.LISTED, detail, pid, ref)
        case PaymentState.ESCALATED:
            return Finding(FindingKind.ESCALATED, Action.ESCALATED, payment.last_error, pid, ref)
    return None
