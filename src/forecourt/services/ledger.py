"""Applying meter samples to a transaction: live readings and the energy ledger."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime

from forecourt.domain.events import StationEvent, StationEventKind
from forecourt.domain.metering import (
    Measurand,
    MeterSample,
    ReadingContext,
    energy_from_readings,
    register_readings,
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
        tx.details["power_w"] = str(round(power[max(power)], 1))
    offered = _total_by_timestamp(samples, Measurand.POWER_OFFERED)
    if offered:
        tx.details["power_offered_w"] = str(round(offered[max(offered)], 1))
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
