"""Tariffs, prices, card payments, receipts, reconciliation.

Public (no API key): the price at an EVSE, starting scan-to-pay, a payment's status by its
public id, receipts by code or card digits + date, and provider webhooks (signature-checked).
"""

from __future__ import annotations

import math
from datetime import date, datetime
from typing import Annotated

from fastapi import APIRouter, Path, Query, Request, status
from pydantic import BaseModel, Field

from forecourt.api.bounds import PortNumber, RecordId
from forecourt.api.deps import Admin, Context, Operator, Technician, Viewer, role_of
from forecourt.api.problems import ProblemError, problem_responses
from forecourt.api.schemas import UtcDatetime
from forecourt.domain.transactions import PaymentMethod
from forecourt.payments.api.counter import code_problem
from forecourt.payments.api.schemas import (
    BindingIn,
    BindingOut,
    CostOut,
    FindingOut,
    Input,
    MoneyOut,
    PaymentOut,
    PaymentStatusOut,
    PriceOut,
    ScanToPayIn,
    SettlementIn,
    SweepOut,
    TariffIn,
    TariffOut,
)
from forecourt.payments.domain.payments import InvalidWebhook, PaymentState
from forecourt.payments.domain.tariffs import Tariff
from forecourt.payments.keys import PAYMENTS
from forecourt.payments.ports import PAYMENT_STORE, PaymentFilter
from forecourt.payments.services import PaymentServices
from forecourt.payments.services.pricing import fee_explanations, price_text
from forecourt.payments.services.qr_codes import CodeRefused
from forecourt.payments.services.receipts import LookupThrottled, Receipt
from forecourt.ports.station_payments import SettlementStatus
from forecourt.services.access import shown_token

router = APIRouter(tags=["payments"], responses=problem_responses(401, 403))


def _payments(context: Context) -> PaymentServices:
    return context.services.feature(PAYMENTS)


def _tariff_out(payments: PaymentServices, tariff: Tariff) -> TariffOut:
    return TariffOut.of(tariff, price_text(tariff, payments.ctx.clock.now()))


# -- tariffs ------------------------------------------------------------------------------------
@router.get("/tariffs", summary="Tariffs as in force now")
async def list_tariffs(context: Context, _: Viewer) -> list[TariffOut]:
    payments = _payments(context)
    return [_tariff_out(payments, t) for t in await payments.tariffs.current()]


@router.post(
    "/tariffs",
    summary="Publish a tariff, or a new revision of one",
    description="Revisions are immutable; a session keeps the revision in force when it started.",
    status_code=status.HTTP_201_CREATED,
    responses=problem_responses(422),
)
async def publish_tariff(body: TariffIn, context: Context, _: Operator) -> TariffOut:
    payments = _payments(context)
    tariff = await payments.tariffs.publish(body.to_domain(), body.effective_from)
    return _tariff_out(payments, tariff)


@router.get("/tariffs/{code}", summary="A tariff as in force", responses=problem_responses(404))
async def get_tariff(
    code: str, context: Context, _: Viewer, at: UtcDatetime | None = None
) -> TariffOut:
    payments = _payments(context)
    return _tariff_out(payments, await payments.tariffs.get(code, at))


@router.get("/tariffs/{code}/revisions", summary="Every revision", responses=problem_responses(404))
async def tariff_revisions(code: str, context: Context, _: Viewer) -> list[TariffOut]:
    payments = _payments(context)
    return [_tariff_out(payments, t) for t in await payments.tariffs.revisions(code)]


@router.get("/tariff-bindings", summary="Where tariffs apply")
async def list_bindings(context: Context, _: Viewer) -> list[BindingOut]:
    return [BindingOut.of(b) for b in await _payments(context).tariffs.bindings()]


@router.post(
    "/tariff-bindings",
    summary="Apply a tariff to the network, a site, a station, an EVSE or a connector type",
    description="The most specific binding wins: EVSE > station > site+type > site > type > all.",
    status_code=status.HTTP_201_CREATED,
    responses=problem_responses(404, 422),
)
async def bind_tariff(body: BindingIn, context: Context, _: Operator) -> BindingOut:
    return BindingOut.of(await _payments(context).tariffs.bind(body.to_domain()))


