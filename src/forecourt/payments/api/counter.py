"""Paying away from the dispenser: the attendant's counter, stand-alone card terminals, and
dynamic QR codes (OCPP 2.1 C24, C25)."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Query, status

from forecourt.api.bounds import PortNumber
from forecourt.api.deps import Attendant, Context, role_of
from forecourt.api.problems import ProblemError, problem_responses
from forecourt.payments.api.schemas import (
    CounterPrepaymentIn,
    DynamicCodeOut,
    MoneyOut,
    PaymentOut,
    PrepaidBalanceOut,
    PrepaidLoadIn,
    PrepaymentIn,
)
from forecourt.payments.domain.payments import PaymentFlow, PaymentState
from forecourt.payments.keys import PAYMENTS
from forecourt.payments.services.qr_codes import CODE_STATUS, CodeRefused

router = APIRouter(tags=["payments"], responses=problem_responses(401, 403))

_TAKES_MONEY = problem_responses(400, 404, 409, 422)


def code_problem(exc: CodeRefused) -> ProblemError:
    status_code = CODE_STATUS[exc.reason]
    return ProblemError(
        status_code, f"QR code {exc.reason}", str(exc), slug=f"qr-code-{exc.reason}"
    )


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
    taken_by = f"api key {caller.name}"
    if body.method == "cash":
        payment = await payments.counter.take_cash(
            body.station_id, body.evse_id, body.amount, taken_by
        )
    else:
        payment = await payments.counter.pay_at_terminal(
            body.terminal_id,
            body.station_id,
            body.evse_id,
            body.amount,
            PaymentFlow.ATTENDANT_CARD,
            taken_by,
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


@router.post(
    "/payments/qr/{station_id}/{evse_id}",
    summary="A dynamic QR code for an EVSE (OCPP 2.1 C25): one use, a short time",
    description="Show `url` as a QR code (the station's screen: `show=true` sends it, a 2.1"
    " station gets a QRCODE display message, a 2.0.1 one the link; `shown` is its answer,"
    " `not_supported` on 1.6); the driver's"
    " scan-to-pay redeems it once before it expires (then 410, reused 409), and a 2.1 station"
    " is told the web payment started (NotifyWebPaymentStarted).",
    status_code=status.HTTP_201_CREATED,
    responses=problem_responses(404),
)
async def dynamic_qr_code(
    station_id: str,
    evse_id: PortNumber,
    context: Context,
    _: Attendant,
    show: Annotated[bool, Query(description="Also put it on the station's screen.")] = False,
) -> DynamicCodeOut:
    payments = context.services.feature(PAYMENTS)
    await payments.tariffs.for_evse(station_id, evse_id)  # 404 for an unknown or unpriced EVSE
    if not show:
        issued = payments.qr_codes.issue(station_id, evse_id)
        return DynamicCodeOut(code=issued.code, url=issued.url, expires_at=issued.expires_at)
    issued, record = await payments.show_dynamic_qr(station_id, evse_id)
    shown = record.status.value if record.status is not None else None
    return DynamicCodeOut(
        code=issued.code, url=issued.url, expires_at=issued.expires_at, shown=shown
    )


@router.post(
    "/payments/prepaid/{id_token}/loads",
    summary="Load credit onto a prepaid card at the counter, cash or card (OCPP 2.1 C17)",
    description="Cash is recorded as taken; a card is authenticated at the counter terminal for"
    " the amount and settled at once (a declined card loads nothing: 402; a settlement that"
    " failed after an approval is escalated for an operator: 502). The attendant is recorded.",
    status_code=status.HTTP_201_CREATED,
    responses=problem_responses(402, 404, 422, 502),
)
async def load_prepaid(
    id_token: str, body: PrepaidLoadIn, context: Context, caller: Attendant
) -> PrepaidBalanceOut:
    payments = context.services.feature(PAYMENTS)
    taken_by = f"api key {caller.name}"
    if body.method == "card":
        load = await payments.counter.load_by_card(
            id_token, body.amount, body.currency, body.terminal_id, taken_by
        )
        if load.state is PaymentState.DECLINED:
            raise ProblemError(402, "Card declined", load.message, slug="card-declined")
        if load.state is not PaymentState.CAPTURED:
            detail = f"load {load.public_id} escalated for an operator: {load.last_error}"
            raise ProblemError(502, "Terminal settlement failed", detail, slug="load-escalated")
    else:
        await payments.prepaid.load(id_token, body.amount, body.currency, taken_by)
    balance = await payments.prepaid.balance(id_token)
    return PrepaidBalanceOut(id_token=id_token, balance=MoneyOut.of(balance), taken_by=taken_by)


@router.get(
    "/payments/prepaid/{id_token}",
    summary="A prepaid card's credit",
    responses=problem_responses(404),
)
async def prepaid_balance(id_token: str, context: Context, _: Attendant) -> PrepaidBalanceOut:
    balance = await context.services.feature(PAYMENTS).prepaid.balance(id_token)
    return PrepaidBalanceOut(id_token=id_token, balance=MoneyOut.of(balance))
