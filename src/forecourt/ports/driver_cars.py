"""A driver's "my car" for their token: a port one feature (compat) offers others
(reliability's vehicle identification).

Compat knows the vehicles and keeps each token's chosen car; reliability needs to know which
car a session's token stands for, to fill the vehicle x station matrix. Neither imports the
other: compat offers a :class:`DriverCarSource` under :data:`DRIVER_CARS`, reliability asks
``Host.port(DRIVER_CARS)`` (none installed: only its own rules say which car it was).
"""

from __future__ import annotations

from collections.abc import Collection, Mapping
from dataclasses import dataclass
from typing import Protocol

from forecourt.ports.keys import Key


@dataclass(frozen=True, slots=True)
class DriverCar:
    token: str  # as stations send it
    vehicle_id: str  # the compat catalogue's id, e.g. "hyundai-ioniq-5-lr-2025"
    vehicle: str  # its name, e.g. "2025–2026 Hyundai Ioniq 5 Long Range (84 kWh), NACS inlet"


class DriverCarSource(Protocol):
    async def cars(self, tokens: Collection[str]) -> Mapping[str, DriverCar]:
        """The chosen car of each of ``tokens`` that has one, by token."""
        ...


#: The port compat offers (``Feature.offers``) and reliability asks for (``Host.port``).
DRIVER_CARS: Key[DriverCarSource] = Key("driver_cars")