@router.delete(
    "/tariff-bindings/{binding_id}",
    summary="Remove a binding",
    status_code=status.HTTP_204_NO_CONTENT,
    responses=problem_responses(404),
)
async def unbind_tariff(binding_id: RecordId, context: Context, _: Operator) -> None:
    await _payments(context).tariffs.unbind(binding_id)


@router.get(
    "/prices/{station_id}/{evse_id}",
    summary="The price at an EVSE before charging (public)",
    responses=problem_responses(404, 409),
)
async def price_at(station_id: str, evse_id: PortNumber, context: Context) -> PriceOut:
    payments = _payments(context)
    priced = await payments.tariffs.for_evse(station_id, evse_id)
    tariff, now = priced.tariff, payments.ctx.clock.now()
    return PriceOut(
        station_id=station_id,
        evse_id=evse_id,
        connector_types=list(priced.connector_types),
        currency=tariff.currency,
        energy_price_per_kwh=str(tariff.band_at(now).price_per_kwh),
        price_text=price_text(tariff, now),
        fees=fee_explanations(tariff),
        hold=MoneyOut.of(tariff.hold()),
        tariff=_tariff_out(payments, tariff),
        pay_url=payments.policy.url(f"/pay/{station_id}/{evse_id}"),
    )


class DriverTariffIn(Input):
    tariff_code: str = Field(min_length=1, max_length=64)


class DriverTariffOut(BaseModel):
    id_token: str | None = Field(description="Masked unless the caller may see full tokens.")
    tariff_code: str


DriverToken = Annotated[str, Path(min_length=1, max_length=255)]


@router.get("/driver-tariffs", summary="Tokens with their own tariff (OCPP 2.1 DriverTariff)")
async def list_driver_tariffs(context: Context, caller: Viewer) -> list[DriverTariffOut]:
    role = role_of(caller)
    return [
        DriverTariffOut(id_token=shown_token(token, role), tariff_code=code)
        for token, code in await _payments(context).tariffs.drivers()
    ]


@router.put(
    "/driver-tariffs/{id_token}",
    summary="Give a token its own tariff (OCPP 2.1 DriverTariff)",
    description="Its sessions starting from now on are billed by this tariff whatever the"
    " station's binding; a 2.1 station gets it in the Authorize answer. 404: unknown token or"
    " tariff.",
    responses=problem_responses(404, 422),
)
async def set_driver_tariff(
    id_token: DriverToken, body: DriverTariffIn, context: Context, _: Operator
) -> DriverTariffOut:
    tariff = await _payments(context).tariffs.set_driver(id_token, body.tariff_code)
    return DriverTariffOut(id_token=id_token, tariff_code=tariff.code)


@router.delete(
    "/driver-tariffs/{id_token}",
    summary="Remove a token's own tariff",
    status_code=status.HTTP_204_NO_CONTENT,
    responses=problem_responses(404),
)
async def clear_driver_tariff(id_token: DriverToken, context: Context, _: Operator) -> None:
    await _payments(context).tariffs.clear_driver(id_token)


@router.get(
    "/transactions/{transaction_id}/cost",
    summary="Running cost of an active session, final cost of an ended one",
    responses=problem_responses(404, 409),
)
async def transaction_cost(transaction_id: RecordId, context: Context, _: Viewer) -> CostOut:
    cost = await _payments(context).pricing.session_cost(transaction_id)
    return CostOut.of(cost.breakdown, cost.final)


# -- payments -----------------------------------------------------------------------------------
@router.get("/payments", summary="Card payments, newest first")
async def list_payments(
    context: Context,
    caller: Viewer,
    state: Annotated[list[PaymentState] | None, Query()] = None,
    station_id: str | None = None,
    limit: Annotated[int, Query(ge=1, le=1000)] = 100,
) -> list[PaymentOut]:
    flt = PaymentFilter(states=tuple(state or ()), station_id=station_id, limit=limit)
    async with context.services.ctx.uow() as uow:
        found = await uow.repository(PAYMENT_STORE).list(flt)
    policy = _payments(context).policy
    return [PaymentOut.for_role(p, role_of(caller), policy.expires_at(p)) for p in found]


