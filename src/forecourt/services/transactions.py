"""Transactions for both protocol versions (1.6 Start/Stop/MeterValues, 2.0.1 TransactionEvent).

Rules (DESIGN §2 rule 4): a replayed start returns the original transaction; a stop for an
unknown transaction is acknowledged and recorded for reconciliation; a duplicate stop changes
nothing; offline-queued messages are applied in timestamp order; energy comes from the
register readings via one ledger, so nothing is lost or counted twice.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass, replace
from datetime import datetime

from forecourt.domain.errors import Conflict
from forecourt.domain.events import StationEvent, StationEventKind
from forecourt.domain.metering import MeterSample
from forecourt.domain.tokens import AuthorizationResult, IdToken, TokenKind
from forecourt.domain.transactions import (
    RECONCILED,
    StopReason,
    Transaction,
    TransactionState,
    is_reconciled,
    not_resumed_after_boot,
    payment_method_for,
    start_key,
)
from forecourt.ports.repositories import UnitOfWork
from forecourt.services.authorization import authorize_in
from forecourt.services.context import ServiceContext
from forecourt.services.ledger import apply_samples, plausible_register, recompute_energy
from forecourt.services.stale_transactions import close_older_on_evse, reconcile_in


@dataclass(frozen=True, slots=True)
class TransactionStart:
    evse_id: int
    connector_id: int
    timestamp: datetime
    id_token: IdToken | None = None
    meter_start_wh: float | None = None
    station_tx_id: str | None = None  # the station's own id (2.0.1); None when we assign it
    seq_no: int | None = None
    offline: bool = False
    remote_start_id: int | None = None
    charging_state: str = ""
    samples: Sequence[MeterSample] = ()


@dataclass(frozen=True, slots=True)
class TransactionUpdate:
    station_tx_id: str
    timestamp: datetime
    evse_id: int | None = None
    connector_id: int | None = None
    id_token: IdToken | None = None
    seq_no: int | None = None
    offline: bool = False
    charging_state: str = ""
    samples: Sequence[MeterSample] = ()


@dataclass(frozen=True, slots=True)
class TransactionStop:
    station_tx_id: str
    timestamp: datetime
    meter_stop_wh: float | None = None
    reason: StopReason = StopReason.LOCAL
    id_token: IdToken | None = None
    seq_no: int | None = None
    offline: bool = False
    evse_id: int | None = None
    connector_id: int | None = None
    samples: Sequence[MeterSample] = ()
    station_assigned_id: bool = False  # True when the station chose the id (2.0.1)


@dataclass(frozen=True, slots=True)
class Outcome:
    transaction: Transaction | None
    authorization: AuthorizationResult | None = None
    replayed: bool = False
    orphan: bool = False
    reconciled: tuple[Transaction, ...] = ()  # closed by the rule "one car per EVSE"


class Transactions:
    def __init__(self, ctx: ServiceContext) -> None:
        self._ctx = ctx

    async def start(self, station_id: str, req: TransactionStart) -> Outcome:
        try:
            outcome = await self._start_once(station_id, req)
        except Conflict:
            # A concurrent replay inserted the same start first: answer with that one.
            outcome = await self._start_once(station_id, req)
        if not outcome.replayed and outcome.transaction is not None:
            await self._announce("transaction.started", outcome.transaction)
        for closed in outcome.reconciled:
            await self._announce("transaction.ended", closed)
        return outcome

    async def _start_once(self, station_id: str, req: TransactionStart) -> Outcome:
        now = self._ctx.clock.now()
        async with self._ctx.uow() as uow:
            existing = await self._find_start(uow, station_id, req)
            if existing is not None:
                await self._merge_replayed_start(uow, existing, req)
                await uow.commit()
                return Outcome(existing, AuthorizationResult(existing.auth_status), replayed=True)
            auth = await authorize_in(uow, req.id_token, self._ctx) if req.id_token else None
            tx = await uow.transactions.add(_new_transaction(station_id, req, auth, now))
            tx.meter_start_wh = await plausible_register(
                uow, station_id, tx.id, req.meter_start_wh, "meterStart", req.timestamp
            )
            await apply_samples(uow, tx, req.samples)
            if not req.offline:
                await self._ctx.drift.observe(uow, station_id, req.timestamp, now)
            stale = await close_older_on_evse(uow, tx, now)
            await uow.transactions.save(tx)
            await uow.commit()
        return Outcome(tx, auth, reconciled=tuple(stale))

    async def _find_start(
        self, uow: UnitOfWork, station_id: str, req: TransactionStart
    ) -> Transaction | None:
        if req.station_tx_id:
            return await uow.transactions.by_station_tx_id(station_id, req.station_tx_id)
        key = start_key(
            station_id,
            req.evse_id,
            req.connector_id,
            req.timestamp,
            req.id_token.value if req.id_token else None,
        )
        return await uow.transactions.by_start_key(station_id, key)

    async def _merge_replayed_start(
        self, uow: UnitOfWork, tx: Transaction, req: TransactionStart
    ) -> None:
        """A start we already have; it may fill gaps left by messages that arrived before it."""
        if req.timestamp < tx.started_at:
            tx.started_at = req.timestamp
        if tx.meter_start_wh is None:
            tx.meter_start_wh = await plausible_register(
                uow, tx.station_id, tx.id, req.meter_start_wh, "meterStart", req.timestamp
            )
        if tx.id_token is None and req.id_token is not None:
            tx.id_token = req.id_token.value
        tx.details.pop("reconstructed", None)
        await apply_samples(uow, tx, req.samples)
        await recompute_energy(uow, tx)
        await uow.transactions.save(tx)

    async def update(self, station_id: str, req: TransactionUpdate) -> Outcome:
        now = self._ctx.clock.now()
        async with self._ctx.uow() as uow:
            tx = await self._locate(uow, station_id, req.station_tx_id)
            if tx is not None:
                auth = await self._late_authorization(uow, tx, req.id_token)
                placed = _place(tx, req.evse_id, req.connector_id)
                _note_sequence(tx, req.seq_no, req.offline, req.charging_state, now)
                await apply_samples(uow, tx, req.samples)
                if not req.offline:
                    await self._ctx.drift.observe(uow, station_id, req.timestamp, now)
                stale = await close_older_on_evse(uow, tx, now) if placed else []
                await uow.transactions.save(tx)
                await uow.commit()
        if tx is None:
            return await self._start_reconstructed(station_id, req)
        await self._announce("transaction.updated", tx)
        for closed in stale:
            await self._announce("transaction.ended", closed)
        return Outcome(tx, auth, reconciled=tuple(stale))

    async def _late_authorization(
        self, uow: UnitOfWork, tx: Transaction, token: IdToken | None
    ) -> AuthorizationResult | None:
        """2.0.1 lets a driver plug in first and identify later, within the transaction.

        Whenever a token comes with an update, the outcome says whether it is authorised.
        """
        if token is None:
            return None
        if token.value == tx.id_token:
            return AuthorizationResult(tx.auth_status)
        auth = await authorize_in(uow, token, self._ctx, exclude_tx=tx.id)
        if tx.id_token is None:
            tx.id_token, tx.auth_status = token.value, auth.status
            tx.payment_method = payment_method_for(_token_kind(token, auth))
        return auth

    async def _start_reconstructed(self, station_id: str, req: TransactionUpdate) -> Outcome:
        """An update for a start we never got: open the transaction so no energy is lost."""
        start = TransactionStart(
            evse_id=req.evse_id or 0,
            connector_id=req.connector_id or 1,
            timestamp=min([req.timestamp, *(s.timestamp for s in req.samples)]),
            id_token=req.id_token,
            station_tx_id=req.station_tx_id,
            seq_no=req.seq_no,
            offline=req.offline,
            charging_state=req.charging_state,
            samples=req.samples,
        )
        outcome = await self.start(station_id, start)
        if outcome.transaction is not None and not outcome.replayed:
            async with self._ctx.uow() as uow:
                outcome.transaction.details["reconstructed"] = "start missing"
                await uow.transactions.save(outcome.transaction)
                await uow.commit()
        return outcome

    async def stop(self, station_id: str, req: TransactionStop) -> Outcome:
        """Whenever the stop carries a token, the outcome carries its authorization."""
        now = self._ctx.clock.now()
        async with self._ctx.uow() as uow:
            tx = await self._locate(uow, station_id, req.station_tx_id)
            auth = await self._stop_authorization(uow, tx, req)
            if tx is None:
                await self._record_orphan(uow, station_id, req, now)
                ended = corrected = False
            else:
                # a stop for a transaction Forecourt closed itself corrects it, once
                corrected = not tx.active and is_reconciled(tx)
                ended = tx.active or corrected
                if ended:
                    stop_wh = await plausible_register(
                        uow, station_id, tx.id, req.meter_stop_wh, "meterStop", req.timestamp
                    )  # None: the last plausible reading closes the ledger (recompute_energy)
                    _close(tx, replace(req, meter_stop_wh=stop_wh), now)
                await apply_samples(uow, tx, req.samples)  # replays are stored once
                await recompute_energy(uow, tx)
                await uow.transactions.save(tx)
            await uow.commit()
        if tx is None:
            await self._ctx.publish("station.orphan_stop", station_id, **_orphan_data(req))
            return await self._rebuild_unknown(station_id, req, auth)
        if not ended:  # a duplicate stop: acknowledge, change nothing
            return Outcome(tx, auth, replayed=True)
        # already announced as ended when reconciled: consumers must not count it twice
        await self._announce("transaction.corrected" if corrected else "transaction.ended", tx)
        return Outcome(tx, auth)

    async def _stop_authorization(
        self, uow: UnitOfWork, tx: Transaction | None, req: TransactionStop
    ) -> AuthorizationResult | None:
        if req.id_token is None:
            return None
        if tx is not None and req.id_token.value == tx.id_token:
            return AuthorizationResult(tx.auth_status)
        return await authorize_in(
            uow, req.id_token, self._ctx, exclude_tx=tx.id if tx is not None else None
        )

    async def _record_orphan(
        self, uow: UnitOfWork, station_id: str, req: TransactionStop, now: datetime
    ) -> None:
        """Acknowledge (else the station retries forever) and record for reconciliation."""
        await uow.events.add(
            StationEvent(station_id, StationEventKind.ORPHAN_STOP, now, _orphan_data(req))
        )

    async def _rebuild_unknown(
        self, station_id: str, req: TransactionStop, auth: AuthorizationResult | None
    ) -> Outcome:
        if not (req.station_assigned_id and req.station_tx_id):  # "" would be rebuilt forever
            return Outcome(None, auth, orphan=True)
        # The station chose the id, so the transaction can be rebuilt from what it sent.
        update = TransactionUpdate(
            req.station_tx_id, req.timestamp, req.evse_id, req.connector_id, req.id_token,
            req.seq_no, req.offline, "", req.samples,
        )  # fmt: skip
        rebuilt = await self._start_reconstructed(station_id, update)
        if rebuilt.transaction is None:
            return Outcome(None, auth, orphan=True)
        closed = await self.stop(station_id, replace(req, samples=()))
        return Outcome(closed.transaction, closed.authorization or auth, orphan=True)

    async def meter_values(
        self,
        station_id: str,
        evse_id: int,
        station_tx_id: str | None,
        samples: Sequence[MeterSample],
    ) -> None:
        """Samples outside a TransactionEvent (1.6 MeterValues, 2.0.1 MeterValues)."""
        async with self._ctx.uow() as uow:
            tx = await self._locate(uow, station_id, station_tx_id) if station_tx_id else None
            if tx is None:
                tx = await _single_active(uow, station_id, evse_id)
            if tx is not None:
                await apply_samples(uow, tx, samples)
                await uow.transactions.save(tx)
            else:
                await apply_samples(uow, None, samples, station_id=station_id, evse_id=evse_id)
            await uow.commit()
        if tx is not None and tx.active:
            await self._announce("transaction.updated", tx)

    async def close_not_resumed(
        self, station_id: str, evse_id: int, free_since: datetime
    ) -> list[Transaction]:
        """The station reports the EVSE free: transactions that ran there before its last
        reboot were not resumed. Close them, each with a reconciliation record."""
        if evse_id <= 0:
            return []
        async with self._ctx.uow() as uow:
            active = await uow.transactions.active_on_evse(station_id, evse_id)
            station = await uow.stations.get(station_id) if active else None
            booted_at = station.booted_at if station is not None else None
            if booted_at is None:
                return []
            stale = [tx for tx in active if not_resumed_after_boot(tx, booted_at, free_since)]
            for tx in stale:
                why = f"the station rebooted at {booted_at.isoformat()} and reported EVSE free"
                await reconcile_in(uow, tx, StopReason.NOT_RESUMED, tx.updated_at or booted_at, why)
            await uow.commit()
        for tx in stale:
            await self._announce("transaction.ended", tx)
        return stale

    async def _locate(
        self, uow: UnitOfWork, station_id: str, station_tx_id: str
    ) -> Transaction | None:
        return await uow.transactions.by_station_tx_id_for_update(station_id, station_tx_id)

    async def _announce(self, topic: str, tx: Transaction) -> None:
        await self._ctx.publish(topic, tx.station_id, **transaction_summary(tx))


async def _single_active(uow: UnitOfWork, station_id: str, evse_id: int) -> Transaction | None:
    active = await uow.transactions.active_on_evse(station_id, evse_id) if evse_id else []
    return active[0] if len(active) == 1 else None


def _new_transaction(
    station_id: str, req: TransactionStart, auth: AuthorizationResult | None, now: datetime
) -> Transaction:
    token = req.id_token
    tx = Transaction(
        station_id=station_id,
        evse_id=req.evse_id,
        connector_id=req.connector_id,
        started_at=req.timestamp,
        station_tx_id=req.station_tx_id or "",
        id_token=token.value if token else None,
        meter_start_wh=req.meter_start_wh,
        # a station-assigned id (2.0.1) identifies replays itself; the key is for 1.6 only
        start_key=""
        if req.station_tx_id
        else start_key(
            station_id, req.evse_id, req.connector_id, req.timestamp, token.value if token else None
        ),
        remote_start_id=req.remote_start_id,
        payment_method=payment_method_for(_token_kind(token, auth)),
        updated_at=now,
    )
    if auth is not None:
        tx.auth_status = auth.status
    _note_sequence(tx, req.seq_no, req.offline, req.charging_state, now)
    return tx


def _token_kind(token: IdToken | None, auth: AuthorizationResult | None) -> TokenKind | None:
    """The kind the operator registered wins over the wire's (1.6 sends every tag alike)."""
    if auth is not None and auth.kind is not None:
        return auth.kind
    return token.kind if token is not None else None


