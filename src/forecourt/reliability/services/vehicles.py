"""Vehicle identification rules (domain/vehicles.py): which OUI, eMAID provider or driver's
token means which car, and what a token identifies.

A driver's "my car" comes from compat when it is installed (``ports.driver_cars``: the car
the driver chose for their token, a catalogue vehicle) and, for the same token, replaces an
operator's ``driver_choice`` rule; without compat the rules are all there is."""

from __future__ import annotations

from collections.abc import Callable, Collection

from forecourt.domain.errors import InvalidInput, NotFound
from forecourt.ports.driver_cars import DriverCarSource
from forecourt.reliability.domain.vehicles import (
    RULE_KINDS,
    VehicleId,
    VehicleRule,
    VehicleRules,
    VehicleSource,
    identify,
    normalise_key,
)
from forecourt.reliability.ports import RELIABILITY_STORE
from forecourt.services.context import ServiceContext

MAX_VEHICLE = 200

#: The "my car" port, looked up when used (compat may be built after reliability).
DriverCarsLookup = Callable[[], DriverCarSource | None]


def no_driver_cars() -> DriverCarSource | None:
    return None


async def rules_with_driver_cars(
    rules: list[VehicleRule], tokens: Collection[str], driver_cars: DriverCarsLookup
) -> VehicleRules:
    """``rules`` plus each token's "my car" from ``ports.driver_cars`` (it wins for its
    token: the driver's own, catalogue-checked choice)."""
    source = driver_cars()
    if source is None or not tokens:
        return VehicleRules.of(rules)
    chosen = await source.cars(tokens)
    mine = [
        VehicleRule(VehicleSource.DRIVER_CHOICE, car.token, car.vehicle, "my car")
        for car in chosen.values()
    ]
    return VehicleRules.of([*rules, *mine])


class VehicleIdentification:
    def __init__(self, ctx: ServiceContext, driver_cars: DriverCarsLookup = no_driver_cars):
        self._ctx = ctx
        self._driver_cars = driver_cars

    async def rules(self) -> list[VehicleRule]:
        async with self._ctx.uow() as uow:
            return await uow.repository(RELIABILITY_STORE).vehicles.all()

    async def set_rule(self, kind: str, key: str, vehicle: str, by: str = "") -> VehicleRule:
        """Map an OUI, an eMAID provider or a driver's token ("my car") to a vehicle."""
        source = _kind(kind)
        name = vehicle.strip()
        if not name or len(name) > MAX_VEHICLE:
            raise InvalidInput(f"the vehicle is 1 to {MAX_VEHICLE} characters")
        try:
            rule = VehicleRule(source, normalise_key(source, key), name, by)
        except ValueError as exc:
            raise InvalidInput(str(exc)) from exc
        async with self._ctx.uow() as uow:
            await uow.repository(RELIABILITY_STORE).vehicles.put(rule, self._ctx.clock.now())
            await uow.commit()
        return rule

    async def remove_rule(self, kind: str, key: str) -> None:
        source = _kind(kind)
        try:
            normalised = normalise_key(source, key)
        except ValueError as exc:
            raise InvalidInput(str(exc)) from exc
        async with self._ctx.uow() as uow:
            removed = await uow.repository(RELIABILITY_STORE).vehicles.remove(source, normalised)
            await uow.commit()
        if not removed:
            raise NotFound("vehicle rule", f"{source.value}:{normalised}")

    async def identify(self, token: str, reported: str | None = None) -> VehicleId | None:
        rules = await rules_with_driver_cars(await self.rules(), [token], self._driver_cars)
        return identify(token, reported, rules)


def _kind(kind: str) -> VehicleSource:
    kinds = {k.value: k for k in RULE_KINDS}
    if kind not in kinds:
        raise InvalidInput(f"kind is one of {', '.join(kinds)}, not {kind!r}")
    return kinds[kind]
