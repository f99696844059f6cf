"""Transactions for both protocol versions (1.6 Start/Stop/MeterValues, 2.0.1 TransactionEvent).

Orchestration only: load, call the domain (``domain.transactions.Transaction`` keeps the
lifecycle's rules), save, publish. Rules (DESIGN §2 rule 4): a replayed start returns the
original transaction; a stop for an unknown transaction is acknowledged and recorded for
reconciliation (and, when the station chose the id, rebuilt in the same unit of work); a
duplicate stop changes nothing; offline-queued messages are applied in timestamp order;
energy comes from the register readings via one ledger, so nothing is lost or counted twice.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable, Sequence
from datetime import datetime

from forecourt.domain.errors import Conflict
from forecourt.domain.events import StationEvent, StationEventKind
from forecourt.domain.metering import MeterSample, register_problem
from forecourt.domain.tokens import AuthorizationResult, IdToken, TokenKind
from forecourt.domain.transactions import (
    ChargingState,
    StopEffect,
    StopReason,
    Transaction,
    not_resumed_after_boot,
    start_key,
)
from forecourt.ports.repositories import UnitOfWork
from forecourt.services.authorization import authorize_in
from forecourt.services.context import ServiceContext
from forecourt.services.ledger import apply_samples, plausible_register, recompute_energy
from forecourt.services.reservations import reservation_news, use_reservation
from forecourt.services.stale_transactions import close_older_on_evse, reconcile_in
from forecourt.services.transaction_messages import (
    Outcome,
    TransactionStart,
    TransactionStop,
    TransactionUpdate,
    transaction_summary,
)
from forecourt.services.transaction_status import TOPIC as EVENTS_MISSING
from forecourt.services.transaction_status import events_missing

__all__ = [
    "Outcome",
    "TransactionStart",
    "TransactionStop",
    "TransactionUpdate",
    "Transactions",
    "transaction_summary",
]

#: What to publish once the unit of work is committed: (topic, event data).
Announcements = list[tuple[str, dict[str, object]]]


class Transactions:
    def __init__(self, ctx: ServiceContext) -> None:
        self._ctx = ctx

    async def start(self, station_id: str, req: TransactionStart) -> Outcome:
        return await self._settled(lambda: self._start_once(station_id, req))

    async def _start_once(self, station_id: str, req: TransactionStart) -> Outcome:
        now = self._ctx.clock.now()
        async with self._ctx.uow() as uow:
            existing = await self._find_start(uow, station_id, req)
            if existing is not None:
                await _merge_replayed_start(uow, existing, req)
                await uow.commit()
                replayed = AuthorizationResult(existing.auth_status)
                return Outcome(existing, replayed, replayed=True)
            auth = await self._authorize(uow, req.id_token, at=(station_id, req.evse_id))
            tx, stale, news = await self._create(uow, station_id, req, auth, now)
            news += await _use_reservation(uow, tx, req, auth, now)
            self._ctx.stage(uow, station_id, news)
            await uow.commit()
        return Outcome(tx, auth, reconciled=tuple(stale))

    async def _find_start(
        self, uow: UnitOfWork, station_id: str, req: TransactionStart
    ) -> Transaction | None:
        if req.station_tx_id:
            return await uow.transactions.by_station_tx_id(station_id, req.station_tx_id)
        token = req.id_token.value if req.id_token else None
        key = start_key(station_id, req.evse_id, req.connector_id, req.timestamp, token)
        return await uow.transactions.by_start_key(station_id, key)

    async def _create(
        self,
        uow: UnitOfWork,
        station_id: str,
        req: TransactionStart,
        auth: AuthorizationResult | None,
        now: datetime,
        *,
        start_missing: bool = False,
        saved_later: bool = False,
    ) -> tuple[Transaction, list[Transaction], Announcements]:
        """Store a new transaction in one INSERT, then fold in what came with its start
        (``saved_later``: the caller changes it further and saves it once)."""
        meter_start = req.meter_start_wh
        if meter_start is not None and register_problem(meter_start) is not None:
            meter_start = None  # recorded as an anomaly once the transaction has its id
        token = req.id_token
        tx = Transaction.begin(
            station_id, req.evse_id, req.connector_id, req.timestamp,
            station_tx_id=req.station_tx_id, token=token.value if token else None, auth=auth,
            token_kind=_token_kind(token, auth), meter_start_wh=meter_start,
            remote_start_id=req.remote_start_id, start_missing=start_missing, now=now,
        )  # fmt: skip
        tx.note_progress(req.seq_no, req.offline, ChargingState.parse(req.charging_state), now)
        await uow.transactions.add(tx)
        if meter_start is None and req.meter_start_wh is not None:
            await plausible_register(
                uow, station_id, tx.id, req.meter_start_wh, "meterStart", req.timestamp
            )
        await apply_samples(uow, tx, req.samples)
        if not req.offline:
            await self._ctx.drift.observe(uow, station_id, req.timestamp, now)
        stale = await close_older_on_evse(uow, tx, now)  # saves what it closes
        if req.samples and not saved_later and all(closed is not tx for closed in stale):
            await uow.transactions.save(tx)
        news = [("transaction.started", transaction_summary(tx))]
        return tx, stale, news + _ended(stale)

    async def update(self, station_id: str, req: TransactionUpdate) -> Outcome:
        return await self._settled(lambda: self._update_once(station_id, req))

    async def _update_once(self, station_id: str, req: TransactionUpdate) -> Outcome:
        now = self._ctx.clock.now()
        async with self._ctx.uow() as uow:
            tx = await self._locate(uow, station_id, req.station_tx_id)
            if tx is None:  # an update for a start we never got: open it, lose no energy
                auth = await self._authorize(uow, req.id_token)
                tx, stale, news = await self._create(
                    uow, station_id, req.as_start(), auth, now, start_missing=True
                )
            else:
                placed = tx.place(req.evse_id, req.connector_id)
                auth = await self._late_authorization(uow, tx, req.id_token)
                charging = ChargingState.parse(req.charging_state)
                tx.note_progress(req.seq_no, req.offline, charging, now)
                await apply_samples(uow, tx, req.samples)
                if not req.offline:
                    await self._ctx.drift.observe(uow, station_id, req.timestamp, now)
                stale = await close_older_on_evse(uow, tx, now) if placed else []
                await uow.transactions.save(tx)
                news = [("transaction.updated", transaction_summary(tx)), *_ended(stale)]
            news += await _use_reservation(uow, tx, req, auth, now)
            self._ctx.stage(uow, station_id, news)
            await uow.commit()
        return Outcome(tx, auth, reconciled=tuple(stale))

    async def _late_authorization(
        self, uow: UnitOfWork, tx: Transaction, token: IdToken | None
    ) -> AuthorizationResult | None:
        """2.0.1 lets a driver plug in first and identify later, within the transaction.

        Whenever a token comes with an update, the outcome says whether it is authorised.
        """
        if token is None:
            return None
        repeated = tx.repeated_token(token.value)
        if repeated is not None:
            return repeated
        at = (tx.station_id, tx.evse_id)
        auth = await authorize_in(uow, token, self._ctx, exclude_tx=tx.id, at=at)
        tx.identify(token.value, auth.status, _token_kind(token, auth))
        return auth

    async def stop(self, station_id: str, req: TransactionStop) -> Outcome:
        """Whenever the stop carries a token, the outcome carries its authorization."""
        return await self._settled(lambda: self._stop_once(station_id, req))

    async def _stop_once(self, station_id: str, req: TransactionStop) -> Outcome:
        now = self._ctx.clock.now()
        async with self._ctx.uow() as uow:
            tx = await self._locate(uow, station_id, req.station_tx_id)
            auth = await self._stop_authorization(uow, tx, req)
            if tx is None:
                outcome, news = await self._stop_unknown(uow, station_id, req, auth, now)
            else:
                gap = events_missing(tx.last_seq_no, req.seq_no, req.offline)
                effect = await _end(uow, tx, req, now)
                outcome = Outcome(tx, auth, replayed=effect is StopEffect.DUPLICATE)
                news = _stopped(tx, effect) + (_missing(tx, req) if gap else [])
            self._ctx.stage(uow, station_id, news)
            await uow.commit()
        return outcome

    async def _stop_unknown(
        self,
        uow: UnitOfWork,
        station_id: str,
        req: TransactionStop,
        auth: AuthorizationResult | None,
        now: datetime,
    ) -> tuple[Outcome, Announcements]:
        """Acknowledge (else the station retries forever) and record for reconciliation; when
        the station chose the id, rebuild the transaction from what it sent, and close it."""
        orphan = req.orphan_data()
        await uow.events.add(StationEvent(station_id, StationEventKind.ORPHAN_STOP, now, orphan))
        news: Announcements = [("station.orphan_stop", orphan)]
        if not req.rebuildable:
            return Outcome(None, auth, orphan=True), news
        start = req.as_update().as_start()
        tx, _, opened = await self._create(
            uow, station_id, start, auth, now, start_missing=True, saved_later=True
        )
        effect = await _end(uow, tx, req, now, samples_applied=True)
        token = req.id_token
        answer = tx.repeated_token(token.value) if token is not None else None
        return Outcome(tx, answer, orphan=True), news + opened + _stopped(tx, effect)

    async def _stop_authorization(
        self, uow: UnitOfWork, tx: Transaction | None, req: TransactionStop
    ) -> AuthorizationResult | None:
        if req.id_token is None:
            return None
        repeated = tx.repeated_token(req.id_token.value) if tx is not None else None
        if repeated is not None:
            return repeated
        exclude = tx.id if tx is not None else None
        return await authorize_in(uow, req.id_token, self._ctx, exclude_tx=exclude)

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
            if tx is not None and tx.active:
                self._ctx.stage(uow, station_id, [("transaction.updated", transaction_summary(tx))])
            await uow.commit()

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
            self._ctx.stage(uow, station_id, _ended(stale))
            await uow.commit()
        return stale

    async def _authorize(
        self, uow: UnitOfWork, token: IdToken | None, *, at: tuple[str, int] | None = None
    ) -> AuthorizationResult | None:
        return await authorize_in(uow, token, self._ctx, at=at) if token is not None else None

    async def _locate(
        self, uow: UnitOfWork, station_id: str, station_tx_id: str
    ) -> Transaction | None:
        return await uow.transactions.by_station_tx_id_for_update(station_id, station_tx_id)

    @staticmethod
    async def _settled(attempt: Callable[[], Awaitable[Outcome]]) -> Outcome:
        """Run one unit of work (its events go out through the outbox once committed).

        A Conflict means a concurrent message stored the same transaction first (a replayed
        start, an update or stop that opened it): a second attempt finds it and uses that one.
        """
        try:
            return await attempt()
        except Conflict:
            return await attempt()


async def _use_reservation(
    uow: UnitOfWork,
    tx: Transaction,
    req: TransactionStart | TransactionUpdate,
    auth: AuthorizationResult | None,
    now: datetime,
) -> Announcements:
    """The reservation a start names, or its accepted token's on that EVSE, is used up."""
    token = req.id_token.value if req.id_token and auth and auth.accepted else None
    if token is None and req.reservation_id is None:
        return []
    used = await use_reservation(
        uow, tx.station_id, tx.evse_id, token, req.reservation_id, tx.id, now
    )
    return [] if used is None else [("reservation.changed", reservation_news(used))]


