"""Applying meter samples to a transaction: live readings and the energy ledger.

Every reading passes the domain's plausibility rule (``domain.metering.screen``) first: an
implausible one is recorded as a ``meter_anomaly`` station event and never reaches energy,
power or money.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime

from forecourt.domain.events import StationEvent, StationEventKind
from forecourt.domain.metering import (
    Measurand,
    MeterSample,
    Quarantined,
    ReadingContext,
    energy_from_readings,
    needs_rating,
    register_problem,
    register_readings,
    screen,
)
from forecourt.domain.transactions import Transaction
from forecourt.ports.repositories import StoredSample, UnitOfWork


async def apply_samples(
    uow: UnitOfWork,
    tx: Transaction | None,
    samples: Sequence[MeterSample],
    *,
    station_id: str = "",
    evse_id: int = 0,
) -> None:
    """Store samples once and fold the new ones into the transaction's totals."""
    if tx is not None:
        station_id, evse_id = tx.station_id, tx.evse_id
        tx.keep_signed(samples)  # the meter's own evidence, kept even when implausible
    samples = await _plausible(uow, tx, samples, station_id, evse_id)
    if not samples:
        return
    if tx is None:
        await uow.meter.add([StoredSample(station_id, evse_id, None, s) for s in samples])
        return
    stored = [StoredSample(tx.station_id, tx.evse_id, tx.id, s) for s in samples]
    new = await uow.meter.add(stored)
    if new == 0:
        return
    _update_live_readings(tx, samples)
    readings = register_readings(samples)
    if not readings:
        return
    if tx.meter_start_wh is None:
        tx.meter_start_wh = _start_register(samples)
    baseline = tx.last_register or next(iter(tx.readings()), None)
    in_order = baseline is not None and min(r.timestamp for r in readings) >= baseline.timestamp
    if new == len(stored) and in_order and baseline is not None:
        before = tx.register_resets
        totals = energy_from_readings([baseline, *readings])
        tx.energy_wh += totals.energy_wh
        tx.register_resets += totals.resets
        tx.last_register = totals.last
        await _record_resets(uow, tx, before)
    else:  # late (offline-queued) or partly replayed: rebuild the ledger from every reading
        await recompute_energy(uow, tx)


async def recompute_energy(uow: UnitOfWork, tx: Transaction) -> None:
    stored = register_readings(await uow.meter.for_transaction(tx.id)) if tx.id else []
    totals = energy_from_readings([*stored, *tx.readings()])
    before = tx.register_resets
    tx.energy_wh = totals.energy_wh
    tx.register_resets = totals.resets
    tx.last_register = totals.last
    if not tx.active and tx.meter_stop_wh is None and totals.last is not None:
        tx.meter_stop_wh = totals.last.wh
    await _record_resets(uow, tx, before)


async def _record_resets(uow: UnitOfWork, tx: Transaction, before: int) -> None:
    if tx.register_resets > before and tx.last_register is not None:
        data = {
            "transaction_id": tx.id,
            "resets": tx.register_resets,
            "register_wh": tx.last_register.wh,
        }
        await uow.events.add(
            StationEvent(
                tx.station_id, StationEventKind.REGISTER_RESET, tx.last_register.timestamp, data
            )
        )


def _start_register(samples: Sequence[MeterSample]) -> float | None:
    """2.0.1 has no meterStart: the Transaction.Begin register reading (or the first) is it."""
    registers = [
        s for s in samples if s.measurand is Measurand.ENERGY_IMPORT_REGISTER and s.phase is None
    ]
    begin = [s for s in registers if s.context is ReadingContext.TRANSACTION_BEGIN]
    chosen = min(begin or registers, key=lambda s: s.timestamp, default=None)
    return None if chosen is None else chosen.value


def _update_live_readings(tx: Transaction, samples: Sequence[MeterSample]) -> None:
    power = _total_by_timestamp(samples, Measurand.POWER_IMPORT)
    if power:
        tx.peak_power_w = max(tx.peak_power_w, *power.values())
        tx.power_w = round(power[max(power)], 1)
    offered = _total_by_timestamp(samples, Measurand.POWER_OFFERED)
    if offered:
        tx.power_offered_w = round(offered[max(offered)], 1)
    soc = [s for s in samples if s.measurand is Measurand.SOC]
    if soc:
        tx.last_soc = max(soc, key=lambda s: s.timestamp).value


def _total_by_timestamp(
    samples: Sequence[MeterSample], measurand: Measurand
) -> dict[datetime, float]:
    """Totals per instant: the station's total when given, else the sum of its phases."""
    totals: dict[datetime, float] = {}
    phased: dict[datetime, float] = {}
    for s in samples:
        if s.measurand is not measurand:
            continue
        if s.phase is None:
            totals[s.timestamp] = s.value
        else:
            phased[s.timestamp] = phased.get(s.timestamp, 0.0) + s.value
    return {**phased, **totals}


# --- quarantine ------------------------------------------------------------------------------

_MAX_LISTED = 10  # readings listed in one anomaly event; the count says how many there were


async def plausible_register(
    uow: UnitOfWork, station_id: str, tx_id: int | None, wh: float | None, field: str, at: datetime
) -> float | None:
    """A start/stop register value, or None (recorded as an anomaly) when it is implausible.

    The message itself is still accepted: a refused Start/Stop is retried by the station and
    then dropped, which would leave the transaction open forever.
    """
    problem = None if wh is None else register_problem(wh)
    if problem is None:
        return wh
    reading: dict[str, object] = {"field": field, "value": repr(wh), "reason": problem}
    await _record_anomaly(uow, station_id, tx_id, at, [reading])
    return None


async def _plausible(
    uow: UnitOfWork,
    tx: Transaction | None,
    samples: Sequence[MeterSample],
    station_id: str,
    evse_id: int,
) -> Sequence[MeterSample]:
    rating = await _rating_w(uow, tx, station_id, evse_id) if needs_rating(samples) else None
    kept, rejected = screen(samples, rating)
    if rejected:
        readings = [_described(q) for q in rejected]
        at = max(q.sample.timestamp for q in rejected)
        await _record_anomaly(uow, station_id, tx.id if tx else None, at, readings)
    return kept


def _described(q: Quarantined) -> dict[str, object]:
    return {
        "measurand": q.sample.measurand.value,
        "value": repr(q.sample.value),  # text: JSON has no inf/nan, PostgreSQL jsonb refuses them
        "unit": q.sample.unit,
        "reason": q.reason,
    }


async def _record_anomaly(
    uow: UnitOfWork,
    station_id: str,
    tx_id: int | None,
    at: datetime,
    readings: list[dict[str, object]],
) -> None:
    data = {"transaction_id": tx_id, "count": len(readings), "readings": readings[:_MAX_LISTED]}
    await uow.events.add(StationEvent(station_id, StationEventKind.METER_ANOMALY, at, data))


async def _rating_w(
    uow: UnitOfWork, tx: Transaction | None, station_id: str, evse_id: int
) -> float | None:
    """The connector's nameplate power (the EVSE's when the connector has none), cached on
    the transaction so a session looks it up once."""
    if tx is not None and tx.rating_w is not None:
        return tx.rating_w or None
    station = await uow.stations.get(station_id)
    evse = station.evse(evse_id) if station is not None else None
    connector = evse.connector(tx.connector_id if tx else 1) if evse is not None else None
    rating: float | None = None
    if connector is not None and connector.rating is not None:
        rating = connector.rating.max_power_w
    elif evse is not None:
        rating = evse.max_power_w
    if tx is not None:
        tx.rating_w = rating or 0.0
    return rating
