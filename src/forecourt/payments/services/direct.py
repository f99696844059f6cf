"""Payments the station takes itself: OCPP 2.1 C18 (local terminal) to C22 (settlement).

The station's terminal pre-authorises the card and presents the PSP reference as a
``DirectPayment`` id token. Our authorization is a hold of our own: a payment (flow
``direct_payment``, provider :data:`STATION_PROVIDER`) for the tariff's hold amount, whose
prepaid limit (``limits.prepaid_limit``) the station is told, and a token that works once.
The session then links, is priced and fixed like every card session (``Settlement``); only
the money moves at the station, so the outbox never calls a provider for it: the station's
``NotifySettlement`` ends it, recorded exactly once whoever repeats it. A rejected or failed
settlement, or one that disagrees with our cost, is escalated (reconciliation lists it).
"""

from __future__ import annotations

import contextlib
import logging
from datetime import datetime, timedelta
from decimal import Decimal

from forecourt.domain.errors import ForecourtError, InvalidInput
from forecourt.domain.money import Money
from forecourt.domain.station_tariffs import StationTariff
from forecourt.domain.tokens import TokenKind, TokenRecord
from forecourt.payments.domain.payments import Payment, PaymentFlow, PaymentState, new_receipt_code
from forecourt.payments.ports import PAYMENT_STORE
from forecourt.payments.services.limits import prepaid_limit, session_limit
from forecourt.payments.services.policy import PaymentPolicy
from forecourt.payments.services.prepaid import PrepaidCards
from forecourt.payments.services.pricing import cost_in
from forecourt.payments.services.session_limits import limit_for_token
from forecourt.payments.services.settlement import Settlement
from forecourt.payments.services.station_tariffs import station_tariff
from forecourt.payments.services.tariffs import driver_tariff, tariff_at_station
from forecourt.ports.repositories import UnitOfWork
from forecourt.ports.station_payments import (
    DirectHold,
    PrepaidLimit,
    SettlementStatus,
    StationSettlement,
)
from forecourt.services.context import ServiceContext

log = logging.getLogger("forecourt.payments")

#: The "provider" of direct payments: the station's own terminal and PSP.
STATION_PROVIDER = "station"
#: ``last_error`` prefix of a payment the station's settlement escalated (replays see it).
SETTLEMENT_PROBLEM = "station settlement"
#: States a hold is live in: its limit applies and a replayed event finds it.
_LIVE = (PaymentState.AUTHORIZED, PaymentState.IN_SESSION)


