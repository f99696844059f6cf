"""Paying away from the dispenser: the attendant's counter and stand-alone card terminals."""

from __future__ import annotations

from fastapi import APIRouter, status

from forecourt.api.deps import Attendant, Context, role_of
from forecourt.api.problems import problem_responses
from forecourt.payments.api.schemas import CounterPrepaymentIn, PaymentOut, PrepaymentIn
from forecourt.payments.domain.payments import PaymentFlow
from forecourt.payments.keys import PAYMENTS

router = APIRouter(tags=["payments"], responses=problem_responses(401, 403))

_TAKES_MONEY = problem_responses(400, 404, 409, 422)


@router.post(
    "/payments/counter",
    summary="Pay inside: an attendant takes a prepayment (cash or card) and starts the port",
    description="The port is started once the money is taken; at the end the unused part is "
    "`change_due` (cash handed back, or released to the card).",
    status_code=status.HTTP_201_CREATED,
    responses=_TAKES_MONEY,
)
async def counter_prepayment(
    body: CounterPrepaymentIn, context: Context, caller: Attendant
) -> PaymentOut:
    payments = context.services.feature(PAYMENTS)
    if body.method == "cash":
        payment = await payments.counter.take_cash(body.station_id, body.evse_id, body.amount)
    else:
        payment = await payments.counter.pay_at_terminal(
            body.terminal_id,
            body.station_id,
            body.evse_id,
            body.amount,
            PaymentFlow.ATTENDANT_CARD,
        )
    return PaymentOut.for_role(payment, role_of(caller), payments.policy.expires_at(payment))


@router.post(
    "/payments/terminals/{terminal_id}/payments",
    summary="A stand-alone card terminal (OCPP 2.1 C24): authenticate a card, start the port",
    status_code=status.HTTP_201_CREATED,
    responses=_TAKES_MONEY,
)
async def terminal_payment(
    terminal_id: str, body: PrepaymentIn, context: Context, caller: Attendant
) -> PaymentOut:
    payments = context.services.feature(PAYMENTS)
    payment = await payments.counter.pay_at_terminal(
        terminal_id, body.station_id, body.evse_id, body.amount
    )
    return PaymentOut.for_role(payment, role_of(caller), payments.policy.expires_at(payment))
