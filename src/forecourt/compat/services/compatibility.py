"""Any car, any plug, as use cases: which connectors work for a car, how fast, and why.

The pure engine (``forecourt.compat``) answers for one vehicle and one connector offer.  This
service turns the network's live state into those offers (:mod:`services.charge_offers`),
resolves what drivers type ("2025 Ioniq 5") into catalogue vehicles, and ranks a site.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass

from forecourt.compat.domain import (
    Adapter,
    Catalogue,
    ConnectorOffer,
    Estimate,
    Notice,
    Option,
    Recommendation,
    Vehicle,
    best_option,
    compatibility,
    default_catalogue,
    recommend,
)
from forecourt.compat.services.charge_offers import site_offers, station_offers
from forecourt.compat.services.driver_cars import DriverCars
from forecourt.compat.services.stalls import Stalls
from forecourt.compat.services.vehicle_search import find_vehicle
from forecourt.domain.connectors import (
    ConnectorRating,
    ConnectorType,
    PowerType,
    rating_is_plausible,
)
from forecourt.domain.errors import InvalidInput, NotFound
from forecourt.domain.stations import Site, Station
from forecourt.ports.derates import ConnectorRef, DerateSource, NoDerates
from forecourt.services.context import ServiceContext

IsConnected = Callable[[Station], bool]

#: Ambient temperatures beyond these are typos, not weather.
AMBIENT_RANGE_C = (-50.0, 60.0)


@dataclass(frozen=True, slots=True)
class ChargeWindow:
    """From and to state of charge (%), the ambient temperature if known and whether the car
    preconditioned its battery (only matters with an ambient temperature)."""

    soc_from: float
    soc_to: float
    ambient_c: float | None = None
    preconditioned: bool = False

    def __post_init__(self) -> None:
        for name, value in (("soc_from", self.soc_from), ("soc_to", self.soc_to)):
            if not 0 <= value <= 100:
                raise InvalidInput(f"{name} must be between 0 and 100 %, not {value:g}")
        if self.soc_from >= self.soc_to:
            raise InvalidInput(
                f"soc_from ({self.soc_from:g} %) must be below soc_to ({self.soc_to:g} %)"
            )
        low, high = AMBIENT_RANGE_C
        if self.ambient_c is not None and not low <= self.ambient_c <= high:
            raise InvalidInput(f"ambient_c must be between {low:g} and {high:g} °C")


@dataclass(frozen=True, slots=True)
class GivenConnector:
    """A connector described by plug type and rating, not one of the network's."""

    type: ConnectorType
    rating: ConnectorRating


@dataclass(frozen=True, slots=True)
class ChargeAnswer:
    """One vehicle at one connector: the best way to charge and its estimate, or why not."""

    vehicle: Vehicle
    connector: ConnectorOffer
    option: Option  # the chosen option, or the first failing one (with its reason)
    estimate: Estimate | None
    options: tuple[Option, ...]  # every way considered, working first
    notes: tuple[Notice, ...]  # live state: status, derate, shared power

    @property
    def works(self) -> bool:
        return self.estimate is not None

    def summary(self) -> str:
        return describe(self.vehicle, self.option, self.estimate)


@dataclass(frozen=True, slots=True)
class RankedConnector:
    ref: ConnectorRef
    recommendation: Recommendation

    @property
    def notes(self) -> tuple[Notice, ...]:
        return self.recommendation.notes


@dataclass(frozen=True, slots=True)
class SiteAdvice:
    """A site's connectors ranked for one vehicle and window; ``ranked[0]`` is the advice."""

    site: Site
    vehicle: Vehicle
    window: ChargeWindow
    ranked: list[RankedConnector]

    def summary(self) -> str:
        best = next((r for r in self.ranked if r.recommendation.usable_now), None)
        if best is None:
            working = next((r for r in self.ranked if r.recommendation.estimate), None)
            if working is None:
                reason = self.ranked[0].recommendation.option.reason if self.ranked else None
                why = reason.message if reason else "the site has no connectors."
                return f"No connector at {self.site.name} can charge a {self.vehicle.name}: {why}"
            return f"No suitable connector is free right now. {_at(working)}"
        return _at(best)


def _at(ranked: RankedConnector) -> str:
    result = ranked.recommendation
    plug = ranked.recommendation.connector.connector_type.value.upper()
    where = f"{ranked.ref.station_id} EVSE {ranked.ref.evse_id} ({plug})"
    assert result.estimate is not None
    return f"{where}: {describe_estimate(result.option, result.estimate)}"


