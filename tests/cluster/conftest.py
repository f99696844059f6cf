"""Cluster fixtures: each test has its own PostgreSQL database and its own cluster name."""

from __future__ import annotations

import secrets
from collections.abc import AsyncIterator
from typing import Any

import pytest

from tests.support.cluster import MACHINE_NATS, cluster_settings, delete_buckets, fresh_postgres


@pytest.fixture
async def postgres() -> AsyncIterator[str]:
    async with fresh_postgres() as url:
        yield url


@pytest.fixture
async def cluster(postgres: str) -> AsyncIterator[dict[str, Any]]:
    """Settings shared by every node of one test's cluster (on the machine's NATS)."""
    name = f"t{secrets.token_hex(6)}"
    try:
        yield cluster_settings(postgres, MACHINE_NATS, name)
    finally:
        await delete_buckets(MACHINE_NATS, name)
