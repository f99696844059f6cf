"""Prepaid cards (OCPP 2.1 C17): an identified card (a registered id token) loaded with credit
at the counter beforehand; each session spends from it.

Credit is not a number kept beside the payments but derived from them, so it can never drift:
what was loaded (``prepaid_load`` payments, captured) minus what sessions took (captured) or
hold (a live session's authorised amount, released when it ends). A session on the card is a
payment of flow ``prepaid_card`` authorised for the whole credit; the station is told the
prepaid limit as ``maxCost`` (the one rule, ``limits.prepaid_limit``), the CSMS stops it there
on every version, and the outbox debits the final cost locally (no provider is called).
A card with no credit left is answered ``NoCredit``.
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import datetime
from decimal import Decimal

from forecourt.domain.errors import InvalidInput, NotFound
from forecourt.domain.money import Money
from forecourt.payments.domain.payments import (
    HoldStatus,
    Payment,
    PaymentFlow,
    PaymentState,
    new_receipt_code,
)
from forecourt.payments.ports import PAYMENT_STORE, HoldResult
from forecourt.payments.services.limits import prepaid_limit
from forecourt.payments.services.tariffs import tariff_at_station
from forecourt.ports.repositories import UnitOfWork
from forecourt.ports.station_payments import DirectHold, PrepaidLimit
from forecourt.services.context import ServiceContext

#: The "provider" of prepaid credit: Forecourt's own ledger.
LEDGER = "prepaid"
#: Session states whose authorised amount is still set aside from the credit.
_SET_ASIDE = (PaymentState.AUTHORIZED, PaymentState.IN_SESSION)
NO_CREDIT = "no credit left on this prepaid card"


class PrepaidCards:
    def __init__(self, ctx: ServiceContext) -> None:
        self._ctx = ctx

    async def load(
        self, id_token: str, amount: Decimal, currency: str, taken_by: str = ""
    ) -> Money:
        """Credit paid at the counter (cash, recorded, and by whom) onto a registered card:
        its balance."""
        now = self._ctx.clock.now()
        async with self._ctx.uow() as uow:
            payments, money = await _loadable(uow, id_token, amount, currency)
            loaded = _on_ledger(PaymentFlow.PREPAID_LOAD, id_token, money, now)
            loaded.move(PaymentState.CAPTURED, now)  # paid at the counter
            loaded.captured_minor, loaded.receipt_code = money.minor, new_receipt_code()
            loaded.taken_by = taken_by
            await uow.repository(PAYMENT_STORE).add(loaded)
            self._ctx.stage_event(uow, "payment.prepaid_loaded", "", public_id=loaded.public_id)
            await uow.commit()
            balance = credit_of([*payments, loaded])
        assert balance is not None
        return balance

    async def open_card_load(
        self, id_token: str, amount: Decimal, currency: str, terminal: str, taken_by: str
    ) -> Payment:
        """A load paid by card at the counter terminal, before the terminal is asked: pending
        (it counts as credit only once captured, ``finish_card_load``)."""
        now = self._ctx.clock.now()
        async with self._ctx.uow() as uow:
            _, money = await _loadable(uow, id_token, amount, currency)
            load = _on_ledger(PaymentFlow.PREPAID_LOAD, id_token, money, now)
            load.state, load.authorized_minor, load.authorized_at = PaymentState.PENDING, 0, None
            load.provider, load.taken_by = terminal, taken_by
            await uow.repository(PAYMENT_STORE).add(load)
            await uow.commit()
        return load

    async def finish_card_load(
        self, payment_id: int, taken: HoldResult | None, error: str = ""
    ) -> Payment:
        """The terminal's outcome: captured (the credit grows), declined (nothing happened),
        or unknown after an approval (escalated: an operator checks the terminal)."""
        now = self._ctx.clock.now()
        async with self._ctx.uow() as uow:
            load = await uow.repository(PAYMENT_STORE).get_for_update(payment_id)
            assert load is not None
            if taken is not None and taken.status is HoldStatus.CAPTURED:
                load.move(PaymentState.AUTHORIZED, now)
                load.move(PaymentState.CAPTURED, now)
                load.authorized_minor = load.captured_minor = load.hold_minor
                load.provider_ref, load.card = taken.provider_ref, taken.card
                load.receipt_code = new_receipt_code()
            elif taken is not None:  # declined before any money moved
                load.move(PaymentState.DECLINED, now)
                load.message = taken.decline_reason or "The card was declined."
            else:
                load.move(PaymentState.ESCALATED, now)
                load.last_error = error
            await uow.repository(PAYMENT_STORE).save(load)
            if load.state is PaymentState.CAPTURED:
                self._ctx.stage_event(uow, "payment.prepaid_loaded", "", public_id=load.public_id)
            await uow.commit()
        return load

    async def balance(self, id_token: str) -> Money:
        async with self._ctx.uow() as uow:
            if await uow.tokens.get(id_token) is None:
                raise NotFound("token", id_token)
            found = credit_of(await uow.repository(PAYMENT_STORE).by_token(id_token))
        if found is None:
            raise NotFound("prepaid card", id_token)
        return found

    async def authorize(self, station_id: str, id_token: str, evse_id: int | None) -> DirectHold:
        """C17: a live session's hold, or a new one for the whole credit; NoCredit when none.
        Not a prepaid card (never loaded): accepted, with no limit from us."""
        now = self._ctx.clock.now()
        async with self._ctx.uow() as uow:
            payments = await uow.repository(PAYMENT_STORE).by_token(id_token)
            credit = credit_of(payments)
            if credit is None:
                return DirectHold(True)
            live = next((p for p in payments if _is_live_session(p, station_id)), None)
            if live is None:
                if credit.minor <= 0:
                    return DirectHold(False, reason=NO_CREDIT)
                live = await self._open(uow, station_id, id_token, evse_id, credit, now)
                await uow.repository(PAYMENT_STORE).add(live)
                await uow.commit()
        return DirectHold(True, PrepaidLimit(max_cost=prepaid_limit(live).to_decimal()))

    async def _open(
        self,
        uow: UnitOfWork,
        station_id: str,
        id_token: str,
        evse_id: int | None,
        credit: Money,
        now: datetime,
    ) -> Payment:
        session = _on_ledger(PaymentFlow.PREPAID_CARD, id_token, credit, now)
        session.station_id, session.evse_id = station_id, evse_id
        tariff = await tariff_at_station(uow, station_id, evse_id, now)
        session.tariff = tariff.to_dict() if tariff else {}  # else pinned at the start
        return session


async def _loadable(
    uow: UnitOfWork, id_token: str, amount: Decimal, currency: str
) -> tuple[list[Payment], Money]:
    """A load's amount, checked: a registered card, more than zero, the card's currency."""
    money = Money.of(amount, currency)
    if money.minor <= 0:
        raise InvalidInput("the amount must be more than zero")
    if await uow.tokens.get(id_token) is None:
        raise NotFound("token", id_token)
    payments = await uow.repository(PAYMENT_STORE).by_token(id_token)
    if payments and payments[0].currency != money.currency:
        raise InvalidInput(f"this card's credit is in {payments[0].currency}")
    return payments, money


def _on_ledger(flow: PaymentFlow, id_token: str, amount: Money, now: datetime) -> Payment:
    """A payment of the card's own ledger, authorised for ``amount`` (no provider)."""
    payment = Payment(
        flow=flow,
        provider=LEDGER,
        currency=amount.currency,
        hold_minor=amount.minor,
        created_at=now,
        state=PaymentState.AUTHORIZED,
        id_token=id_token,
        authorized_minor=amount.minor,
        authorized_at=now,
    )
    payment.provider_ref = f"{flow.value}-{payment.public_id}"
    return payment


def credit_of(payments: Iterable[Payment]) -> Money | None:
    """Loaded minus spent minus set aside; None when the token was never loaded."""
    loaded = spent = 0
    currency = ""
    for payment in payments:
        if payment.flow is PaymentFlow.PREPAID_LOAD and payment.state is PaymentState.CAPTURED:
            loaded += payment.captured_minor
            currency = payment.currency
        elif payment.flow is PaymentFlow.PREPAID_CARD:
            spent += _taken(payment)
    return Money(loaded - spent, currency) if currency else None


def _taken(session: Payment) -> int:
    if session.state in _SET_ASIDE:
        return session.authorized_minor
    if session.state is PaymentState.TO_CAPTURE:
        return session.capture_amount().minor
    if session.state is PaymentState.ESCALATED:
        return session.final_minor or session.authorized_minor  # until an operator decides
    return session.captured_minor


def _is_live_session(payment: Payment, station_id: str) -> bool:
    if payment.flow is not PaymentFlow.PREPAID_CARD or payment.state not in _SET_ASIDE:
        return False
    return payment.station_id == station_id
