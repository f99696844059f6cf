"""Rows of roaming sessions and CDRs (``ocpi_sessions``, ``ocpi_cdrs``), and the push queue's
"latest wins" enqueue for session updates."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from sqlalchemy import case, func, select

from forecourt.ocpi.domain.sessions import AuthMethod, CdrToken, RoamingSession, StoredCdr
from forecourt.ocpi.ports import PushJob
from forecourt.ocpi.storage.repository import SqlOcpiRepository
from forecourt.ocpi.storage.session_tables import cdrs, sessions
from forecourt.ocpi.storage.tables import push_queue
from forecourt.storage.context import DbContext


class SqlSessionRepository:
    def __init__(self, db: DbContext) -> None:
        self._db = db

    async def add_session(self, session: RoamingSession) -> None:
        values = {
            "transaction_id": session.transaction_id,
            "party_id": session.party_id,
            "token": session.token.to_dict(),
            "auth_method": session.auth_method.value,
            "authorization_reference": session.authorization_reference,
            "location_id": session.location_id,
            "evse_uid": session.evse_uid,
            "connector_id": session.connector_id,
            "created_at": session.created_at,
        }
        insert = self._db.insert(sessions).values(**values)
        await self._db.execute(insert.on_conflict_do_nothing(index_elements=["transaction_id"]))

    async def session(self, transaction_id: int) -> RoamingSession | None:
        query = select(sessions).where(sessions.c.transaction_id == transaction_id)
        row = (await self._db.execute(query)).mappings().first()
        return None if row is None else _session(row)

    async def sessions(self, party_id: int | None, limit: int) -> list[RoamingSession]:
        query = select(sessions).order_by(sessions.c.transaction_id.desc()).limit(limit)
        if party_id is not None:
            query = query.where(sessions.c.party_id == party_id)
        return [_session(row) for row in (await self._db.execute(query)).mappings()]

    async def without_cdr(self, limit: int) -> list[RoamingSession]:
        made = select(cdrs.c.transaction_id)
        query = (
            select(sessions)
            .where(sessions.c.transaction_id.not_in(made))
            .order_by(sessions.c.transaction_id)
            .limit(limit)
        )
        return [_session(row) for row in (await self._db.execute(query)).mappings()]

    async def add_cdr(self, cdr: StoredCdr) -> bool:
        values = {
            "id": cdr.id,
            "transaction_id": cdr.transaction_id,
            "party_id": cdr.party_id,
            "currency": cdr.currency,
            "total": cdr.total,
            "kwh": cdr.kwh,
            "created_at": cdr.created_at,
            "bodies": cdr.bodies,
        }
        insert = self._db.insert(cdrs).values(**values).on_conflict_do_nothing()
        result = await self._db.execute(insert)
        return bool(result.rowcount)

    async def cdr(self, cdr_id: str) -> StoredCdr | None:
        row = (await self._db.execute(select(cdrs).where(cdrs.c.id == cdr_id))).mappings().first()
        return None if row is None else _cdr(row)

    async def cdr_for(self, transaction_id: int) -> StoredCdr | None:
        query = select(cdrs).where(cdrs.c.transaction_id == transaction_id)
        row = (await self._db.execute(query)).mappings().first()
        return None if row is None else _cdr(row)

    async def cdrs(self, party_id: int | None, limit: int) -> list[StoredCdr]:
        query = select(cdrs).order_by(cdrs.c.created_at.desc(), cdrs.c.id.desc()).limit(limit)
        if party_id is not None:
            query = query.where(cdrs.c.party_id == party_id)
        return [_cdr(row) for row in (await self._db.execute(query)).mappings()]

    async def enqueue_latest(self, job: PushJob) -> None:
        """Queue ``job``, or fold it into the one still waiting for the same object (at most
        one pending push per party and object: a retried PUT is never overtaken by its own
        PATCH, and a flood of meter values is one row)."""
        query = select(push_queue).where(
            push_queue.c.party_id == job.party_id,
            push_queue.c.module == job.module,
            push_queue.c.path == job.path,
        )
        row = (await self._db.execute(query.order_by(push_queue.c.id))).mappings().first()
        if row is None:
            await SqlOcpiRepository(self._db).enqueue(job)
            return
        waiting = dict(row["body"])
        replaces = job.method == "PUT" or row["method"] == job.method
        body = job.body if job.method == "PUT" else {**waiting, **job.body}
        method = job.method if replaces else row["method"]
        # A new row, not an update: a send of the old one in flight ends with job_done or
        # job_failed on the old id, which must not drop (or delay) what was folded in here.
        # Inserted before the old row goes, so its id is above the old one's (SQLite reuses
        # the highest rowid once it is deleted: the in-flight job_done would hit the new row).
        folded = PushJob(
            job.party_id,
            method,
            job.module,
            job.path,
            body,
            row["due_at"],  # a retry keeps its back-off
            int(row["attempts"]),
            row["last_error"],
        )
        await SqlOcpiRepository(self._db).enqueue(folded)
        await self._db.execute(push_queue.delete().where(push_queue.c.id == row["id"]))

    async def queue_depth(self) -> dict[str, tuple[int, int]]:
        failing = func.sum(case((push_queue.c.attempts > 0, 1), else_=0))
        query = select(push_queue.c.module, func.count(), failing).group_by(push_queue.c.module)
        rows: list[Any] = list((await self._db.execute(query)).all())
        return {str(row[0]): (int(row[1]), int(row[2] or 0)) for row in rows}


def _session(row: Mapping[Any, Any]) -> RoamingSession:
    return RoamingSession(
        transaction_id=int(row["transaction_id"]),
        party_id=int(row["party_id"]),
        token=CdrToken.from_dict(dict(row["token"])),
        auth_method=AuthMethod(row["auth_method"]),
        authorization_reference=row["authorization_reference"],
        location_id=row["location_id"],
        evse_uid=row["evse_uid"],
        connector_id=row["connector_id"],
        created_at=row["created_at"],
    )


def _cdr(row: Mapping[Any, Any]) -> StoredCdr:
    return StoredCdr(
        id=row["id"],
        transaction_id=int(row["transaction_id"]),
        party_id=int(row["party_id"]),
        currency=row["currency"],
        total=row["total"],
        kwh=float(row["kwh"]),
        created_at=row["created_at"],
        bodies=dict(row["bodies"]),
    )
