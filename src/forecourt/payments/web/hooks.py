"""Fills the driver pages' payment slots: the price in words, and the scan-to-pay link."""

from __future__ import annotations

from collections.abc import Mapping
from datetime import datetime
from typing import Any

from forecourt.domain.errors import ForecourtError
from forecourt.payments.domain.tariffs import Tariff
from forecourt.payments.services import PaymentServices
from forecourt.payments.services.pricing import price_bands, price_fees, price_text
from forecourt.web.context import DriverPage


class PaymentSlots:
    def __init__(self, payments: PaymentServices) -> None:
        self._payments = payments

    async def __call__(self, page: DriverPage) -> Mapping[str, Any]:
        now = self._payments.ctx.clock.now()
        if page.evse is not None:
            station_id, evse_id = page.evse
            try:
                priced = await self._payments.tariffs.for_evse(station_id, evse_id)
            except ForecourtError:
                return {}  # no tariff published: the page says so, and offers no payment
            return {
                **_price(priced.tariff, now),
                "pay_url": f"/pay/{station_id}/{evse_id}",
                "pay_label": "Start and pay by card (no app, no account)",
            }
        tariffs: dict[str, Tariff] = {}
        for station in page.stations:
            for evse in station.evses:
                try:
                    priced = await self._payments.tariffs.for_evse(station.id, evse.evse_id)
                except ForecourtError:
                    continue
                tariffs[price_text(priced.tariff, now)] = priced.tariff
        if not tariffs:
            return {}
        if len(tariffs) == 1:
            return _price(next(iter(tariffs.values())), now)
        return {"price_text": "Prices differ by charger; each port's page shows its price."}


def _price(tariff: Tariff, at: datetime) -> dict[str, Any]:
    """The price in words, and the day's time-of-day table when there is more than one band."""
    bands = price_bands(tariff, at) if len(tariff.energy_bands) > 1 else []
    return {
        "price_text": price_text(tariff, at),
        "price_bands": bands,
        "price_fees": price_fees(tariff),
        "price_zone": tariff.timezone,
    }