def _place(tx: Transaction, evse_id: int | None, connector_id: int | None) -> bool:
    """A 2.0.1 transaction may start before the station knows the EVSE; fill it in later.
    True when the EVSE became known now."""
    if tx.evse_id == 0 and evse_id:
        tx.evse_id = evse_id
        tx.connector_id = connector_id or tx.connector_id
        return True
    return False


def _note_sequence(
    tx: Transaction, seq_no: int | None, offline: bool, charging_state: str, now: datetime
) -> None:
    if seq_no is not None:
        tx.last_seq_no = seq_no if tx.last_seq_no is None else max(tx.last_seq_no, seq_no)
    tx.seen_offline = tx.seen_offline or offline
    if charging_state:
        tx.charging_state = charging_state
    tx.updated_at = now


def _close(tx: Transaction, req: TransactionStop, now: datetime) -> None:
    tx.details.pop(RECONCILED, None)
    tx.state = TransactionState.ENDED
    tx.stopped_at = req.timestamp
    tx.meter_stop_wh = req.meter_stop_wh
    tx.stop_reason = req.reason
    tx.stop_id_token = req.id_token.value if req.id_token else None
    _note_sequence(tx, req.seq_no, req.offline, "", now)


def _orphan_data(req: TransactionStop) -> dict[str, object]:
    return {
        "station_tx_id": req.station_tx_id,
        "timestamp": req.timestamp.isoformat(),
        "meter_stop_wh": req.meter_stop_wh,
        "reason": req.reason.value,
        "id_token": req.id_token.value if req.id_token else None,
        "samples": len(req.samples),
    }


