"""mod_payments objects (OCPI 2.3.0 only): Terminal and FinancialAdviceConfirmation, parsed
into the domain's and written back out (the spec's field types and lengths)."""

from __future__ import annotations

from datetime import datetime
from decimal import Decimal
from typing import Any

from pydantic import Field, ValidationError

from forecourt.ocpi.domain.payments import (
    CaptureStatus,
    FinancialAdvice,
    InvoiceCreator,
    Terminal,
)
from forecourt.ocpi.domain.status import invalid
from forecourt.ocpi.schemas.codec import _first
from forecourt.ocpi.schemas.common import OcpiModel, timestamp

Id36 = Field(min_length=1, max_length=36)


class GeoLocation(OcpiModel):
    latitude: str = Field(pattern=r"^-?[0-9]{1,2}\.[0-9]{5,7}$")
    longitude: str = Field(pattern=r"^-?[0-9]{1,3}\.[0-9]{5,7}$")


class TerminalObject(OcpiModel):
    """mod_payments §Terminal object."""

    terminal_id: str = Id36
    customer_reference: str | None = Field(default=None, max_length=36)
    party_id: str | None = Field(default=None, pattern=r"^[A-Z0-9]{3}$")
    country_code: str | None = Field(default=None, pattern=r"^[A-Z]{2}$")
    address: str | None = Field(default=None, max_length=45)
    city: str | None = Field(default=None, max_length=45)
    postal_code: str | None = Field(default=None, max_length=10)
    state: str | None = Field(default=None, max_length=20)
    country: str | None = Field(default=None, min_length=3, max_length=3)
    coordinates: GeoLocation | None = None
    invoice_base_url: str | None = Field(default=None, max_length=255)
    invoice_creator: InvoiceCreator | None = None
    reference: str | None = Field(default=None, max_length=36)
    location_ids: list[str] = Field(default_factory=list, max_length=1000)
    evse_uids: list[str] = Field(default_factory=list, max_length=10000)
    last_updated: datetime


class TaxAmount(OcpiModel):
    name: str = Field(min_length=1, max_length=255)
    account_number: str | None = Field(default=None, max_length=255)
    percentage: float | None = Field(default=None, ge=0)
    amount: Decimal = Field(ge=0)


class Price(OcpiModel):
    """2.3.0 types §Price: before taxes, and each tax."""

    before_taxes: Decimal = Field(ge=0)
    taxes: list[TaxAmount] = Field(default_factory=list)

    def total(self) -> Decimal:
        return self.before_taxes + sum((t.amount for t in self.taxes), Decimal(0))


class FinancialAdviceConfirmationObject(OcpiModel):
    """mod_payments §Financial Advice Confirmation object."""

    id: str = Id36
    authorization_reference: str = Id36
    total_costs: Price
    currency: str = Field(pattern=r"^[A-Z]{3}$")
    eft_data: list[str] = Field(min_length=1)
    capture_status_code: CaptureStatus
    capture_status_message: str | None = Field(default=None, min_length=1, max_length=255)
    last_updated: datetime


def parse_terminal(data: Any, party_id: int) -> Terminal:
    try:
        parsed = TerminalObject.model_validate(data)
    except ValidationError as exc:
        raise invalid(f"Terminal: {_first(exc)}") from exc
    for uid in (*parsed.location_ids, *parsed.evse_uids):
        if not 1 <= len(uid) <= 36:
            raise invalid("Terminal: location_ids and evse_uids are CiString(36)")
    return Terminal(
        terminal_id=parsed.terminal_id,
        party_id=party_id,
        last_updated=parsed.last_updated,
        location_ids=tuple(parsed.location_ids),
        evse_uids=tuple(parsed.evse_uids),
        customer_reference=parsed.customer_reference,
        reference=parsed.reference,
        address=parsed.address,
        city=parsed.city,
        postal_code=parsed.postal_code,
        country=parsed.country,
        invoice_base_url=parsed.invoice_base_url,
        invoice_creator=parsed.invoice_creator,
        body=parsed.wire(),
    )


def terminal(value: Terminal) -> dict[str, Any]:
    """Our copy of a Terminal, as the PTP's object with our location assignment."""
    return {
        **value.body,
        "terminal_id": value.terminal_id,
        "location_ids": list(value.location_ids),
        "evse_uids": list(value.evse_uids),
        "last_updated": timestamp(value.last_updated),
    }


def parse_advice(data: Any, party_id: int) -> FinancialAdvice:
    try:
        parsed = FinancialAdviceConfirmationObject.model_validate(data)
    except ValidationError as exc:
        raise invalid(f"FinancialAdviceConfirmation: {_first(exc)}") from exc
    if any(not 1 <= len(line) <= 255 for line in parsed.eft_data):
        raise invalid("FinancialAdviceConfirmation: eft_data lines are CiString[1..255]")
    return FinancialAdvice(
        id=parsed.id,
        party_id=party_id,
        authorization_reference=parsed.authorization_reference,
        total=parsed.total_costs.total(),
        currency=parsed.currency,
        eft_data=tuple(parsed.eft_data),
        status=parsed.capture_status_code,
        last_updated=parsed.last_updated,
        message=parsed.capture_status_message or "",
        body=dict(data),  # validated above; kept as sent (amounts stay JSON numbers)
    )


def advice(value: FinancialAdvice) -> dict[str, Any]:
    return {**value.body, "last_updated": timestamp(value.last_updated)}
