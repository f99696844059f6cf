"""Bodies of the tariff, payment and receipt routes. Amounts are decimal strings or integer
minor units — never JSON floats."""

from __future__ import annotations

from datetime import datetime, time
from decimal import Decimal
from typing import Annotated, Any, Literal

from pydantic import BaseModel, BeforeValidator, ConfigDict, Field

from forecourt.api.bounds import PortNumber, RecordId
from forecourt.domain.money import Money, parse_decimal
from forecourt.domain.transactions import PaymentMethod
from forecourt.payments.domain.costing import CostBreakdown
from forecourt.payments.domain.payments import Payment, PaymentFlow, PaymentState
from forecourt.payments.domain.tariffs import EnergyBand, Tariff, TaxRate
from forecourt.payments.ports import TariffBinding
from forecourt.payments.services.reconciliation import Action, Finding, FindingKind
from forecourt.payments.services.recovery import SweepReport
from forecourt.services.access import Role, shown_token


def _decimal_text(value: Any) -> Any:
    if isinstance(value, float):
        raise ValueError('send amounts as decimal strings, e.g. "0.45" (floats are inexact)')
    return value


#: A decimal given as a string (or an integer): "0.45".
DecimalText = Annotated[Decimal, BeforeValidator(_decimal_text), Field(ge=0)]


class Input(BaseModel):
    model_config = ConfigDict(extra="forbid")


class MoneyOut(BaseModel):
    minor: int = Field(description="Integer amount in the currency's smallest unit (cents).")
    currency: str
    amount: str = Field(description="Major units as a decimal string, e.g. `12.34`.")
    text: str = Field(description="For people, e.g. `$12.34`.")

    @classmethod
    def of(cls, money: Money) -> MoneyOut:
        return cls(
            minor=money.minor, currency=money.currency, amount=money.amount_text(), text=str(money)
        )


class BandIn(Input):
    starts_at: time = Field(description="Local time of day the band starts (HH:MM).")
    price_per_kwh: DecimalText


class TaxIn(Input):
    name: str = Field(min_length=1, max_length=60)
    percent: DecimalText


class TariffIn(Input):
    code: str = Field(min_length=1, max_length=64, pattern=r"^[A-Za-z0-9._-]+$")
    name: str = Field(min_length=1, max_length=200)
    currency: str = Field("USD", min_length=3, max_length=3)
    energy_bands: list[BandIn] = Field(min_length=1)
    session_fee: DecimalText = Decimal(0)
    idle_fee_per_minute: DecimalText = Decimal(0)
    idle_grace_minutes: int = Field(0, ge=0, le=24 * 60)
    taxes: list[TaxIn] = Field(default_factory=list)
    timezone: str = "UTC"
    hold_amount: DecimalText = Decimal(50)
    effective_from: datetime | None = Field(
        None, description="When this revision takes effect (default now; never in the past)."
    )

    def to_domain(self) -> Tariff:
        return Tariff(
            code=self.code,
            name=self.name,
            currency=self.currency,
            energy_bands=tuple(EnergyBand(b.starts_at, b.price_per_kwh) for b in self.energy_bands),
            session_fee=self.session_fee,
            idle_fee_per_minute=self.idle_fee_per_minute,
            idle_grace_minutes=self.idle_grace_minutes,
            taxes=tuple(TaxRate(t.name, t.percent) for t in self.taxes),
            timezone=self.timezone,
            hold_amount=self.hold_amount,
        )


class TariffOut(BaseModel):
    code: str
    revision: int
    effective_from: datetime | None
    body: dict[str, Any] = Field(description="The revision: bands, fees, taxes (decimal strings).")
    price_text: str

    @classmethod
    def of(cls, tariff: Tariff, price_text: str) -> TariffOut:
        return cls(
            code=tariff.code,
            revision=tariff.revision,
            effective_from=tariff.effective_from,
            body=tariff.to_dict(),
            price_text=price_text,
        )


class BindingIn(Input):
    tariff_code: str = Field(min_length=1, max_length=64)
    site_id: str | None = None
    station_id: str | None = None
    evse_id: PortNumber | None = None
    connector_type: str | None = None

    def to_domain(self) -> TariffBinding:
        return TariffBinding(
            self.tariff_code, self.site_id, self.station_id, self.evse_id, self.connector_type
        )


