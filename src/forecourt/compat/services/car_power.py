"""Compat's answer to site load management: what a car can take at its SoC on a connector
(``ports.car_power``), from the same power model the drivers' estimates use."""

from __future__ import annotations

from forecourt.compat.domain.model import ConnectorOffer
from forecourt.compat.domain.power import PowerModel
from forecourt.compat.domain.recommend import best_option
from forecourt.compat.services.compatibility import ChargeAdvisor
from forecourt.domain.errors import InvalidInput, NotFound
from forecourt.ports.car_power import CarAtConnector


class CompatCarPower:
    def __init__(self, advisor: ChargeAdvisor) -> None:
        self._advisor = advisor

    def can_take_w(self, car: CarAtConnector) -> float | None:
        try:
            vehicle = self._advisor.vehicle(car.vehicle)
        except (NotFound, InvalidInput):
            return None  # not a car the catalogue knows (or not one car): no estimate
        offer = ConnectorOffer("session", car.connector_type, car.rating)
        soc = min(max(car.soc, 0.0), 99.0)
        option, _ = best_option(vehicle, offer, soc, soc + 1)
        if option.path is None:
            return None  # it cannot charge here at all: the meter will say so
        return PowerModel(vehicle, offer, option).limit_at(soc).power_w
