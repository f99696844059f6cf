"""The PKI store on SQLite and PostgreSQL (a database of its own per test session): the CA,
issued certificates, revocation, the expiry query and each station's profile (an upsert)."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from forecourt.bootstrap import build_services
from forecourt.domain.errors import Conflict, InvalidInput
from forecourt.pki.domain.certificates import AuthorityRole, ProfileState
from forecourt.pki.keys import PKI
from forecourt.pki.ports import PKI_STORE
from forecourt.ports.station_certificates import Verdict
from forecourt.storage.database import Database
from tests.storage.conftest import (  # noqa: F401  (run on both databases)
    database,
    database_url,
    postgres_url,
    sqlite_template,
)
from tests.support.harness import OfflineGateway, SteppingClock

DEC = datetime(2026, 12, 7, 12, tzinfo=UTC)


async def test_the_pki_store_on_both_databases(database: Database) -> None:  # noqa: F811
    services = build_services(database, OfflineGateway(), clock=SteppingClock())
    pki = services.feature(PKI)
    roles = [a.role for a in await pki.authority.init("CPO")]
    assert roles == [AuthorityRole.ROOT, AuthorityRole.STATION_CA]
    with pytest.raises(Conflict):
        await pki.authority.init("CPO")  # once

    short = await pki.authority.issue_key_pair("CS-1", days=5)
    long = await pki.authority.issue_key_pair("CS-2", days=300)
    assert (await pki.authority.certificate(short.certificate.serial)) == short.certificate
    assert [c.serial for c in await pki.authority.certificates("CS-2")] == [long.certificate.serial]
    assert [c.station_id for c in await pki.renewal.due()] == ["CS-1"]

    revoked = await pki.authority.revoke(short.certificate.serial, "key compromise")
    assert (revoked.revocation_reason, revoked.revoked_at is not None) == ("key compromise", True)
    with pytest.raises(Conflict):
        await pki.authority.revoke(short.certificate.serial)
    assert await pki.renewal.due() == []  # a revoked certificate is not renewed
    assert revoked.not_after - revoked.issued_at == timedelta(days=5)  # dates kept exactly

    assert await pki.stations.profile("CS-1") == 1  # none stored
    assert await pki.stations.set_profile("CS-1", 2) == 2
    assert await pki.stations.set_profile("CS-1", 3) == 3  # the upsert updates the row
    with pytest.raises(InvalidInput):
        await pki.stations.set_profile("CS-1", 2)
    assert await pki.stations.set_profile("CS-1", 2, allow_downgrade=True) == 2
    assert await pki.stations.profile("CS-1") == 2

    async with (
        services.ctx.uow() as uow
    ):  # a switch to 3 sent and accepted (see test_profile_switch)
        await uow.repository(PKI_STORE).set_profile("CS-1", ProfileState(2, 3), DEC)
        await uow.commit()
    assert await pki.stations.profile_state("CS-1") == ProfileState(2, 3)
    admitted = await pki.stations.admit("CS-1", None, over_tls=True)  # a password: not yet
    assert admitted.verdict is Verdict.NOT_PRESENTED
    assert await pki.stations.profile_state("CS-1") == ProfileState(2, 3)
