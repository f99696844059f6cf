"""Limits an operator set when starting a session remotely, found again by station and token."""

from __future__ import annotations

from datetime import datetime
from decimal import Decimal

from sqlalchemy import and_, select

from forecourt.payments.storage.tables import session_limits as limits
from forecourt.ports.station_payments import PrepaidLimit
from forecourt.storage.context import DbContext


class SqlSessionLimitRepository:
    def __init__(self, db: DbContext) -> None:
        self._db = db

    async def add(self, station_id: str, id_token: str, limit: PrepaidLimit, at: datetime) -> None:
        await self._db.execute(
            limits.insert().values(
                station_id=station_id,
                id_token=id_token,
                max_cost=None if limit.max_cost is None else str(limit.max_cost),
                max_energy_wh=limit.max_energy_wh,
                max_time_s=limit.max_time_s,
                max_soc=limit.max_soc,
                created_at=at,
            )
        )

    async def newest(
        self, station_id: str, id_token: str, since: datetime, until: datetime
    ) -> PrepaidLimit | None:
        """The newest limit set for this token at this station in [since, until]."""
        query = (
            select(limits)
            .where(
                and_(
                    limits.c.station_id == station_id,
                    limits.c.id_token == id_token,
                    limits.c.created_at >= since,
                    limits.c.created_at <= until,
                )
            )
            .order_by(limits.c.created_at.desc(), limits.c.id.desc())
            .limit(1)
        )
        row = (await self._db.execute(query)).first()
        if row is None:
            return None
        return PrepaidLimit(
            max_cost=None if row.max_cost is None else Decimal(row.max_cost),
            max_energy_wh=row.max_energy_wh,
            max_time_s=row.max_time_s,
            max_soc=row.max_soc,
        )
