"""The network as a driver meets it now: one :class:`ConnectorOffer` per connector.

A connector's *rating* is its nameplate; what it can give *now* also depends on:

* the station: offline, or not (yet) accepted, makes it ``unavailable`` with that reason;
* its status (faulted, occupied, ...), with the station's own words as the reason;
* the EVSE's other connectors.  Their power budget is the EVSE's (``Evse.max_power_w``, its
  share of a cabinet): what another connector's session draws now (its newest power
  reading) is taken off.  When nothing is left, when what is left is unknown (no EVSE limit,
  or no reading yet) or when the station marks this cable Unavailable meanwhile (one EVSE,
  one car), the connector counts as occupied: "connector 2 of this EVSE is in use";
* a derate (failed cooling, lost power module) reported by a :class:`DerateSource`.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass

from forecourt.compat.domain import Catalogue, ConnectorOffer
from forecourt.domain.connectors import DEFAULT_RATINGS
from forecourt.domain.metering import Measurand
from forecourt.domain.stations import (
    Connector,
    ConnectorStatus,
    Evse,
    RegistrationStatus,
    Station,
)
from forecourt.domain.transactions import Transaction, TransactionState
from forecourt.ports.derates import EVSE_WIDE, ConnectorRef, Derate, DerateSource
from forecourt.ports.repositories import StoredSample, TransactionFilter, UnitOfWork

#: Recent samples read per station to find what running sessions draw now.
_RECENT_SAMPLES = 200
#: Statuses a busy sibling connector explains (or overrides with what is left of the power).
_SHARING = (ConnectorStatus.AVAILABLE, ConnectorStatus.UNKNOWN, ConnectorStatus.UNAVAILABLE)


Offers = list[tuple[ConnectorRef, ConnectorOffer]]


async def station_offers(
    uow: UnitOfWork,
    station: Station,
    connected: bool,
    derates: DerateSource,
    catalogue: Catalogue,
) -> Offers:
    known = await derates.derates([station.id])
    return await _offers(uow, station, connected, known, catalogue)


async def site_offers(
    uow: UnitOfWork,
    stations: Iterable[Station],
    is_connected: Callable[[Station], bool],
    derates: DerateSource,
    catalogue: Catalogue,
) -> Offers:
    stations = list(stations)
    known = await derates.derates([station.id for station in stations])
    offers: Offers = []
    for station in stations:
        offers += await _offers(uow, station, is_connected(station), known, catalogue)
    return offers


async def _offers(
    uow: UnitOfWork,
    station: Station,
    connected: bool,
    derates: Mapping[ConnectorRef, Derate],
    catalogue: Catalogue,
) -> Offers:
    active = await uow.transactions.list(
        TransactionFilter(station_id=station.id, state=TransactionState.ACTIVE)
    )
    draws = _draws(active, await _recent(uow, station.id, active))
    offers: Offers = []
    for evse in station.evses:
        for connector in evse.connectors:
            ref = ConnectorRef(station.id, evse.evse_id, connector.connector_id)
            status = _status(station, connector, connected)
            live = connected and station.registration is RegistrationStatus.ACCEPTED
            use = _EvseUse.around(evse, connector, active, draws, live)
            whole = ConnectorRef(station.id, evse.evse_id, EVSE_WIDE)
            derate = derates.get(ref) or derates.get(whole)
            dock = _dock(catalogue, connector)
            offers.append((ref, _offer(ref, connector, status, use, derate, dock)))
    return offers


async def _recent(
    uow: UnitOfWork, station_id: str, active: list[Transaction]
) -> list[StoredSample]:
    return await uow.meter.latest_for_station(station_id, _RECENT_SAMPLES) if active else []


def _draws(active: list[Transaction], samples: list[StoredSample]) -> dict[int, float]:
    """Power each running session draws now (W): its newest total, else the sum of phases."""
    newest: dict[int, tuple[object, float, bool]] = {}  # tx id -> (timestamp, watts, total?)
    for stored in samples:  # newest first
        sample = stored.sample
        tx_id = stored.transaction_id
        if tx_id is None or sample.measurand is not Measurand.POWER_IMPORT:
            continue
        seen = newest.get(tx_id)
        if seen is None:
            newest[tx_id] = (sample.timestamp, sample.value, sample.phase is None)
        elif seen[0] == sample.timestamp and not seen[2] and sample.phase is not None:
            newest[tx_id] = (seen[0], seen[1] + sample.value, False)
    draws = {tx_id: watts for tx_id, (_, watts, _) in newest.items()}
    for tx in active:  # no power reading yet: the session's peak so far, if any
        if tx.id not in draws and tx.peak_power_w > 0:
            draws[tx.id] = tx.peak_power_w
    return draws


@dataclass(frozen=True, slots=True)
class _EvseUse:
    """What the EVSE's *other* connectors use now."""

    evse: Evse
    busy: list[int]  # connector ids in use (a running session, or reported occupied)
    draws: list[float | None]  # what each draws now (W); None when not known

    @classmethod
    def around(
        cls,
        evse: Evse,
        connector: Connector,
        active: list[Transaction],
        draws: dict[int, float],
        live: bool,
    ) -> _EvseUse:
        if not live:  # the station's own state (offline, not in service) says it all
            return cls(evse, [], [])
        sessions = {tx.connector_id: tx for tx in active if tx.evse_id == evse.evse_id}
        busy = [
            other.connector_id
            for other in evse.connectors
            if other.connector_id != connector.connector_id
            and (other.connector_id in sessions or other.status is ConnectorStatus.OCCUPIED)
        ]
        used = [sessions[c].id if c in sessions else None for c in busy]
        return cls(evse, busy, [None if tx_id is None else draws.get(tx_id) for tx_id in used])

    def left_w(self) -> float | None:
        """Power left for one more connector; None when unknown (no limit, or no reading)."""
        budget = self.evse.max_power_w
        if budget is None or None in self.draws:
            return None
        return budget - sum(draw for draw in self.draws if draw is not None)


