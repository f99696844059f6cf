"""Request and response models of the accounts API."""

from __future__ import annotations

from datetime import datetime
from decimal import Decimal

from pydantic import BaseModel, Field

from forecourt.accounts.domain.accounts import Account, AccountKind, BilledSite
from forecourt.api.schemas.base import Input


class AccountIn(Input):
    id: str = Field(pattern=r"^[A-Za-z0-9][A-Za-z0-9._-]{0,63}$", description="Your id for it.")
    name: str = Field(min_length=1, max_length=200)
    kind: AccountKind = AccountKind.UTILITY
    reference: str = Field(
        "", max_length=100, description="The customer number or unit the statement is for."
    )

    def to_domain(self) -> Account:
        return Account(self.id, self.name, self.kind, self.reference)


class AccountOut(BaseModel):
    id: str
    name: str
    kind: AccountKind
    reference: str
    created_at: datetime | None
    tokens: list[str] = []

    @classmethod
    def of(cls, account: Account, tokens: list[str] | None = None) -> AccountOut:
        return cls(
            id=account.id,
            name=account.name,
            kind=account.kind,
            reference=account.reference,
            created_at=account.created_at,
            tokens=tokens or [],
        )


class BilledSiteIn(Input):
    price_per_kwh: Decimal = Field(ge=0, le=1000, decimal_places=4)
    currency: str = Field(pattern=r"^[A-Z]{3}$", description="ISO 4217, e.g. EUR.")


class BilledSiteOut(BaseModel):
    site_id: str
    price_per_kwh: str
    currency: str

    @classmethod
    def of(cls, site: BilledSite) -> BilledSiteOut:
        return cls(
            site_id=site.site_id, price_per_kwh=str(site.price_per_kwh), currency=site.currency
        )
