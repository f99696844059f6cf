"""Fills the driver pages' payment slots: the price in words, and the scan-to-pay link."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from forecourt.domain.errors import ForecourtError
from forecourt.services.payments import PaymentServices
from forecourt.services.payments.pricing import price_text
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
                "price_text": price_text(priced.tariff, now),
                "pay_url": f"/pay/{station_id}/{evse_id}",
                "pay_label": "Start and pay by card (no app, no account)",
            }
        texts = []
        for station in page.stations:
            for evse in station.evses:
                try:
                    priced = await self._payments.tariffs.for_evse(station.id, evse.evse_id)
                except ForecourtError:
                    continue
                texts.append(price_text(priced.tariff, now))
        distinct = sorted(set(texts))
        if not distinct:
            return {}
        if len(distinct) == 1:
            return {"price_text": distinct[0]}
        return {"price_text": "Prices differ by charger; each port's page shows its price."}