def describe(vehicle: Vehicle, option: Option, estimate: Estimate | None) -> str:
    """One sentence for a driver: how long and through what, or why it cannot charge."""
    if estimate is None:
        reason = option.reason.message if option.reason else "no way to charge here."
        return f"A {vehicle.name} cannot charge here: {reason}"
    return describe_estimate(option, estimate)


def describe_estimate(option: Option, estimate: Estimate) -> str:
    minutes = round(estimate.duration_s / 60)
    adapter = option.adapter
    via = f"with the {adapter.name}" if adapter else "no adapter needed"
    text = (
        f"about {minutes} min from {estimate.soc_from:g} % to {estimate.reached_soc:g} % "
        f"({via}; peak {estimate.peak_power_w / 1000:.0f} kW). Limited by: {estimate.explain()}."
    )
    if estimate.reason is not None:
        text += f" {estimate.reason.message}"
    return text[0].upper() + text[1:]


class ChargeAdvisor:
    """The catalogue and estimates at a described connector: pure, no storage needed."""

    def __init__(self, catalogue: Catalogue | None = None) -> None:
        self.catalogue = catalogue or default_catalogue()

    # -- catalogue ---------------------------------------------------------------------------
    def vehicles(
        self, make: str | None = None, inlet: ConnectorType | None = None
    ) -> list[Vehicle]:
        """Catalogue vehicles, by name; ``make`` is case-insensitive."""
        wanted = make.strip().casefold() if make else None
        found = [
            vehicle
            for vehicle in self.catalogue.vehicles.values()
            if (wanted is None or vehicle.make.casefold() == wanted)
            and (inlet is None or inlet in vehicle.inlets)
        ]
        return sorted(found, key=lambda vehicle: vehicle.name)

    def vehicle(self, query: str) -> Vehicle:
        """By id or by a driver's words; see :func:`services.vehicle_search.find_vehicle`."""
        return find_vehicle(self.catalogue.vehicles, query)

    def adapters(self) -> list[Adapter]:
        return sorted(self.catalogue.adapters.values(), key=lambda adapter: adapter.name)

    def adapter(self, adapter_id: str) -> Adapter:
        adapter = self.catalogue.adapters.get(adapter_id)
        if adapter is None:
            raise NotFound("adapter", adapter_id)
        return adapter

    def drivers_adapters(self, vehicle: Vehicle, carried: Sequence[str] = ()) -> list[Adapter]:
        """What a driver can use: the maker's own (unless ``carried`` says), plus built-ins."""
        if carried:
            chosen = [self.adapter(adapter_id) for adapter_id in carried]
        else:
            chosen = [self.catalogue.adapters[i] for i in vehicle.oem_adapter_ids]
        built_in = [a for a in self.catalogue.adapters.values() if a.built_in]
        return list({adapter.id: adapter for adapter in [*chosen, *built_in]}.values())

    # -- estimates ---------------------------------------------------------------------------
    def estimate_offer(
        self,
        vehicle: Vehicle,
        connector: ConnectorOffer,
        window: ChargeWindow,
        carried: Sequence[str] = (),
    ) -> ChargeAnswer:
        """The best way for ``vehicle`` to charge at ``connector`` (pure: no storage).

        An adapter the driver names that cannot carry the connector's power (an AC-only
        adapter at a DC connector, or the reverse) is refused, naming it.
        """
        adapters = self.drivers_adapters(vehicle, carried)
        _refuse_wrong_power(connector, [self.adapter(adapter_id) for adapter_id in carried])
        ambient = window.ambient_c
        options = compatibility(vehicle, connector, adapters, ambient_c=ambient)
        option, result = best_option(
            vehicle,
            connector,
            window.soc_from,
            window.soc_to,
            adapters,
            ambient,
            preconditioned=window.preconditioned,
        )
        notes = Recommendation(1, connector, option, result).notes
        return ChargeAnswer(vehicle, connector, option, result, tuple(options), notes)

    def estimate_rating(
        self,
        vehicle: Vehicle,
        connector_type: ConnectorType,
        rating: ConnectorRating,
        window: ChargeWindow,
        carried: Sequence[str] = (),
    ) -> ChargeAnswer:
        """At a connector described by its type and rating (no station needed)."""
        if not rating_is_plausible(connector_type, rating):
            raise InvalidInput(
                f"a {connector_type.value} connector cannot carry {rating.power_type.value} power"
            )
        label = f"{connector_type.value} {rating.max_power_w / 1000:g} kW"
        offer = ConnectorOffer("given", connector_type, rating, label=label)
        return self.estimate_offer(vehicle, offer, window, carried)


