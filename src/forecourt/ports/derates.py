"""Live derates: a port one feature (reliability) offers another (compat).

Reliability sees, session after session, whether a port delivers less than it should; the
compatibility service then estimates at that power, with the reason. Neither imports the
other: reliability offers a :class:`DerateSource` under :data:`DERATES`, compat asks for it.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Protocol

from forecourt.domain.errors import InvalidInput
from forecourt.ports.keys import Key


@dataclass(frozen=True, slots=True, order=True)
class ConnectorRef:
    """A connector by its numbers; written ``STATION/EVSE/CONNECTOR`` (e.g. ``CS-1/1/2``)."""

    station_id: str
    evse_id: int
    connector_id: int

    def __str__(self) -> str:
        return f"{self.station_id}/{self.evse_id}/{self.connector_id}"

    @classmethod
    def parse(cls, text: str) -> ConnectorRef:
        station_id, _, rest = text.strip().partition("/")
        evse, _, connector = rest.partition("/")
        if not (station_id and evse.isdigit() and connector.isdigit()):
            raise InvalidInput(f"{text!r} is not STATION/EVSE/CONNECTOR, e.g. CS-1/1/2")
        if int(evse) < 1 or int(connector) < 1:
            raise InvalidInput("EVSE and connector numbers start at 1")
        return cls(station_id, int(evse), int(connector))


#: ``ConnectorRef.connector_id`` of a derate that holds for every connector of the EVSE.
EVSE_WIDE = 0


@dataclass(frozen=True, slots=True)
class Derate:
    power_w: float
    reason: str  # e.g. "cooling fault", "power module lost"


class DerateSource(Protocol):
    """Where live derates come from (e.g. reliability's ``ReliabilityDerates``); a key
    with connector :data:`EVSE_WIDE` derates every connector of that EVSE."""

    async def derates(self, station_ids: Sequence[str]) -> Mapping[ConnectorRef, Derate]: ...


class NoDerates:
    async def derates(self, _station_ids: Sequence[str]) -> Mapping[ConnectorRef, Derate]:
        return {}


#: The port reliability offers (``Feature.offers``) and compat asks for (``Host.port``).
DERATES: Key[DerateSource] = Key("derates")
