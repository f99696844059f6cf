"""The payment flows on a real PostgreSQL database: the same end-to-end tests as on SQLite
(imported below, run here with a PostgreSQL-backed server), plus a kill -9 drill.

Row locks (``get_for_update``), the outbox and recovery take different code paths on
PostgreSQL (no single-writer gate), so money correctness is checked there too.
"""

from __future__ import annotations

from collections.abc import AsyncIterator
from pathlib import Path

import httpx
import pytest

from forecourt.bootstrap import open_database
from forecourt.features import load_tables
from forecourt.storage.tables import metadata
from tests.payments import test_crash_kill9 as kill9
from tests.payments.conftest import prepare_network
from tests.payments.test_e2e_dispenser import (
    test_card_at_dispenser_captures_the_exact_amount_once as test_pg_card_at_dispenser,
)
from tests.payments.test_e2e_meter_plausibility import (
    test_16_non_finite_values_refused_or_quarantined_and_the_card_captured_once as test_pg_16,
)
from tests.payments.test_e2e_meter_plausibility import (
    test_201_overflowing_values_quarantined_and_the_transaction_ends as test_pg_201,
)
from tests.payments.test_e2e_meter_plausibility import (
    test_a_payment_that_cannot_settle_is_escalated_and_the_sweep_goes_on as test_pg_escalation,
)
from tests.storage.conftest import postgres_url
from tests.support.server import RunningServer, running_server

load_tables()  # clean-ups and schema comparisons need every feature's tables

pytestmark = [pytest.mark.asyncio, pytest.mark.postgres]

__all__ = [
    "postgres_url",
    "test_pg_16",
    "test_pg_201",
    "test_pg_card_at_dispenser",
    "test_pg_escalation",
]


async def empty(url: str) -> None:
    """One database per test session: each test starts from empty tables."""
    database = open_database(url)
    try:
        async with database.engine.begin() as connection:
            for table in reversed(metadata.sorted_tables):
                await connection.execute(table.delete())
    finally:
        await database.dispose()


@pytest.fixture
async def server(tmp_path: Path, postgres_url: str) -> AsyncIterator[RunningServer]:
    """The payments rig's server (tests/payments/conftest.py), on PostgreSQL."""
    await empty(postgres_url)
    settings = {
        "database_url": postgres_url,
        "call_timeout": 3.0,
        "payments_sweep_interval": 0.3,
        "payments_running_cost_interval": 0.5,
        "test_provider_state_file": tmp_path / "provider.json",
    }
    async with running_server(tmp_path, **settings) as running:
        assert running.forecourt.database.dialect == "postgresql"
        await prepare_network(running.forecourt.services, "PAY-16", "PAY-201")
        yield running


@pytest.fixture
async def http(server: RunningServer) -> AsyncIterator[httpx.AsyncClient]:
    async with httpx.AsyncClient(base_url=server.http_url, timeout=60) as client:
        yield client


async def test_pg_kill9_with_the_capture_in_flight_captures_once(
    tmp_path: Path, postgres_url: str
) -> None:
    await empty(postgres_url)
    await kill9.card_flow_drill(tmp_path, "capture_in_flight", database_url=postgres_url)
