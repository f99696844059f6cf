"""A 2.1 station's own cost of a session (``costDetails``) checked against ours.

``ports.session_costs.StationCostChecks``: the 2.1 edge reports each ``costDetails`` (an
Updated event's running cost and the Ended event's final one); the comparison is recorded
once per session (a running mismatch until the final check replaces it), and one beyond tolerance
(``domain.cost_checks``) is announced (``payment.cost_mismatch``) and listed for
reconciliation. Our price stays what we bill: nothing here changes a payment.
"""

from __future__ import annotations

import logging

from forecourt.domain.errors import ForecourtError
from forecourt.domain.money import Money
from forecourt.payments.domain.cost_checks import CostCheck, compare
from forecourt.payments.ports import COST_CHECK_STORE
from forecourt.payments.services.pricing import cost_in
from forecourt.ports.repositories import UnitOfWork
from forecourt.ports.session_costs import StationCost
from forecourt.services.context import ServiceContext

log = logging.getLogger("forecourt.payments")


class CostChecks:
    def __init__(self, ctx: ServiceContext) -> None:
        self._ctx = ctx

    async def check(self, cost: StationCost) -> None:
        """The final cost (Ended) is recorded once per session; a running cost (Updated) only
        when it is beyond tolerance, once per session (a session already flagged while
        running is not priced again for each message), until the final check replaces it."""
        now = self._ctx.clock.now()
        try:
            async with self._ctx.uow() as uow:
                tx = await uow.transactions.by_station_tx_id(cost.station_id, cost.station_tx_id)
                if tx is None:
                    return  # recorded for reconciliation by the transaction edge already
                store = uow.repository(COST_CHECK_STORE)
                if cost.running and (not tx.active or await store.get(tx.id) is not None):
                    return  # flagged already, or ended meanwhile (the final check decides)
                # A running cost is ours at the event's time: the meter value it came with
                # is recorded first (the edge calls after its own record).
                at = cost.at if cost.running and cost.at is not None else now
                ours = (await cost_in(uow, tx, at)).total
                station, note = _station_total(cost)
                found = compare(tx.id, cost.station_id, ours, station, now, note, cost.running)
                if cost.running and not found.flagged:
                    await uow.commit()  # agrees: nothing stored (but a pin made on the way)
                    return
                added = await store.add(found)
                if added and found.flagged:
                    self._announce(uow, found)
                await uow.commit()
        except ForecourtError as exc:  # no tariff applies: nothing of ours to compare
            log.info("station cost of %s not compared: %s", cost.station_tx_id, exc)
            return

    async def list(self, flagged_only: bool = True) -> list[CostCheck]:
        async with self._ctx.uow() as uow:
            return await uow.repository(COST_CHECK_STORE).list(flagged_only)

    def _announce(self, uow: UnitOfWork, check: CostCheck) -> None:
        log.warning(
            "station %s priced transaction %s at %s minor units, we at %s: flagged",
            check.station_id, check.transaction_id, check.station_minor, check.ours_minor,
        )  # fmt: skip
        self._ctx.stage_event(
            uow,
            "payment.cost_mismatch",
            check.station_id,
            transaction_id=check.transaction_id,
            ours_minor=check.ours_minor,
            station_minor=check.station_minor,
            currency=check.currency,
            note=check.note,
            running=check.running,
        )


def _station_total(cost: StationCost) -> tuple[Money | None, str]:
    """The station's total, or None and why not (a failure, a currency we do not know)."""
    if cost.total is None:
        return None, f"the station could not compute the cost: {cost.failure_reason}"
    try:
        return Money.of(cost.total, cost.currency), ""
    except ForecourtError:
        return None, f"the station priced in an unknown currency {cost.currency!r}"
