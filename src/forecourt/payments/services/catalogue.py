"""Our tariffs as the core's ``TariffCatalogue`` port (what roaming publishes)."""

from __future__ import annotations

from datetime import UTC, datetime
from decimal import Decimal

from forecourt.domain.errors import Conflict, NotFound
from forecourt.payments.domain.tariffs import Tariff
from forecourt.payments.services.tariffs import Tariffs
from forecourt.ports.tariff_catalogue import PriceBand, PublishedTariff


class PublishedTariffs:
    def __init__(self, tariffs: Tariffs) -> None:
        self._tariffs = tariffs

    async def published(self) -> list[PublishedTariff]:
        return [_published(t) for t in await self._tariffs.current()]

    async def code_for(self, station_id: str, evse_id: int) -> str | None:
        try:
            return (await self._tariffs.for_evse(station_id, evse_id)).tariff.code
        except (NotFound, Conflict):
            return None  # unknown EVSE, or no tariff applies


def _published(tariff: Tariff) -> PublishedTariff:
    return PublishedTariff(
        code=tariff.code,
        name=tariff.name,
        currency=tariff.currency,
        bands=tuple(PriceBand(b.starts_at, b.price_per_kwh) for b in tariff.energy_bands),
        session_fee=tariff.session_fee,
        idle_fee_per_minute=tariff.idle_fee_per_minute,
        tax_percent=sum((t.percent for t in tariff.taxes), Decimal(0)),
        updated_at=tariff.effective_from or tariff_epoch(),
    )


def tariff_epoch() -> datetime:
    return datetime(2000, 1, 1, tzinfo=UTC)
