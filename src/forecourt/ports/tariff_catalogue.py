"""Published prices, for roaming: a port the payments slice offers, OCPI asks for.

Tariffs live in the payments slice; OCPI publishes them to partners (mod_tariffs) and must not
import payments. Payments offers a :class:`TariffCatalogue` under :data:`TARIFF_CATALOGUE`
(none installed: no tariffs are published). A change is announced as ``tariff.published``.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, time
from decimal import Decimal
from typing import Protocol

from forecourt.ports.keys import Key


@dataclass(frozen=True, slots=True)
class PriceBand:
    """From ``starts_at`` (local time of day) until the next band's start."""

    starts_at: time
    price_per_kwh: Decimal  # before taxes


@dataclass(frozen=True, slots=True)
class PublishedTariff:
    code: str
    name: str
    currency: str
    bands: tuple[PriceBand, ...]
    session_fee: Decimal  # before taxes
    idle_fee_per_minute: Decimal  # before taxes
    tax_percent: Decimal  # the sum of the tariff's tax rates
    updated_at: datetime


class TariffCatalogue(Protocol):
    async def published(self) -> list[PublishedTariff]: ...
    async def code_for(self, station_id: str, evse_id: int) -> str | None: ...


#: The port payments offers (``Feature.offers``) and OCPI asks for.
TARIFF_CATALOGUE: Key[TariffCatalogue] = Key("tariff_catalogue")