class Compatibility(ChargeAdvisor):
    """:class:`ChargeAdvisor` plus the network as it is now: real connectors, site advice."""

    def __init__(
        self,
        ctx: ServiceContext,
        catalogue: Catalogue | None = None,
        derates: DerateSource | None = None,
    ) -> None:
        super().__init__(catalogue)
        self._ctx = ctx
        self._derates = derates or NoDerates()
        self.stalls = Stalls(ctx)  # which stall's cable reaches the car's inlet
        self.driver_cars = DriverCars(ctx, self)  # each token's "my car"

    async def estimate_at(
        self,
        vehicle: Vehicle,
        ref: ConnectorRef,
        window: ChargeWindow,
        carried: Sequence[str] = (),
        *,
        is_connected: IsConnected | None = None,
    ) -> ChargeAnswer:
        """At a real connector, as it is now (status, shared power, derate)."""
        async with self._ctx.uow() as uow:
            station = await uow.stations.get(ref.station_id)
            if station is None:
                raise NotFound("station", ref.station_id)
            connected = _connected(station, is_connected)
            offers = await station_offers(uow, station, connected, self._derates, self.catalogue)
        offer = next((offer for r, offer in offers if r == ref), None)
        if offer is None:
            raise NotFound("connector", str(ref))
        return self.estimate_offer(vehicle, offer, window, carried)

    async def answer(
        self,
        vehicle_query: str,
        connector: ConnectorRef | GivenConnector,
        window: ChargeWindow,
        carried: Sequence[str] = (),
        *,
        is_connected: IsConnected | None = None,
    ) -> ChargeAnswer:
        """A driver's question: this car (by id or words), that connector, this window."""
        vehicle = self.vehicle(vehicle_query)
        if isinstance(connector, GivenConnector):
            return self.estimate_rating(vehicle, connector.type, connector.rating, window, carried)
        return await self.estimate_at(
            vehicle, connector, window, carried, is_connected=is_connected
        )

    async def recommend_at_site(
        self,
        site_id: str,
        vehicle: Vehicle | str,
        window: ChargeWindow,
        carried: Sequence[str] = (),
        *,
        is_connected: IsConnected | None = None,
    ) -> SiteAdvice:
        """Every connector of the site ranked for ``vehicle`` (or its id/words), live status."""
        if isinstance(vehicle, str):
            vehicle = self.vehicle(vehicle)
        adapters = self.drivers_adapters(vehicle, carried)  # unknown adapter ids fail first
        check = is_connected or _stored_connection
        async with self._ctx.uow() as uow:
            site = await uow.sites.get(site_id)
            if site is None:
                raise NotFound("site", site_id)
            stations = await uow.stations.list(site_id)
            offers = await site_offers(uow, stations, check, self._derates, self.catalogue)
        refs = {offer.connector_id: ref for ref, offer in offers}
        ranked = recommend(
            vehicle,
            [offer for _, offer in offers],
            window.soc_from,
            window.soc_to,
            adapters=adapters,
            ambient_c=window.ambient_c,
            preconditioned=window.preconditioned,
        )
        items = [RankedConnector(refs[r.connector.connector_id], r) for r in ranked]
        return SiteAdvice(site, vehicle, window, items)


def _refuse_wrong_power(connector: ConnectorOffer, named: Sequence[Adapter]) -> None:
    dc = connector.rating.power_type is PowerType.DC
    for adapter in named:
        if adapter.dc if dc else adapter.ac:
            continue
        kind, session = ("AC-only", "DC") if dc else ("DC-only", "AC")
        raise InvalidInput(
            f"adapter {adapter.id!r} ({adapter.name}) is {kind} and cannot be used for a "
            f"{session} session at this {connector.connector_type.value} connector"
        )


def _stored_connection(station: Station) -> bool:
    return station.connected


def _connected(station: Station, is_connected: IsConnected | None) -> bool:
    return (is_connected or _stored_connection)(station)
