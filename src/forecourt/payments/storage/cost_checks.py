"""Station cost checks: one per session, the first one kept (replays change nothing); a
running session's mismatch is kept until the final check replaces it."""

from __future__ import annotations

import builtins
from typing import Any

from sqlalchemy import Row, delete, select

from forecourt.domain.errors import Conflict
from forecourt.payments.domain.cost_checks import CostCheck
from forecourt.payments.storage.tables import station_cost_checks as checks
from forecourt.storage.context import DbContext


class SqlCostCheckRepository:
    def __init__(self, db: DbContext) -> None:
        self._db = db

    async def add(self, check: CostCheck) -> bool:
        """False when the session was already checked (a replayed Ended, a second running
        mismatch); a final check replaces a running one."""
        found = await self.get(check.transaction_id)
        if found is not None and found.running and not check.running:
            await self._db.execute(
                delete(checks).where(checks.c.transaction_id == check.transaction_id)
            )
        elif found is not None:
            return False
        try:
            await self._insert(check)
        except Conflict:  # the same Ended, replayed at the same moment
            return False
        return True

    async def _insert(self, check: CostCheck) -> None:
        async with self._db.guarded(f"cost check of transaction {check.transaction_id}"):
            await self._db.execute(
                checks.insert().values(
                    transaction_id=check.transaction_id,
                    station_id=check.station_id,
                    currency=check.currency,
                    ours_minor=check.ours_minor,
                    station_minor=check.station_minor,
                    tolerance_minor=check.tolerance_minor,
                    flagged=check.flagged,
                    note=check.note,
                    checked_at=check.checked_at,
                    running=check.running,
                )
            )

    async def get(self, transaction_id: int) -> CostCheck | None:
        query = select(checks).where(checks.c.transaction_id == transaction_id)
        row = (await self._db.execute(query)).first()
        return None if row is None else _check(row)

    async def list(self, flagged_only: bool, limit: int = 200) -> builtins.list[CostCheck]:
        """Newest first."""
        query = select(checks).order_by(checks.c.checked_at.desc()).limit(limit)
        if flagged_only:
            query = query.where(checks.c.flagged.is_(True))
        return [_check(row) for row in await self._db.execute(query)]


def _check(row: Row[Any]) -> CostCheck:
    values = row._asdict()
    values.pop("flagged")  # derived from the figures
    return CostCheck(**values)
