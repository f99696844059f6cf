"""What is known of the car on each EVSE beyond its meter, for one session.

- The car itself (2.0.1/2.1 ``NotifyEVChargingNeeds``, ISO 15118): the power it can take,
  whether it charges on one phase, its departure time and the energy it needs.
- The driver or operator (API/CLI, any OCPP version, 1.6 included): departure, energy need
  and which car it is (a :class:`~forecourt.smart_charging.ports.Departure` row).
- The station (2.0.1/2.1 ``NotifyChargingLimit``): a limit set outside the CSMS, until a
  ``ClearedChargingLimit``; no power is reserved above it.
- The compatibility engine (``ports.car_power``, when installed): what that car can take at
  its state of charge on that connector.

Only statements made during the running session count; the newest departure wins.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from forecourt.domain.charging_profiles import RateUnit, to_watts
from forecourt.domain.events import StationEvent, StationEventKind
from forecourt.domain.stations import Evse, Station
from forecourt.domain.transactions import Transaction
from forecourt.ports.car_power import CarAtConnector, CarPowerSource
from forecourt.ports.repositories import UnitOfWork
from forecourt.smart_charging.domain.site import SiteLimit
from forecourt.smart_charging.ports import Departure

#: Newest station events read per kind (a station's recent smart-charging statements).
RECENT = 20
_LIMIT_KINDS = (StationEventKind.CHARGING_LIMIT, StationEventKind.CHARGING_LIMIT_CLEARED)


@dataclass(frozen=True, slots=True)
class CarFacts:
    said_w: float | None = None  # what the car said it can take
    limit_w: float | None = None  # an external limit the station reported, not cleared
    estimate_w: float | None = None  # the compatibility engine's, at the car's SoC
    single_phase: bool = False
    departure_at: datetime | None = None
    energy_wh: float | None = None  # for the whole session
    departure_source: str = ""  # car | api | cli

    @property
    def cap_w(self) -> float | None:
        caps = [w for w in (self.said_w, self.limit_w, self.estimate_w) if w is not None]
        return min(caps) if caps else None


class CarFactsReader:
    def __init__(self, uow: UnitOfWork, site: SiteLimit, car_power: CarPowerSource | None):
        self._uow = uow
        self._site = site
        self._car_power = car_power

    async def station(
        self,
        station: Station,
        sessions: Mapping[int, Transaction],
        departures: Mapping[int, Departure],
    ) -> dict[int, CarFacts]:
        """Per EVSE with a session: what is known of its car."""
        if not sessions:
            return {}
        needs = await self._newest(station.id, (StationEventKind.EV_CHARGING_NEEDS,))
        limits = await self._newest(station.id, _LIMIT_KINDS)
        facts = {}
        for evse_id, tx in sessions.items():
            need = _during(needs.get(evse_id), tx)
            limit = limits.get(evse_id) or limits.get(0)  # holds until cleared
            departure = departures.get(evse_id)
            if departure is not None and departure.station_tx_id != tx.station_tx_id:
                departure = None
            evse = station.evse(evse_id)
            facts[evse_id] = self._facts(evse, tx, need, limit, departure)
        return facts

    def _facts(
        self,
        evse: Evse | None,
        tx: Transaction,
        need: StationEvent | None,
        limit: StationEvent | None,
        departure: Departure | None,
    ) -> CarFacts:
        data = need.data if need is not None else {}
        departure_at, energy, source = _departure(need, departure)
        vehicle = departure.vehicle if departure is not None and departure.vehicle else tx.vehicle
        return CarFacts(
            said_w=needs_w(data),
            limit_w=self._limit_w(limit),
            estimate_w=self._estimate(evse, tx, vehicle),
            single_phase=data.get("transfer") == "AC_single_phase",
            departure_at=departure_at,
            energy_wh=energy,
            departure_source=source,
        )

    async def _newest(
        self, station_id: str, kinds: tuple[StationEventKind, ...]
    ) -> dict[int, StationEvent]:
        """The newest event of ``kinds`` per EVSE (0: the whole station)."""
        found: dict[int, StationEvent] = {}
        for kind in kinds:
            for event in await self._uow.events.list(station_id, kind, limit=RECENT):
                evse_id = event.data.get("evse_id") or 0
                if not isinstance(evse_id, int):
                    continue
                older = found.get(evse_id)
                if older is None or (event.at, event.id) > (older.at, older.id):
                    found[evse_id] = event
        return found

    def _limit_w(self, event: StationEvent | None) -> float | None:
        if event is None or event.kind is not StationEventKind.CHARGING_LIMIT:
            return None  # none, or cleared since
        for schedule in event.data.get("schedules") or ():
            periods = schedule.get("periods") or ()
            if periods:
                first = periods[0]
                unit = RateUnit(schedule.get("unit", "W"))
                phases = first.get("phases") or self._site.phases
                return to_watts(float(first["limit"]), unit, phases, self._site.voltage)
        return None  # a limit without a schedule says nothing about power

    def _estimate(self, evse: Evse | None, tx: Transaction, vehicle: str | None) -> float | None:
        if self._car_power is None or evse is None or vehicle is None or tx.last_soc is None:
            return None
        connector = next((c for c in evse.connectors if c.connector_id == tx.connector_id), None)
        if connector is None or connector.rating is None:
            return None
        car = CarAtConnector(vehicle, tx.last_soc, connector.type, connector.rating)
        return self._car_power.can_take_w(car)


def _during(event: StationEvent | None, tx: Transaction) -> StationEvent | None:
    return event if event is not None and event.at >= tx.started_at else None


def _departure(
    need: StationEvent | None, given: Departure | None
) -> tuple[datetime | None, float | None, str]:
    """The newest of what the car said and what the driver or operator gave."""
    said_at = _time(need.data.get("departure_at")) if need is not None else None
    said_wh = need.data.get("energy_wh") if need is not None else None
    if given is not None and (need is None or said_at is None or given.at >= need.at):
        return given.departure_at, given.energy_wh, given.source
    if said_at is not None and isinstance(said_wh, int | float):
        return said_at, float(said_wh), "car"
    return None, None, ""


def _time(value: object) -> datetime | None:
    return datetime.fromisoformat(value) if isinstance(value, str) and value else None


def needs_w(needs: Mapping[str, Any]) -> float | None:
    """The power a car's NotifyEVChargingNeeds allows (its maximum power, or its maximum
    current x voltage x phases on AC)."""
    power, amps, volts = (needs.get(k) for k in ("max_power_w", "max_current_a", "max_voltage_v"))
    if isinstance(power, int | float) and power > 0:
        return float(power)
    if not (isinstance(amps, int | float) and isinstance(volts, int | float)):
        return None
    phases = {"AC_single_phase": 1, "AC_two_phase": 2, "AC_three_phase": 3}.get(
        str(needs.get("transfer")), 1
    )
    # AC: the car's current on each phase at the phase voltage (its max voltage is line-line)
    per_phase_v = volts / 3**0.5 if phases == 3 else volts
    return float(amps * per_phase_v * phases)