async def _merge_replayed_start(uow: UnitOfWork, tx: Transaction, req: TransactionStart) -> None:
    """A start we already have; it may fill gaps left by messages that arrived before it."""
    meter_start = None
    if tx.meter_start_wh is None:  # checked (and an anomaly recorded) only when it is used
        meter_start = await plausible_register(
            uow, tx.station_id, tx.id, req.meter_start_wh, "meterStart", req.timestamp
        )
    token = req.id_token.value if req.id_token else None
    tx.merge_replayed_start(req.timestamp, token, meter_start)
    await apply_samples(uow, tx, req.samples)
    await recompute_energy(uow, tx)
    await uow.transactions.save(tx)


async def _end(
    uow: UnitOfWork,
    tx: Transaction,
    req: TransactionStop,
    now: datetime,
    *,
    samples_applied: bool = False,
) -> StopEffect:
    """The station's stop; a duplicate changes nothing but may still bring new samples."""
    effect = tx.stop_effect()
    if effect is not StopEffect.DUPLICATE:
        stop_wh = await plausible_register(
            uow, tx.station_id, tx.id, req.meter_stop_wh, "meterStop", req.timestamp
        )  # None: the last plausible reading closes the ledger (recompute_energy)
        tx.end(
            req.timestamp, req.reason, meter_stop_wh=stop_wh,
            stop_token=req.id_token.value if req.id_token else None,
            seq_no=req.seq_no, offline=req.offline, now=now,
        )  # fmt: skip
    if not samples_applied:
        await apply_samples(uow, tx, req.samples)  # replays are stored once
    await recompute_energy(uow, tx)
    await uow.transactions.save(tx)
    return effect


