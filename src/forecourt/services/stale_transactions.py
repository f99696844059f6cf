"""Transactions a station will never close itself, closed by Forecourt with a record.

The rules are in ``domain.transactions`` (``older_on_same_evse``, ``not_resumed_after_boot``);
``services.transactions`` applies them on a start and after a reboot, for every OCPP version.
A stop the station sends later still wins (``Lifecycle.RECONCILED``).
"""

from __future__ import annotations

from datetime import datetime

from forecourt.domain.events import StationEvent, StationEventKind
from forecourt.domain.transactions import StopReason, Transaction, older_on_same_evse
from forecourt.ports.repositories import UnitOfWork
from forecourt.services.ledger import recompute_energy


async def close_older_on_evse(
    uow: UnitOfWork, newest: Transaction, now: datetime
) -> list[Transaction]:
    """A start on an occupied EVSE: the older transaction there cannot still be charging."""
    if newest.evse_id <= 0:
        return []  # 2.0.1 may start before the station knows the EVSE
    active = await uow.transactions.active_on_evse(newest.station_id, newest.evse_id)
    stale = older_on_same_evse(active, newest)
    for tx in stale:
        other = newest if tx is not newest else max(active, key=lambda a: a.started_at)
        why = f"transaction {other.id} started on EVSE {tx.evse_id} at {other.started_at}"
        await reconcile_in(uow, tx, StopReason.SUPERSEDED, min(other.started_at, now), why)
    return stale  # ``newest`` itself when it is a late offline start


async def reconcile_in(
    uow: UnitOfWork, tx: Transaction, reason: StopReason, at: datetime, why: str
) -> None:
    """Close ``tx`` in this unit of work and keep the reconciliation record beside it."""
    tx.reconcile(reason, at, why)
    await recompute_energy(uow, tx)
    await uow.transactions.save(tx)
    record = {
        "transaction_id": tx.id,
        "station_tx_id": tx.station_tx_id,
        "evse_id": tx.evse_id,
        "reason": reason.value,
        "why": why,
    }
    await uow.events.add(
        StationEvent(tx.station_id, StationEventKind.TRANSACTION_RECONCILED, at, record)
    )
