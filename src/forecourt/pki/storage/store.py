"""The PKI slice's repository over its tables."""

from __future__ import annotations

import builtins
import dataclasses
from datetime import datetime

from sqlalchemy import Row, select, update

from forecourt.pki.domain.certificates import (
    Authority,
    AuthorityRole,
    IssuedCertificate,
    ProfileState,
)
from forecourt.pki.storage.tables import pki_authorities, pki_certificates, pki_station_profiles
from forecourt.storage.context import DbContext


class SqlPkiRepository:
    def __init__(self, db: DbContext) -> None:
        self._db = db

    async def authority(self, role: AuthorityRole) -> Authority | None:
        query = select(pki_authorities).where(pki_authorities.c.role == role.value)
        row = (await self._db.execute(query)).first()
        return None if row is None else Authority(**row._mapping)

    async def authorities(self) -> builtins.list[Authority]:
        rows = await self._db.execute(select(pki_authorities).order_by(pki_authorities.c.role))
        return [Authority(**row._mapping) for row in rows]

    async def add_authority(self, authority: Authority) -> None:
        await self._db.execute(pki_authorities.insert().values(dataclasses.asdict(authority)))

    async def add_certificate(self, certificate: IssuedCertificate) -> None:
        await self._db.execute(pki_certificates.insert().values(dataclasses.asdict(certificate)))

    async def certificate(self, serial: str) -> IssuedCertificate | None:
        query = select(pki_certificates).where(pki_certificates.c.serial == serial)
        row = (await self._db.execute(query)).first()
        return None if row is None else _certificate(row)

    async def certificates(self, station_id: str | None = None) -> builtins.list[IssuedCertificate]:
        query = select(pki_certificates).order_by(pki_certificates.c.issued_at.desc())
        if station_id is not None:
            query = query.where(pki_certificates.c.station_id == station_id)
        return [_certificate(row) for row in await self._db.execute(query)]

    async def expiring(self, before: datetime) -> builtins.list[IssuedCertificate]:
        query = (
            select(pki_certificates)
            .where(pki_certificates.c.not_after <= before)
            .where(pki_certificates.c.revoked_at.is_(None))
            .order_by(pki_certificates.c.not_after)
        )
        return [_certificate(row) for row in await self._db.execute(query)]

    async def revoke(self, serial: str, at: datetime, reason: str) -> bool:
        statement = (
            update(pki_certificates)
            .where(pki_certificates.c.serial == serial)
            .where(pki_certificates.c.revoked_at.is_(None))
            .values(revoked_at=at, revocation_reason=reason)
        )
        return bool((await self._db.execute(statement)).rowcount)

    async def profile(self, station_id: str) -> ProfileState | None:
        columns = pki_station_profiles.c
        query = select(columns.security_profile, columns.target_profile).where(
            columns.station_id == station_id
        )
        row = (await self._db.execute(query)).first()
        if row is None:
            return None
        target = row._mapping["target_profile"]
        return ProfileState(int(row._mapping["security_profile"]), target)

    async def set_profile(self, station_id: str, state: ProfileState, at: datetime) -> None:
        changes = {
            "security_profile": state.profile,
            "target_profile": state.target,
            "updated_at": at,
        }
        statement = (
            self._db.insert(pki_station_profiles)
            .values(station_id=station_id, **changes)
            .on_conflict_do_update(index_elements=[pki_station_profiles.c.station_id], set_=changes)
        )
        await self._db.execute(statement)


def _certificate(row: Row[tuple[object, ...]]) -> IssuedCertificate:
    return IssuedCertificate(**row._mapping)