@router.get("/payments/{public_id}", summary="One payment", responses=problem_responses(404))
async def get_payment(public_id: str, context: Context, caller: Viewer) -> PaymentOut:
    payments = _payments(context)
    payment = await payments.holds.get(public_id)
    return PaymentOut.for_role(payment, role_of(caller), payments.policy.expires_at(payment))


@router.post(
    "/payments/scan-to-pay",
    summary="Start scan-to-pay at an EVSE (public): a hold on the provider's card page",
    description="Send the driver to `redirect_url`; the session starts once the hold is approved.",
    status_code=status.HTTP_201_CREATED,
    responses=problem_responses(400, 404, 409, 410, 422),
)
async def scan_to_pay(body: ScanToPayIn, context: Context) -> PaymentStatusOut:
    try:
        payment = await _payments(context).scan_to_pay(
            body.station_id, body.evse_id, body.email, body.code
        )
    except CodeRefused as exc:
        raise code_problem(exc) from exc
    return PaymentStatusOut.of(payment)


@router.get(
    "/payments/{public_id}/status",
    summary="A driver's view of their payment (public: the id is the credential)",
    responses=problem_responses(404),
)
async def payment_status(public_id: str, context: Context) -> PaymentStatusOut:
    holds = _payments(context).holds
    return PaymentStatusOut.of(await holds.refresh_pending(await holds.get(public_id)))


@router.post(
    "/payments/readers/{station_id}/{evse_id}/hold",
    summary="Ask the card reader at a dispenser to take a card (provider-driven reader)",
    status_code=status.HTTP_201_CREATED,
    responses=problem_responses(400, 404, 409, 422),
)
async def arm_reader(
    station_id: str, evse_id: PortNumber, context: Context, caller: Technician
) -> PaymentOut:
    payments = _payments(context)
    payment = await payments.holds.arm_reader(station_id, evse_id)
    return PaymentOut.for_role(payment, role_of(caller), payments.policy.expires_at(payment))


@router.post(
    "/payments/webhooks/{provider}",
    summary="Provider notifications (Stripe, test provider); signature-checked",
    responses=problem_responses(400, 404),
)
async def provider_webhook(provider: str, request: Request, context: Context) -> dict[str, bool]:
    payments = _payments(context)
    if provider != payments.provider.name:
        raise ProblemError(
            404, "Not found", f"this server uses the {payments.provider.name!r} provider"
        )
    try:
        await payments.holds.handle_webhook(await request.body(), dict(request.headers))
    except InvalidWebhook as exc:
        raise ProblemError(400, "Invalid notification", str(exc), slug="invalid-webhook") from exc
    return {"received": True}


@router.post(
    "/payments/settlements",
    summary="Record a settlement a station's own terminal made (OCPP 2.1 direct payment)",
    responses=problem_responses(404, 422),
)
async def record_settlement(body: SettlementIn, context: Context, caller: Operator) -> PaymentOut:
    """The rule of the station's own NotifySettlement (recorded once; rejected, failed or
    disagreeing settlements escalated)."""
    payment = await _payments(context).direct.record_relayed(
        body.psp_ref, SettlementStatus(body.status.lower()), body.amount(), body.settlement_time
    )
    if payment is None:
        raise ProblemError(404, "Not found", f"no payment holds the reference {body.psp_ref!r}")
    return PaymentOut.for_role(payment, role_of(caller))


@router.post("/payments/recover", summary="Run the recovery pass now")
async def recover(context: Context, _: Admin) -> SweepOut:
    return SweepOut.of(await _payments(context).recovery.sweep(startup=True))


@router.post("/payments/reconcile", summary="Reconcile with the provider; fix or escalate")
async def reconcile(
    context: Context,
    _: Admin,
    fix: bool = True,
    days: Annotated[int, Query(ge=1, le=90)] = 7,
) -> list[FindingOut]:
    findings = await _payments(context).reconciliation.run(fix=fix, days=days)
    return [FindingOut.of(f) for f in findings]