class BindingOut(BaseModel):
    id: int
    tariff_code: str
    site_id: str | None
    station_id: str | None
    evse_id: int | None
    connector_type: str | None

    @classmethod
    def of(cls, b: TariffBinding) -> BindingOut:
        return cls(
            id=b.id,
            tariff_code=b.tariff_code,
            site_id=b.site_id,
            station_id=b.station_id,
            evse_id=b.evse_id,
            connector_type=b.connector_type,
        )


class PriceOut(BaseModel):
    station_id: str
    evse_id: int
    connector_types: list[str]
    currency: str
    energy_price_per_kwh: str = Field(description="The price now, in major units per kWh.")
    price_text: str
    fees: list[str] = Field(description="Each fee explained (NEVI §680.116(a)(3)).")
    hold: MoneyOut = Field(description="Temporary hold on a card; only the final amount is taken.")
    tariff: TariffOut
    pay_url: str


class LineOut(BaseModel):
    kind: str
    description: str
    quantity: str
    unit: str
    unit_price: str
    amount: MoneyOut


class TariffPartOut(BaseModel):
    """One tariff's share of a session billed split at a tariff change (OCPP 2.1 I10)."""

    tariff_code: str
    tariff_revision: int
    starts_at: datetime
    ends_at: datetime
    energy_wh: int
    total: MoneyOut


class CostOut(BaseModel):
    final: bool
    energy_wh: int
    duration_s: int
    idle_minutes: int
    lines: list[LineOut]
    subtotal: MoneyOut
    tax: MoneyOut
    total: MoneyOut
    tariff_code: str
    tariff_revision: int
    parts: list[TariffPartOut] = Field(
        default=[], description="Billed split at a tariff change: each tariff's part, in order."
    )

    @classmethod
    def of(cls, cost: CostBreakdown, final: bool) -> CostOut:
        lines = [
            LineOut(
                kind=line.kind.value,
                description=line.description,
                quantity=str(line.quantity),
                unit=line.unit,
                unit_price=str(line.unit_price),
                amount=MoneyOut.of(line.amount),
            )
            for line in cost.lines
        ]
        return cls(
            final=final,
            energy_wh=cost.energy_wh,
            duration_s=cost.duration_s,
            idle_minutes=cost.idle_minutes,
            lines=lines,
            subtotal=MoneyOut.of(cost.subtotal),
            tax=MoneyOut.of(cost.tax),
            total=MoneyOut.of(cost.total),
            tariff_code=cost.tariff_code,
            tariff_revision=cost.tariff_revision,
            parts=[
                TariffPartOut(
                    tariff_code=part.tariff_code,
                    tariff_revision=part.tariff_revision,
                    starts_at=part.starts_at,
                    ends_at=part.ends_at,
                    energy_wh=part.energy_wh,
                    total=MoneyOut.of(Money(part.total_minor, cost.currency)),
                )
                for part in cost.parts
            ],
        )


class ScanToPayIn(Input):
    station_id: str = Field(min_length=1, max_length=48)
    evse_id: PortNumber
    email: str = Field("", max_length=254, description="Optional: the receipt is emailed here.")
    code: str = Field(
        "", max_length=200, description="A dynamic QR code's `code` (OCPP 2.1 C25), if any."
    )


class PrepaidLoadIn(Input):
    """Credit paid at the counter onto a prepaid card (OCPP 2.1 C17): cash, or a card on the
    counter terminal."""

    amount: DecimalText = Field(gt=0, le=10_000, description='As a string, e.g. "20.00".')
    currency: str = Field("USD", pattern="^[A-Z]{3}$")
    method: Literal["cash", "card"] = "cash"
    terminal_id: str = Field("counter", min_length=1, max_length=64)


class PrepaidBalanceOut(BaseModel):
    id_token: str
    balance: MoneyOut = Field(description="Loaded, minus spent, minus set aside by a session.")
    taken_by: str = Field("", description="Who took this load's money (a load's answer only).")


class DynamicCodeOut(BaseModel):
    """A one-use, short-lived code for one EVSE (OCPP 2.1 C25): show ``url`` as a QR code."""

    code: str
    url: str
    expires_at: datetime
    shown: str | None = Field(
        default=None,
        description="With `show=true`: the station's answer to showing it on its screen"
        " (`accepted`, `rejected`, ...).",
    )