def _stopped(tx: Transaction, effect: StopEffect) -> Announcements:
    """A duplicate stop announces nothing; a transaction already announced as ended when
    Forecourt reconciled it is ``corrected``, so consumers never count it twice."""
    topics = {StopEffect.ENDED: "transaction.ended", StopEffect.CORRECTED: "transaction.corrected"}
    topic = topics.get(effect)
    return [] if topic is None else [(topic, transaction_summary(tx))]


def _missing(tx: Transaction, req: TransactionStop) -> Announcements:
    data = {"transaction_id": tx.id, "station_tx_id": tx.station_tx_id, "seq_no": req.seq_no}
    return [(EVENTS_MISSING, data)]


def _ended(closed: Sequence[Transaction]) -> Announcements:
    return [("transaction.ended", transaction_summary(tx)) for tx in closed]


async def _single_active(uow: UnitOfWork, station_id: str, evse_id: int) -> Transaction | None:
    active = await uow.transactions.active_on_evse(station_id, evse_id) if evse_id else []
    return active[0] if len(active) == 1 else None


def _token_kind(token: IdToken | None, auth: AuthorizationResult | None) -> TokenKind | None:
    """The kind the operator registered wins over the wire's (1.6 sends every tag alike)."""
    if auth is not None and auth.kind is not None:
        return auth.kind
    return token.kind if token is not None else None
