"""The driver pages' honest connector status (``web.status``), as the OCPI status rule uses it:
one rule for what a driver reads on our pages and what roaming partners are told."""

from __future__ import annotations

from forecourt.domain.stations import Evse, Station
from forecourt.web.status import connector_status


def honest_words(station: Station, evse: Evse) -> list[str]:
    return [connector_status(station, evse, c).key for c in evse.connectors]
