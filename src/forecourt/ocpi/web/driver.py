"""Amenities on the driver pages: a driver hook gives the site's amenities to the
``driver.page`` slot template (``driver/_amenities.html``)."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from forecourt.ocpi.keys import OCPI
from forecourt.services.core import Services
from forecourt.web.context import DriverPage

LABELS = {
    "canopy": "Covered (canopy)",
    "restrooms": "Restrooms",
    "food": "Food",
    "shop": "Shop",
    "windshield_service": "Windshield service",
    "attendant_on_duty": "Attendant on duty",
    "lighting": "Lit at night",
}
DAYS = ("", "Mon", "Tue", "Wed", "Thu", "Fri", "Sat", "Sun")


class AmenitySlots:
    def __init__(self, services: Services) -> None:
        self._services = services

    async def __call__(self, page: DriverPage) -> Mapping[str, Any]:
        amenities = await self._services.feature(OCPI).locations.amenities(page.site.id)
        data = amenities.to_dict()
        return {
            "site_amenities": amenities,
            "amenity_words": [words for key, words in LABELS.items() if data[key]],
            "amenity_hours": [f"{DAYS[h.weekday]} {h.begin}–{h.end}" for h in amenities.hours],
        }