def _offer(
    ref: ConnectorRef,
    connector: Connector,
    status: tuple[ConnectorStatus, str],
    use: _EvseUse,
    derate: Derate | None,
    built_in_adapter_id: str | None,
) -> ConnectorOffer:
    rating = connector.rating or DEFAULT_RATINGS[connector.type]
    state, reason = status
    budget = use.evse.max_power_w
    available = budget if budget is not None and budget < rating.max_power_w else None
    # one EVSE usually charges one car: stations mark its other cables Unavailable meanwhile
    if use.busy and state in _SHARING:
        left = use.left_w()
        busy = ", ".join(map(str, use.busy))
        if state is ConnectorStatus.UNAVAILABLE or left is None or left <= 0:
            state = ConnectorStatus.OCCUPIED
            reason = f"connector {busy} of this EVSE is in use"
        elif left < rating.max_power_w:
            available = left
    return ConnectorOffer(
        connector_id=str(ref),
        connector_type=connector.type,
        rating=rating,
        status=state,
        status_reason=reason,
        available_power_w=available,
        derated_power_w=derate.power_w if derate else None,
        derate_reason=derate.reason if derate else "",
        built_in_adapter_id=built_in_adapter_id,
        label=f"{ref.station_id} EVSE {ref.evse_id} connector {ref.connector_id}",
    )


def _dock(catalogue: Catalogue, connector: Connector) -> str | None:
    """The catalogue's dispenser-integrated adapter behind a connector's second plug."""
    if connector.built_in_plug is None:
        return None
    adapter = catalogue.built_in_adapter(connector.type, connector.built_in_plug)
    return None if adapter is None else adapter.id


def _status(station: Station, connector: Connector, connected: bool) -> tuple[ConnectorStatus, str]:
    if not connected:
        last = connector.status.value
        return ConnectorStatus.UNAVAILABLE, f"the station is offline (last reported {last})"
    if station.registration is not RegistrationStatus.ACCEPTED:
        registration = station.registration.value
        return ConnectorStatus.UNAVAILABLE, f"the station is not in service ({registration})"
    if connector.status is ConnectorStatus.UNKNOWN:
        return connector.status, "no status reported yet"
    words = [w for w in (connector.error_code, connector.status_detail) if w and w != "NoError"]
    return connector.status, ", ".join(dict.fromkeys(words))
