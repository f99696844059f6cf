""" "My car" for a token: the driver (or the operator for them) says which catalogue car
their card or app token charges, so sessions started with it can be told apart by car.

Kept against the token the network knows (``uow.tokens``), as a catalogue id: words such as
"2025 Ioniq 5" are resolved once, when the choice is made, and an ambiguous or unknown car
is refused naming the candidates.  Offered to other features as ``ports.driver_cars``
(reliability's "which car it was", confidence of a driver's own word).
"""

from __future__ import annotations

from collections.abc import Collection, Mapping
from typing import TYPE_CHECKING

from forecourt.compat.domain import Vehicle
from forecourt.compat.ports import COMPAT_DRIVER_CARS, ChosenCar
from forecourt.domain.errors import InvalidInput, NotFound
from forecourt.ports.driver_cars import DriverCar
from forecourt.services.context import ServiceContext

if TYPE_CHECKING:
    from forecourt.compat.services.compatibility import ChargeAdvisor


class DriverCars:
    def __init__(self, ctx: ServiceContext, advisor: ChargeAdvisor) -> None:
        self._ctx = ctx
        self._advisor = advisor

    async def choose(self, token: str, vehicle: str, by: str = "") -> tuple[ChosenCar, Vehicle]:
        """Keep ``vehicle`` (an id or a driver's words) as the car of ``token``.  Refused: an
        unknown token (NotFound), a car that is not exactly one catalogue vehicle
        (InvalidInput naming the candidates or the close matches)."""
        try:
            car = self._advisor.vehicle(vehicle)
        except NotFound as exc:  # a field of the request, not the resource asked for
            raise InvalidInput(str(exc)) from exc
        async with self._ctx.uow() as uow:
            record = await uow.tokens.get(token)
            if record is None:
                raise NotFound("token", token)
            chosen = ChosenCar(record.value, car.id, self._ctx.clock.now(), by)
            await uow.repository(COMPAT_DRIVER_CARS).put(chosen)
            await uow.commit()
        return chosen, car

    async def of(self, token: str) -> tuple[ChosenCar, Vehicle | None]:
        """The token's car (NotFound when none was chosen); the vehicle is None when the
        catalogue no longer holds that id (an operator file was removed)."""
        async with self._ctx.uow() as uow:
            chosen = await uow.repository(COMPAT_DRIVER_CARS).get(token)
        if chosen is None:
            raise NotFound("car of token", token)
        return chosen, self._advisor.catalogue.vehicles.get(chosen.vehicle_id)

    async def forget(self, token: str) -> None:
        async with self._ctx.uow() as uow:
            if not await uow.repository(COMPAT_DRIVER_CARS).delete(token):
                raise NotFound("car of token", token)
            await uow.commit()

    async def cars(self, tokens: Collection[str]) -> Mapping[str, DriverCar]:
        """``ports.driver_cars``: the chosen car of each token that has one (cars the
        catalogue no longer holds are left out: nothing can be said of them)."""
        async with self._ctx.uow() as uow:
            chosen = await uow.repository(COMPAT_DRIVER_CARS).of_tokens(tokens)
        vehicles = self._advisor.catalogue.vehicles
        return {
            c.token: DriverCar(c.token, c.vehicle_id, vehicles[c.vehicle_id].name)
            for c in chosen
            if c.vehicle_id in vehicles
        }
