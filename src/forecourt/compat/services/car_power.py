"""Compat's answer to site load management: what a car can take at its SoC on a connector
(``ports.car_power``), from the same power model the drivers' estimates use."""

from __future__ import annotations

import logging

from forecourt.compat.domain.model import ConnectorOffer
from forecourt.compat.domain.power import PowerModel
from forecourt.compat.domain.recommend import best_option
from forecourt.compat.services.compatibility import ChargeAdvisor
from forecourt.domain.errors import InvalidInput, NotFound
from forecourt.ports.car_power import CarAtConnector

log = logging.getLogger(__name__)


class CompatCarPower:
    def __init__(self, advisor: ChargeAdvisor) -> None:
        self._advisor = advisor

    def resolve(self, vehicle: str) -> str:
        try:
            return self._advisor.vehicle(vehicle).id
        except NotFound as exc:  # a body's field, not a resource: 422 with the close matches
            raise InvalidInput(str(exc)) from exc

    def can_take_w(self, car: CarAtConnector) -> float | None:
        try:
            vehicle = self._advisor.vehicle(car.vehicle)
        except (NotFound, InvalidInput):
            return None  # not a car the catalogue knows (or not one car): no estimate
        offer = ConnectorOffer("session", car.connector_type, car.rating)
        soc = station_soc(car.soc, vehicle.id)
        option, _ = best_option(vehicle, offer, soc, soc + 1)
        if option.path is None:
            return None  # it cannot charge here at all: the meter will say so
        return PowerModel(vehicle, offer, option).limit_at(soc).power_w


def station_soc(soc: float, vehicle_id: str) -> float:
    """A state of charge a station reported, inside the estimate's range (0-99 %: the
    estimate needs one point above it). Outside 0-100 % it is clamped and logged, never
    dropped: the station's number is wrong, the car still charges."""
    if not 0 <= soc <= 100:
        log.warning(
            "state of charge %g %% reported for %s is outside 0-100 %%; clamped",
            soc,
            vehicle_id,
        )
    return min(max(soc, 0.0), 99.0)