def transaction_summary(tx: Transaction) -> dict[str, object]:
    """JSON-ready view used in events (dashboard live updates, detectors, payments)."""
    return {
        "transaction_id": tx.id,
        "station_tx_id": tx.station_tx_id,
        "evse_id": tx.evse_id,
        "connector_id": tx.connector_id,
        "state": tx.state.value,
        "id_token": tx.id_token,
        "energy_wh": _finite(round(tx.energy_wh, 3)),
        "peak_power_w": _finite(tx.peak_power_w),
        "power_w": _detail_float(tx, "power_w"),
        "soc": _finite(tx.last_soc),
        "stop_reason": tx.stop_reason.value if tx.stop_reason else None,
        "started_at": tx.started_at.isoformat(),
        "stopped_at": tx.stopped_at.isoformat() if tx.stopped_at else None,
        # for the reliability detectors: derating, payment reader, meter anomalies
        "power_offered_w": _detail_float(tx, "power_offered_w"),
        "payment_method": tx.payment_method.value if tx.payment_method else None,
        "auth_status": tx.auth_status.value,
        "register_resets": tx.register_resets,
        "vehicle": tx.details.get("vehicle"),
    }


def _detail_float(tx: Transaction, key: str) -> float | None:
    return _finite(float(tx.details[key])) if key in tx.details else None


def _finite(value: float | None) -> float | None:
    """JSON has no inf/nan (a stored bus event or an SSE frame would be unreadable): None."""
    return value if value is not None and math.isfinite(value) else None
