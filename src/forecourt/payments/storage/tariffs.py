"""Tariffs: immutable revisions, where they apply, and the tariff pinned to each session."""

from __future__ import annotations

import builtins
from datetime import datetime
from typing import Any

from sqlalchemy import Row, and_, delete, func, select

from forecourt.payments.domain.costing import TariffChange
from forecourt.payments.domain.tariffs import Tariff
from forecourt.payments.ports import TariffBinding, TariffSchedule
from forecourt.payments.storage.tables import (
    driver_tariffs,
    session_tariffs,
    tariff_bindings,
    tariff_revisions,
)
from forecourt.storage.context import DbContext


class SqlTariffRepository:
    def __init__(self, db: DbContext) -> None:
        self._db = db

    async def add_revision(self, tariff: Tariff) -> Tariff:
        """Stores ``tariff`` as the next revision of its code (its effective_from is kept)."""
        if tariff.effective_from is None:
            raise ValueError("a tariff revision needs effective_from")
        latest = select(func.max(tariff_revisions.c.revision)).where(
            tariff_revisions.c.code == tariff.code
        )
        revision = int((await self._db.execute(latest)).scalar_one() or 0) + 1
        stored = Tariff.from_dict({**tariff.to_dict(), "revision": revision})
        async with self._db.guarded(f"tariff {tariff.code} revision {revision}"):
            await self._db.execute(
                tariff_revisions.insert().values(
                    code=tariff.code,
                    revision=revision,
                    effective_from=tariff.effective_from,
                    body=stored.to_dict(),
                )
            )
        return stored

    async def in_force(self, code: str, at: datetime) -> Tariff | None:
        """The revision in force at ``at``: the newest effective one (ties: highest revision)."""
        query = (
            select(tariff_revisions.c.body)
            .where(and_(tariff_revisions.c.code == code, tariff_revisions.c.effective_from <= at))
            .order_by(tariff_revisions.c.effective_from.desc(), tariff_revisions.c.revision.desc())
            .limit(1)
        )
        body = (await self._db.execute(query)).scalar_one_or_none()
        return None if body is None else Tariff.from_dict(body)

    async def revisions(self, code: str) -> builtins.list[Tariff]:
        query = (
            select(tariff_revisions.c.body)
            .where(tariff_revisions.c.code == code)
            .order_by(tariff_revisions.c.revision)
        )
        return [Tariff.from_dict(body) for body in (await self._db.execute(query)).scalars()]

    async def codes(self) -> builtins.list[str]:
        query = select(tariff_revisions.c.code).distinct().order_by(tariff_revisions.c.code)
        return list((await self._db.execute(query)).scalars())

    async def bind(self, binding: TariffBinding) -> TariffBinding:
        scope = scope_of(binding)
        values = {
            "scope": scope,
            "tariff_code": binding.tariff_code,
            "site_id": binding.site_id,
            "station_id": binding.station_id,
            "evse_id": binding.evse_id,
            "connector_type": binding.connector_type,
        }
        statement = self._db.insert(tariff_bindings).values(values)
        statement = statement.on_conflict_do_update(
            index_elements=["scope"], set_={"tariff_code": binding.tariff_code}
        )
        await self._db.execute(statement)
        query = select(tariff_bindings).where(tariff_bindings.c.scope == scope)
        return _binding_from_row((await self._db.execute(query)).one())

    async def unbind(self, binding_id: int) -> bool:
        statement = delete(tariff_bindings).where(tariff_bindings.c.id == binding_id)
        return bool((await self._db.execute(statement)).rowcount)

    async def bindings(self) -> builtins.list[TariffBinding]:
        query = select(tariff_bindings).order_by(tariff_bindings.c.id)
        return [_binding_from_row(row) for row in await self._db.execute(query)]

    async def pin(self, transaction_id: int, tariff: Tariff, at: datetime) -> bool:
        statement = (
            self._db.insert(session_tariffs)
            .values(
                transaction_id=transaction_id,
                tariff=tariff.to_dict(),
                pinned_at=at,
            )
            .on_conflict_do_nothing()
        )
        return bool((await self._db.execute(statement)).rowcount)

    async def pinned(self, transaction_id: int) -> Tariff | None:
        query = select(session_tariffs.c.tariff).where(
            session_tariffs.c.transaction_id == transaction_id
        )
        body = (await self._db.execute(query)).scalar_one_or_none()
        return None if body is None else Tariff.from_dict(body)

    async def schedule(self, transaction_id: int) -> TariffSchedule | None:
        query = select(session_tariffs.c.tariff, session_tariffs.c.changes).where(
            session_tariffs.c.transaction_id == transaction_id
        )
        row = (await self._db.execute(query)).one_or_none()
        if row is None:
            return None
        changes = tuple(
            TariffChange(datetime.fromisoformat(c["at"]), Tariff.from_dict(c["tariff"]))
            for c in row.changes or ()
        )
        return TariffSchedule(Tariff.from_dict(row.tariff), changes)

    async def add_change(self, transaction_id: int, change: TariffChange) -> bool:
        query = select(session_tariffs.c.changes).where(
            session_tariffs.c.transaction_id == transaction_id
        )
        current = (await self._db.execute(query)).scalar_one_or_none()
        if current is None:
            return False
        entry = {"at": change.at.isoformat(), "tariff": change.tariff.to_dict()}
        statement = (
            session_tariffs.update()
            .where(session_tariffs.c.transaction_id == transaction_id)
            .values(changes=[*current, entry])
        )
        return bool((await self._db.execute(statement)).rowcount)

    async def set_driver(self, id_token: str, code: str, at: datetime) -> None:
        statement = self._db.insert(driver_tariffs).values(
            id_token=id_token, tariff_code=code, set_at=at
        )
        statement = statement.on_conflict_do_update(
            index_elements=["id_token"], set_={"tariff_code": code, "set_at": at}
        )
        await self._db.execute(statement)

    async def clear_driver(self, id_token: str) -> bool:
        statement = delete(driver_tariffs).where(driver_tariffs.c.id_token == id_token)
        return bool((await self._db.execute(statement)).rowcount)

    async def driver(self, id_token: str) -> str | None:
        query = select(driver_tariffs.c.tariff_code).where(driver_tariffs.c.id_token == id_token)
        return (await self._db.execute(query)).scalar_one_or_none()

    async def drivers(self) -> builtins.list[tuple[str, str]]:
        query = select(driver_tariffs.c.id_token, driver_tariffs.c.tariff_code).order_by(
            driver_tariffs.c.id_token
        )
        return [(row.id_token, row.tariff_code) for row in await self._db.execute(query)]


def scope_of(binding: TariffBinding) -> str:
    parts = (binding.site_id, binding.station_id, binding.evse_id, binding.connector_type)
    return "|".join("" if part is None else str(part) for part in parts)


def _binding_from_row(row: Row[Any]) -> TariffBinding:
    return TariffBinding(
        tariff_code=row.tariff_code,
        site_id=row.site_id,
        station_id=row.station_id,
        evse_id=row.evse_id,
        connector_type=row.connector_type,
        id=row.id,
    )
