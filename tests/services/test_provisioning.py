"""Admission and boot decisions of the provisioning service on a real SQLite database: the
cases the OCPP scenarios do not reach (a policy that demands passwords, two connections of one
new station racing, a boot from a station that is no longer stored)."""

from __future__ import annotations

import asyncio
from pathlib import Path

from forecourt.domain.stations import BootInfo, RegistrationPolicy, RegistrationStatus
from forecourt.services.context import Policy
from tests.support.harness import make_services


async def test_a_stored_station_without_password_is_refused_when_the_policy_demands_one(
    tmp_path: Path,
) -> None:
    services, database = await make_services(tmp_path, policy=Policy(require_station_password=True))
    try:
        await services.network.add_station("CS-OPEN")
        await services.network.add_station("CS-LOCKED", password="s3cret-pass")

        open_station = await services.core.provisioning.admit("CS-OPEN", None)
        locked = await services.core.provisioning.admit("CS-LOCKED", "s3cret-pass")
    finally:
        await database.dispose()

    assert not open_station.allowed
    assert "requires one" in open_station.reason
    assert not open_station.bad_password  # nothing to throttle: the station cannot fix it
    assert locked.allowed


async def test_two_connections_of_one_new_station_register_it_once(tmp_path: Path) -> None:
    policy = Policy(registration=RegistrationPolicy.AUTO)
    services, database = await make_services(tmp_path, policy=policy)
    try:
        # Each hashes its password off the event loop, so both find no station before either
        # stores one: the second insert meets the first one's row.
        first, second = await asyncio.gather(
            services.core.provisioning.admit("CS-NEW", "first-password"),
            services.core.provisioning.admit("CS-NEW", "second-password"),
        )
        stored = await services.network.stations()
    finally:
        await database.dispose()

    assert first.allowed
    assert second.allowed
    assert first.registration is second.registration is RegistrationStatus.ACCEPTED
    assert [station.id for station in stored] == ["CS-NEW"]


async def test_a_boot_from_a_station_no_longer_stored_is_rejected_and_stores_nothing(
    tmp_path: Path,
) -> None:
    policy = Policy(pending_retry_interval_s=45)
    services, database = await make_services(tmp_path, policy=policy)
    try:
        decision = await services.core.provisioning.boot("CS-GONE", BootInfo("Vendor", "Model"))
        stored = await services.network.stations()
    finally:
        await database.dispose()

    assert decision.status is RegistrationStatus.REJECTED
    assert decision.interval_s == 45
    assert stored == []