class DirectPayments:
    """Implements ``forecourt.ports.station_payments.StationPaymentPort``."""

    def __init__(
        self,
        ctx: ServiceContext,
        settlement: Settlement,
        policy: PaymentPolicy,
        prepaid: PrepaidCards,
    ) -> None:
        self._ctx = ctx
        self._settlement = settlement
        self._policy = policy
        self.authorize_prepaid = prepaid.authorize  # C17, the same port

    async def driver_tariff(
        self,
        station_id: str,  # noqa: ARG002  # the port's shape: one driver tariff network-wide
        id_token: str,
    ) -> StationTariff | None:
        """The token's own tariff in force now (2.1 ``DriverTariff``), in the station's words;
        None for a token without one."""
        async with self._ctx.uow() as uow:
            tariff = await driver_tariff(uow, id_token, self._ctx.clock.now())
        return None if tariff is None else station_tariff(tariff)

    # -- C23 at the station: its terminal grew the authorization -------------------------------
    async def limit_raised(self, station_id: str, station_tx_id: str, max_cost: Decimal) -> bool:
        """The station's terminal grew the card's authorization at its PSP (2.1 trigger
        ``LimitSet`` with ``transactionLimit.maxCost``): the session's DirectPayment hold is
        authorized for that amount from now on (never less than it was), so the CSMS's own
        stop (the prepaid limit) and the settlement check follow the station."""
        now = self._ctx.clock.now()
        async with self._ctx.uow() as uow:
            tx = await uow.transactions.by_station_tx_id(station_id, station_tx_id)
            if tx is None or not tx.id_token:
                return False
            store = uow.repository(PAYMENT_STORE)
            live = [
                p
                for p in await store.by_token(tx.id_token)
                if p.flow is PaymentFlow.DIRECT_PAYMENT
                and p.state in (PaymentState.AUTHORIZED, PaymentState.IN_SESSION)
            ]
            payment = await store.get_for_update(live[0].id) if live else None
            if payment is None:
                return False
            try:
                raised = Money.of(max_cost, payment.currency)
            except ForecourtError:
                return False
            if raised.minor <= payment.authorized_minor:
                return False
            payment.authorized_minor = raised.minor
            payment.updated_at = now
            await store.save(payment)
            self._ctx.stage_event(
                uow,
                "payment.increased",
                station_id,
                public_id=payment.public_id,
                transaction_id=tx.id,
                by="station",
            )
            await uow.commit()
        log.info("station %s raised %s to %s", station_id, payment.public_id, raised)
        return True

    # -- C18: the station presents the PSP reference ------------------------------------------
    async def authorize_direct(
        self, station_id: str, psp_ref: str, evse_id: int | None
    ) -> DirectHold:
        now = self._ctx.clock.now()
        async with self._ctx.uow() as uow:
            known = await uow.repository(PAYMENT_STORE).by_token(psp_ref)
            if known:
                # A replayed event, or the reference of a finished payment: the token record
                # (blocked once a session used it) decides the answer, not a second hold.
                return _answer(known[0])
            payment = await self._open(uow, station_id, psp_ref, evse_id, now)
            if payment is None:
                return DirectHold(False, reason=f"no tariff applies to {station_id}/{evse_id}")
            await uow.repository(PAYMENT_STORE).add(payment)
            await self._issue_token(uow, payment, now)
            self._ctx.stage_event(
                uow, "payment.authorized", station_id, public_id=payment.public_id
            )
            await uow.commit()
        return _answer(payment)

    async def _open(
        self,
        uow: UnitOfWork,
        station_id: str,
        psp_ref: str,
        evse_id: int | None,
        now: datetime,
    ) -> Payment | None:
        tariff = await tariff_at_station(uow, station_id, evse_id, now)
        if tariff is None:
            return None
        hold = tariff.hold()
        return Payment(
            flow=PaymentFlow.DIRECT_PAYMENT,
            provider=STATION_PROVIDER,
            currency=hold.currency,
            hold_minor=hold.minor,
            created_at=now,
            state=PaymentState.AUTHORIZED,
            provider_ref=f"{station_id}:{psp_ref}"[:255],
            id_token=psp_ref,
            station_id=station_id,
            evse_id=evse_id,
            authorized_minor=hold.minor,
            authorized_at=now,
            tariff=tariff.to_dict(),
        )

    async def _issue_token(self, uow: UnitOfWork, payment: Payment, now: datetime) -> None:
        expires = now + timedelta(seconds=self._policy.start_timeout_s)
        label = f"direct payment {payment.public_id}"
        if await uow.tokens.get(payment.id_token) is not None:
            return  # a registered token of that value keeps its record
        await uow.tokens.add(
            TokenRecord(payment.id_token, TokenKind.PAYMENT, expires_at=expires, label=label)
        )

    async def limit_for(self, station_id: str, id_token: str) -> PrepaidLimit | None:
        """The limit of a session of ``id_token``: a live hold's amount (any flow) with what
        the operator asked for when starting it (``limits.session_limit``)."""
        async with self._ctx.uow() as uow:
            payments = await uow.repository(PAYMENT_STORE).by_token(id_token)
            now = self._ctx.clock.now()
            asked = await limit_for_token(uow, station_id, id_token, now)
        live = next((p for p in payments if p.state in _LIVE), None)
        if live is not None and live.station_id not in ("", station_id):
            live = None
        return session_limit(live, asked)

    # -- C19-C22: the station settled ---------------------------------------------------------
    async def record_settlement(self, settlement: StationSettlement) -> str:
        now = self._ctx.clock.now()
        async with self._ctx.uow() as uow:
            payment = await self._payment_for(uow, settlement, now)
            if not _settled_before(payment):
                await self._apply(uow, payment, settlement, now)
                await uow.repository(PAYMENT_STORE).save(payment)
                self._announce(uow, payment)
                await uow.commit()
                changed = True
            else:
                changed = False  # a replay: recorded once already
        if changed:
            await self._after(payment)
        return self._receipt_url(payment)

    async def record_relayed(
        self, psp_ref: str, status: SettlementStatus, amount: Money, at: datetime
    ) -> Payment | None:
        """A settlement an integration relays (``POST /api/payments/settlements``): the same
        rule as the station's own message, for a reference Forecourt holds (else None)."""
        async with self._ctx.uow() as uow:
            known = await uow.repository(PAYMENT_STORE).by_token(psp_ref)
        if not known:
            return None
        if known[0].currency != amount.currency:
            raise InvalidInput(f"the payment is in {known[0].currency}, not {amount.currency}")
        report = StationSettlement(
            known[0].station_id, psp_ref, status, amount.to_decimal(), at, status_info="relayed"
        )
        await self.record_settlement(report)
        async with self._ctx.uow() as uow:
            return await uow.repository(PAYMENT_STORE).get(known[0].id)

    async def _payment_for(
        self, uow: UnitOfWork, settlement: StationSettlement, now: datetime
    ) -> Payment:
        repo = uow.repository(PAYMENT_STORE)
        ours = [
            p
            for p in await repo.by_token(settlement.psp_ref)
            if p.station_id in ("", settlement.station_id)
        ]
        if ours:
            locked = await repo.get_for_update(ours[0].id)
            assert locked is not None
            return locked
        # A reference we never authorised (cancelled before any transaction, C19, or a station
        # that skipped us): recorded all the same, so reports and reconciliation see it.
        amount = _money(settlement.amount, "USD")
        stray = Payment(
            flow=PaymentFlow.DIRECT_PAYMENT,
            provider=STATION_PROVIDER,
            currency=amount.currency,
            hold_minor=0,
            created_at=now,
            provider_ref=f"{settlement.station_id}:{settlement.psp_ref}"[:255],
            id_token=settlement.psp_ref,
            station_id=settlement.station_id,
        )
        return await repo.add(stray)

    async def _apply(
        self, uow: UnitOfWork, payment: Payment, settlement: StationSettlement, now: datetime
    ) -> None:
        amount = _money(settlement.amount, payment.currency)
        await self._fix_final_amount(uow, payment, now)
        payment.receipt_code = payment.receipt_code or new_receipt_code()
        status = settlement.status
        info = f" ({settlement.status_info})" if settlement.status_info else ""
        if status is SettlementStatus.SETTLED:
            payment.captured_minor = amount.minor
            problem = _disagreement(payment, amount)
            if payment.state is PaymentState.PENDING:
                problem = problem or "settled a payment Forecourt never authorised"
            if problem:
                _escalate(payment, f"{SETTLEMENT_PROBLEM}: {problem}", now)
            else:
                payment.move(PaymentState.CAPTURED, now)
        elif status is SettlementStatus.CANCELED:
            if payment.state is PaymentState.PENDING:
                payment.message = "Cancelled at the dispenser. Nothing was charged."
                payment.move(PaymentState.DECLINED, now)
            elif payment.final_minor:
                cost = Money(payment.final_minor, payment.currency)
                _escalate(payment, f"{SETTLEMENT_PROBLEM}: cancelled a session costing {cost}", now)
            else:
                payment.message = "Cancelled at the dispenser. Nothing was charged."
                payment.move(PaymentState.TO_RELEASE, now)
                payment.move(PaymentState.RELEASED, now)
        else:  # C22: rejected or failed at the PSP: money is owed, a person decides
            verb = "rejected" if status is SettlementStatus.REJECTED else "failed"
            _escalate(payment, f"{SETTLEMENT_PROBLEM} {verb} for {amount}{info}", now)
        await _block(uow, payment.id_token)

    async def _fix_final_amount(self, uow: UnitOfWork, payment: Payment, now: datetime) -> None:
        """The session's cost, when it has ended and ``Settlement.settle`` has not run yet."""
        if payment.final_minor is not None or payment.transaction_id is None:
            return
        tx = await uow.transactions.get(payment.transaction_id)
        if tx is None or tx.active:
            return
        with contextlib.suppress(ForecourtError):  # unpriceable: the comparison is skipped
            cost = await cost_in(uow, tx, now)
            payment.breakdown = cost.breakdown.to_dict()
            payment.final_minor = cost.total.minor
            if payment.state is PaymentState.IN_SESSION:
                owed = PaymentState.TO_CAPTURE if cost.total.minor else PaymentState.TO_RELEASE
                payment.move(owed, now)

    def _announce(self, uow: UnitOfWork, payment: Payment) -> None:
        """The payment's new state, staged in the unit of work that stores it (ADR 0012)."""
        self._ctx.stage_event(
            uow,
            f"payment.{payment.state.value}",
            payment.station_id,
            payment_id=payment.id,
            public_id=payment.public_id,
            transaction_id=payment.transaction_id,
        )

    async def _after(self, payment: Payment) -> None:
        """Once the settlement is committed: the after-settlement steps (receipts...)."""
        if payment.state in (PaymentState.CAPTURED, PaymentState.RELEASED):
            for hook in self._settlement.after_settled:
                try:
                    await hook(payment)
                except (ForecourtError, OSError, RuntimeError):
                    log.exception("after-settlement step failed for %s", payment.public_id)

    def _receipt_url(self, payment: Payment) -> str:
        if payment.state is not PaymentState.CAPTURED or not payment.receipt_code:
            return ""
        return self._policy.url(f"/receipts/{payment.receipt_code}")


