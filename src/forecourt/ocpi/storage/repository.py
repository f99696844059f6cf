"""OCPI's rows: parties and the push queue."""

from __future__ import annotations

from collections.abc import Mapping
from datetime import datetime
from typing import Any

from sqlalchemy import func, select

from forecourt.ocpi.domain.amenities import Amenities
from forecourt.ocpi.domain.parties import Party, PartyRef, PartyRole, PartyState, Role
from forecourt.ocpi.domain.versions import Version
from forecourt.ocpi.ports import PushJob
from forecourt.ocpi.storage.tables import parties, push_queue, site_amenities
from forecourt.storage.context import DbContext


class SqlOcpiRepository:
    def __init__(self, db: DbContext) -> None:
        self._db = db

    async def add_party(self, party: Party) -> Party:
        values = _party_values(party)
        result = await self._db.execute(parties.insert().values(**values))
        new_id = result.inserted_primary_key
        assert new_id is not None
        return _party({**values, "id": int(new_id[0])})

    async def save_party(self, party: Party) -> None:
        statement = parties.update().where(parties.c.id == party.id)
        await self._db.execute(statement.values(**_party_values(party)))

    async def party(self, party_id: int) -> Party | None:
        return await self._one(select(parties).where(parties.c.id == party_id))

    async def party_by_token(self, token: str) -> Party | None:
        return await self._one(select(parties).where(parties.c.token_in == token))

    async def parties(self) -> list[Party]:
        rows = (await self._db.execute(select(parties).order_by(parties.c.id))).mappings()
        return [_party(row) for row in rows]

    async def enqueue(self, job: PushJob) -> None:
        values = {
            "party_id": job.party_id,
            "method": job.method,
            "module": job.module,
            "path": job.path,
            "body": job.body,
            "due_at": job.due_at,
            "attempts": job.attempts,
            "last_error": job.last_error,
        }
        await self._db.execute(push_queue.insert().values(**values))

    async def due_jobs(self, now: datetime, limit: int) -> list[PushJob]:
        query = (
            select(push_queue)
            .where(push_queue.c.due_at <= now)
            .order_by(push_queue.c.id)
            .limit(limit)
        )
        return [_job(row) for row in (await self._db.execute(query)).mappings()]

    async def job_done(self, job_id: int) -> None:
        await self._db.execute(push_queue.delete().where(push_queue.c.id == job_id))

    async def job_failed(self, job_id: int, error: str, due_at: datetime) -> None:
        statement = push_queue.update().where(push_queue.c.id == job_id)
        values = {"attempts": push_queue.c.attempts + 1, "last_error": error, "due_at": due_at}
        await self._db.execute(statement.values(**values))

    async def failed_jobs(self, party_id: int | None = None) -> list[PushJob]:
        query = select(push_queue).where(push_queue.c.attempts > 0).order_by(push_queue.c.id)
        if party_id is not None:
            query = query.where(push_queue.c.party_id == party_id)
        return [_job(row) for row in (await self._db.execute(query)).mappings()]

    async def job_counts(self) -> dict[str, int]:
        query = select(push_queue.c.module, func.count().label("n")).group_by(push_queue.c.module)
        rows = (await self._db.execute(query)).mappings()
        return {str(row["module"]): int(row["n"]) for row in rows}

    async def amenities(self) -> dict[str, Amenities]:
        rows = (await self._db.execute(select(site_amenities))).mappings()
        return {row["site_id"]: Amenities.from_dict(row["body"]) for row in rows}

    async def save_amenities(self, site_id: str, amenities: Amenities, at: datetime) -> None:
        values = {"body": amenities.to_dict(), "updated_at": at}
        insert = self._db.insert(site_amenities).values(site_id=site_id, **values)
        upsert = insert.on_conflict_do_update(
            index_elements=[site_amenities.c.site_id], set_=values
        )
        await self._db.execute(upsert)

    async def _one(self, query: Any) -> Party | None:
        row = (await self._db.execute(query)).mappings().first()
        return None if row is None else _party(row)


def _party_values(party: Party) -> dict[str, Any]:
    return {
        "name": party.name,
        "state": party.state.value,
        "token_in": party.token_in,
        "token_out": party.token_out,
        "versions_url": party.versions_url,
        "version": party.version.value if party.version else None,
        "endpoints": dict(party.endpoints),
        "roles": [
            {"role": r.role.value, "cc": r.ref.country_code, "pid": r.ref.party_id, "name": r.name}
            for r in party.roles
        ],
        "hub_party_id": party.hub_party_id,
        "created_at": party.created_at,
        "last_sync_at": party.last_sync_at,
    }


def _party(row: Mapping[Any, Any]) -> Party:
    return Party(
        id=int(row["id"]),
        name=row["name"],
        state=PartyState(row["state"]),
        token_in=row["token_in"],
        token_out=row["token_out"],
        versions_url=row["versions_url"],
        version=Version(row["version"]) if row["version"] else None,
        endpoints=dict(row["endpoints"]),
        roles=tuple(
            PartyRole(Role(r["role"]), PartyRef(r["cc"], r["pid"]), r["name"]) for r in row["roles"]
        ),
        hub_party_id=row["hub_party_id"],
        created_at=row["created_at"],
        last_sync_at=row["last_sync_at"],
    )


def _job(row: Mapping[Any, Any]) -> PushJob:
    return PushJob(
        party_id=row["party_id"],
        method=row["method"],
        module=row["module"],
        path=row["path"],
        body=dict(row["body"]),
        due_at=row["due_at"],
        attempts=row["attempts"],
        last_error=row["last_error"],
        id=int(row["id"]),
    )