class PrepaymentIn(Input):
    """Money taken for a chosen port before it starts (a counter or a stand-alone terminal)."""

    station_id: str = Field(min_length=1, max_length=48)
    evse_id: PortNumber
    amount: DecimalText = Field(
        gt=0, le=10_000, description="In the port's currency (its tariff's), as a string."
    )


class CounterPrepaymentIn(PrepaymentIn):
    """The attendant's prepayment: cash (recorded) or a card on the counter terminal."""

    method: Literal["cash", "card"]
    terminal_id: str = Field("counter", min_length=1, max_length=64)


class PaymentStatusOut(BaseModel):
    """What a driver may see about their own payment (the public id is the credential)."""

    public_id: str
    state: PaymentState
    method: PaymentMethod
    message: str
    redirect_url: str
    station_id: str
    evse_id: int | None
    hold: MoneyOut
    authorized: MoneyOut
    captured: MoneyOut
    final: MoneyOut | None
    card_last4: str
    receipt_code: str
    transaction_id: int | None
    change_due: MoneyOut = Field(
        description="Prepaid at the counter and not used (cash back, or released to the card)."
    )

    @classmethod
    def of(cls, p: Payment) -> PaymentStatusOut:
        return cls(
            public_id=p.public_id,
            state=p.state,
            method=p.method,
            message=p.message,
            redirect_url=p.redirect_url,
            station_id=p.station_id,
            evse_id=p.evse_id,
            hold=MoneyOut.of(p.hold),
            authorized=MoneyOut.of(p.authorized),
            captured=MoneyOut.of(Money(p.captured_minor, p.currency)),
            final=None if p.final_minor is None else MoneyOut.of(Money(p.final_minor, p.currency)),
            card_last4=p.card.last4,
            receipt_code=p.receipt_code,
            transaction_id=p.transaction_id,
            change_due=MoneyOut.of(p.change_due),
        )


class PaymentOut(PaymentStatusOut):
    """The operator's view: the provider's reference and the retry state too."""

    id: int
    flow: PaymentFlow
    provider: str
    provider_ref: str
    id_token: str
    attempts: int
    last_error: str
    created_at: datetime
    updated_at: datetime | None
    taken_by: str = Field(
        "", description='Who took the money at the counter (a user or API key); "" otherwise.'
    )
    expires_at: datetime | None = Field(
        None,
        description="An unused hold (card page not completed, or no session started) is "
        "released at this time; null once a session uses it or it is settled.",
    )

    @classmethod
    def for_role(
        cls, p: Payment, role: Role | None, expires_at: datetime | None = None
    ) -> PaymentOut:
        """As ``role`` may see it (viewers: the last 4 characters of the token)."""
        return cls(
            **PaymentStatusOut.of(p).model_dump(),
            expires_at=expires_at,
            id=p.id,
            flow=p.flow,
            provider=p.provider,
            provider_ref=p.provider_ref,
            id_token=shown_token(p.id_token, role) or "",
            attempts=p.attempts,
            last_error=p.last_error,
            created_at=p.created_at,
            updated_at=p.updated_at,
            taken_by=p.taken_by,
        )


class SettlementIn(Input):
    """A settlement the station's own terminal made (OCPP 2.1 NotifySettlement semantics)."""

    psp_ref: str = Field(min_length=1, max_length=255)
    status: str = Field(pattern="^(Settled|Canceled|Rejected|Failed)$")
    settlement_amount: DecimalText
    currency: str = Field("USD", min_length=3, max_length=3)
    settlement_time: datetime
    transaction_id: RecordId | None = None

    def amount(self) -> Money:
        return Money.of(parse_decimal(self.settlement_amount), self.currency)


class FindingOut(BaseModel):
    kind: FindingKind
    action: Action
    detail: str
    public_id: str
    provider_ref: str

    @classmethod
    def of(cls, f: Finding) -> FindingOut:
        return cls(
            kind=f.kind,
            action=f.action,
            detail=f.detail,
            public_id=f.public_id,
            provider_ref=f.provider_ref,
        )


class SweepOut(BaseModel):
    executed: int
    settled: int
    linked: int
    released: int
    escalated: int

    @classmethod
    def of(cls, r: SweepReport) -> SweepOut:
        return cls(
            executed=r.executed,
            settled=r.settled,
            linked=r.linked,
            released=r.released,
            escalated=r.escalated,
        )