def _answer(payment: Payment) -> DirectHold:
    if payment.state in _LIVE:
        return DirectHold(True, PrepaidLimit(max_cost=prepaid_limit(payment).to_decimal()))
    return DirectHold(False, reason=f"payment {payment.public_id} is {payment.state.value}")


def _settled_before(payment: Payment) -> bool:
    if payment.state is PaymentState.ESCALATED:
        return payment.last_error.startswith(SETTLEMENT_PROBLEM)
    return payment.state in (PaymentState.CAPTURED, PaymentState.RELEASED, PaymentState.DECLINED)


def _disagreement(payment: Payment, settled: Money) -> str:
    if payment.final_minor is not None and payment.final_minor != settled.minor:
        ours = Money(payment.final_minor, payment.currency)
        return f"the station settled {settled}, the session cost {ours}"
    if payment.authorized_minor and settled.minor > payment.authorized_minor:
        return f"the station settled {settled}, more than the {payment.authorized} authorised"
    return ""


def _escalate(payment: Payment, reason: str, now: datetime) -> None:
    payment.last_error = reason[:500]
    payment.move(PaymentState.ESCALATED, now)


def _money(amount: object, currency: str) -> Money:
    return Money.of(str(amount), currency)


async def _block(uow: UnitOfWork, value: str) -> None:
    record = await uow.tokens.get(value) if value else None
    if record is not None and not record.blocked:
        record.blocked = True
        await uow.tokens.save(record)