# -- receipts -----------------------------------------------------------------------------------
class ReceiptOut(BaseModel):
    """What a receipt shows; never the payment's public id (that opens the session page)."""

    receipt_code: str
    state: PaymentState
    method: PaymentMethod
    station_id: str
    evse_id: int | None
    authorized: MoneyOut
    captured: MoneyOut
    final: MoneyOut | None
    card_last4: str
    url: str
    cost: CostOut | None
    released: MoneyOut
    started_at: datetime | None
    stopped_at: datetime | None
    connector_type: str
    site_name: str

    @classmethod
    def of_receipt(cls, r: Receipt) -> ReceiptOut:
        tx = r.transaction
        status = PaymentStatusOut.of(r.payment)
        return cls(
            **status.model_dump(include=set(cls.model_fields) & set(PaymentStatusOut.model_fields)),
            url=r.url,
            cost=None if r.breakdown is None else CostOut.of(r.breakdown, True),
            released=MoneyOut.of(r.released),
            started_at=tx.started_at if tx else None,
            stopped_at=tx.stopped_at if tx else None,
            connector_type=r.connector_type,
            site_name=r.site_name,
        )


@router.get("/receipts/{code}", summary="A receipt (public)", responses=problem_responses(404))
async def get_receipt(request: Request, code: str, context: Context) -> ReceiptOut:
    receipts = _payments(context).receipts
    try:
        return ReceiptOut.of_receipt(await receipts.by_public_code(code, _address(request)))
    except LookupThrottled as wait:
        raise _too_many(wait) from None


@router.get(
    "/receipts",
    summary="Find your receipt by the card's last 4 digits, the day and the amount (public)",
    description="At most one receipt; 404 when none matches. Look-ups that find nothing are "
    "throttled per address (429 with `Retry-After`).",
    responses=problem_responses(404, 422, 429),
)
async def find_receipt(
    request: Request,
    context: Context,
    last4: Annotated[str, Query(pattern=r"^\d{4}$")],
    day: Annotated[date, Query(alias="date")],
    amount: Annotated[str, Query(min_length=1, max_length=20, description="Charged, e.g. 12.34")],
) -> ReceiptOut:
    receipts = _payments(context).receipts
    try:
        return ReceiptOut.of_receipt(
            await receipts.find_mine(last4, day, amount, _address(request))
        )
    except LookupThrottled as wait:
        raise _too_many(wait) from None


def _address(request: Request) -> str:
    return request.client.host if request.client is not None else ""


def _too_many(wait: LookupThrottled) -> ProblemError:
    seconds = str(math.ceil(wait.retry_after_s))
    return ProblemError(
        429, "Too many attempts", str(wait), slug="throttled", headers={"Retry-After": seconds}
    )


# -- fleet statements (RFID cards / accounts billed per period) ----------------------------------
class StatementLineOut(BaseModel):
    transaction_id: int
    id_token: str | None
    station_id: str
    started_at: datetime
    stopped_at: datetime | None
    energy_wh: float
    total: MoneyOut


class StatementOut(BaseModel):
    group: str
    since: datetime
    until: datetime
    lines: list[StatementLineOut]
    totals: list[MoneyOut]


@router.get(
    "/statements/{group}",
    summary="Sessions of a fleet's cards in a period, priced (billing per period)",
    responses=problem_responses(404, 422),
)
async def statement(
    group: str, context: Context, caller: Viewer, since: UtcDatetime, until: UtcDatetime
) -> StatementOut:
    found = await _payments(context).receipts.statement(group, since, until)
    role = role_of(caller)
    lines = [
        StatementLineOut(
            transaction_id=line.transaction.id,
            id_token=shown_token(line.transaction.id_token, role),
            station_id=line.transaction.station_id,
            started_at=line.transaction.started_at,
            stopped_at=line.transaction.stopped_at,
            energy_wh=round(line.transaction.energy_wh, 3),
            total=MoneyOut.of(line.total),
        )
        for line in found.lines
    ]
    totals = [MoneyOut.of(m) for m in found.totals().values()]
    return StatementOut(group=group, since=since, until=until, lines=lines, totals=totals)
