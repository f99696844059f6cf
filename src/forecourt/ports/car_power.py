"""What a car can take at its state of charge: a port one feature (compat) offers another
(smart charging).

The compatibility engine knows each vehicle's charging curve, onboard charger and inlet
limits; site load management must not reserve power a car cannot use. Neither imports the
other: compat offers a :class:`CarPowerSource` under :data:`CAR_POWER`, smart charging asks
``Host.port(CAR_POWER)`` (none installed: it learns only from the car and the meter).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Protocol

from forecourt.domain.connectors import ConnectorRating, ConnectorType
from forecourt.ports.keys import Key


@dataclass(frozen=True, slots=True)
class CarAtConnector:
    vehicle: str  # a catalogue id or a driver's words ("2025 Ioniq 5")
    soc: float  # percent
    connector_type: ConnectorType
    rating: ConnectorRating


class CarPowerSource(Protocol):
    def can_take_w(self, car: CarAtConnector) -> float | None:
        """The power (W) the car can take now, or None when the car is not known."""
        ...

    def resolve(self, vehicle: str) -> str:
        """The catalogue id a driver's words name. ``InvalidInput`` (naming the candidates,
        or the close matches) when they name several cars or none: a car given for a
        session must be one the estimate can use."""
        ...


#: The port compat offers (``Feature.offers``) and smart charging asks for (``Host.port``).
CAR_POWER: Key[CarPowerSource] = Key("car_power")
