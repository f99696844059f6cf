"""Billing accounts and their monthly statements: pure rules, no I/O."""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import UTC, datetime
from decimal import ROUND_HALF_UP, Decimal
from enum import StrEnum

ACCOUNT_ID = re.compile(r"^[A-Za-z0-9][A-Za-z0-9._-]{0,63}$")
MONTH = re.compile(r"^(\d{4})-(0[1-9]|1[0-2])$")
CURRENCY = re.compile(r"^[A-Z]{3}$")
CENT = Decimal("0.01")


class AccountKind(StrEnum):
    UTILITY = "utility"  # a utility customer number (on-street AC billed with the power bill)
    LANDLORD = "landlord"  # a landlord's unit (residential parking)
    FLEET = "fleet"
    OTHER = "other"


@dataclass(frozen=True, slots=True)
class Account:
    id: str
    name: str
    kind: AccountKind
    reference: str = ""  # the customer number / unit the utility or landlord bills
    created_at: datetime | None = None


@dataclass(frozen=True, slots=True)
class BilledSite:
    """A site whose sessions by account tokens accrue to the account, at this energy price."""

    site_id: str
    price_per_kwh: Decimal
    currency: str


@dataclass(frozen=True, slots=True)
class Month:
    year: int
    month: int

    @classmethod
    def parse(cls, text: str) -> Month:
        match = MONTH.match(text)
        if match is None:
            raise ValueError(f"month must be YYYY-MM, got {text!r}")
        return cls(int(match[1]), int(match[2]))

    @property
    def start(self) -> datetime:
        return datetime(self.year, self.month, 1, tzinfo=UTC)

    @property
    def end(self) -> datetime:
        year, month = (self.year + 1, 1) if self.month == 12 else (self.year, self.month + 1)
        return datetime(year, month, 1, tzinfo=UTC)

    def __str__(self) -> str:
        return f"{self.year:04d}-{self.month:02d}"


@dataclass(frozen=True, slots=True)
class StatementLine:
    """One session on a statement: meter readings, energy and its cost at the site's price."""

    transaction_id: int
    site_id: str
    station_id: str
    evse_id: int
    token: str
    started_at: datetime
    stopped_at: datetime | None
    meter_start_wh: float | None
    meter_stop_wh: float | None
    energy_kwh: Decimal
    price_per_kwh: Decimal
    cost: Decimal
    currency: str


@dataclass(frozen=True, slots=True)
class Statement:
    account: Account
    month: Month
    lines: tuple[StatementLine, ...]

    @property
    def energy_kwh(self) -> Decimal:
        return sum((line.energy_kwh for line in self.lines), Decimal(0))

    @property
    def totals(self) -> dict[str, Decimal]:
        """Cost per currency (sites may price in different currencies)."""
        out: dict[str, Decimal] = {}
        for line in self.lines:
            out[line.currency] = out.get(line.currency, Decimal(0)) + line.cost
        return out

    @property
    def sites(self) -> list[str]:
        return sorted({line.site_id for line in self.lines})


def line_cost(energy_wh: float, site: BilledSite) -> tuple[Decimal, Decimal]:
    """(energy in kWh to 3 places, cost to the cent): what one session adds to a statement."""
    energy_kwh = (Decimal(str(energy_wh)) / 1000).quantize(Decimal("0.001"), ROUND_HALF_UP)
    return energy_kwh, (energy_kwh * site.price_per_kwh).quantize(CENT, ROUND_HALF_UP)
