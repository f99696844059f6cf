"""mod_tariffs: Tariff, TariffElement, PriceComponent, restrictions (2.2.1 and 2.3.0).

The one version difference we publish: 2.3.0 requires ``tax_included`` (our prices are before
taxes: ``NO``, so each component carries the ``vat`` percentage as in 2.2.1, where a
PriceComponent price is always excluding VAT).
"""

from __future__ import annotations

from datetime import time
from decimal import Decimal
from typing import Literal

from pydantic import Field

from forecourt.ocpi.domain.parties import PartyRef
from forecourt.ocpi.domain.versions import Version
from forecourt.ocpi.schemas.common import OcpiModel, timestamp
from forecourt.ports.tariff_catalogue import PublishedTariff


class PriceComponent(OcpiModel):
    type: Literal["ENERGY", "FLAT", "PARKING_TIME", "TIME"]
    price: float = Field(ge=0)  # per kWh, per session, per hour
    vat: float | None = Field(None, ge=0)
    step_size: int = Field(ge=0)


class TariffRestrictions(OcpiModel):
    start_time: str | None = Field(None, pattern=r"^([0-1][0-9]|2[0-3]):[0-5][0-9]$")
    end_time: str | None = Field(None, pattern=r"^([0-1][0-9]|2[0-3]):[0-5][0-9]$")


class TariffElement(OcpiModel):
    price_components: list[PriceComponent] = Field(min_length=1)
    restrictions: TariffRestrictions | None = None


class DisplayText(OcpiModel):
    language: str = Field(pattern=r"^[a-z]{2}$")
    text: str = Field(max_length=512)


class Tariff(OcpiModel):
    country_code: str = Field(pattern=r"^[A-Z]{2}$")
    party_id: str = Field(pattern=r"^[A-Z0-9]{3}$")
    id: str = Field(max_length=36)
    currency: str = Field(pattern=r"^[A-Z]{3}$")
    type: Literal["REGULAR"] = "REGULAR"
    tariff_alt_text: list[DisplayText] | None = None
    tax_included: Literal["YES", "NO", "N/A"] | None = None  # 2.3.0 only (required there)
    elements: list[TariffElement] = Field(min_length=1)
    last_updated: str


def tariff(version: Version, us: PartyRef, published: PublishedTariff) -> Tariff:
    vat = float(published.tax_percent) if published.tax_percent else None
    elements = []
    if published.session_fee:
        elements.append(_element("FLAT", published.session_fee, vat, 1))
    if published.idle_fee_per_minute:  # per hour in OCPI, charged by the minute
        elements.append(_element("PARKING_TIME", published.idle_fee_per_minute * 60, vat, 60))
    elements += _energy(published, vat)
    return Tariff(
        country_code=us.country_code,
        party_id=us.party_id,
        id=published.code,
        currency=published.currency,
        tariff_alt_text=[DisplayText(language="en", text=published.name[:512])],
        tax_included="NO" if version is Version.V2_3_0 else None,
        elements=elements,
        last_updated=timestamp(published.updated_at),
    )


def _energy(published: PublishedTariff, vat: float | None) -> list[TariffElement]:
    """One element per time-of-day band (step 1 Wh); a single band needs no restriction."""
    bands = sorted(published.bands, key=lambda b: b.starts_at)
    if len(bands) == 1:
        return [_element("ENERGY", bands[0].price_per_kwh, vat, 1)]
    out = []
    for band, following in zip(bands, [*bands[1:], bands[0]], strict=True):
        window = TariffRestrictions(
            start_time=_hhmm(band.starts_at), end_time=_hhmm(following.starts_at)
        )
        out.append(_element("ENERGY", band.price_per_kwh, vat, 1, window))
    return out


def _element(
    kind: Literal["ENERGY", "FLAT", "PARKING_TIME", "TIME"],
    price: Decimal,
    vat: float | None,
    step: int,
    restrictions: TariffRestrictions | None = None,
) -> TariffElement:
    component = PriceComponent(type=kind, price=float(price), vat=vat, step_size=step)
    return TariffElement(price_components=[component], restrictions=restrictions)


def _hhmm(at: time) -> str:
    return at.strftime("%H:%M")
