"""The cluster page in a real browser: two nodes on one PostgreSQL database and the
machine's NATS; a station connected to node A; an operator signed in on node B sees both
nodes alive, the station held by A and B's event consumers."""

from __future__ import annotations

import secrets
from pathlib import Path

import pytest
from playwright.async_api import Browser, expect

from forecourt.services.access import Role
from tests.support.cluster import (
    MACHINE_NATS,
    cluster_settings,
    delete_buckets,
    fresh_postgres,
    two_nodes,
)
from tests.web.conftest import screenshot, sign_in, station_factory, stop_all, watch_errors

pytestmark = [pytest.mark.browser, pytest.mark.postgres, pytest.mark.asyncio(loop_scope="session")]

PASSWORD = "correct horse battery"
STATION = "CLUSTER-WEB-1"


async def test_cluster_page_shows_nodes_and_their_stations(
    browser: Browser, tmp_path: Path
) -> None:
    name = f"w{secrets.token_hex(6)}"
    async with fresh_postgres() as database_url:
        settings = cluster_settings(database_url, MACHINE_NATS, name)
        try:
            async with two_nodes(tmp_path, settings) as (a, b):
                await a.forecourt.services.network.add_station(STATION)
                await a.forecourt.services.users.create("viewer", PASSWORD, Role.VIEWER)
                started = []
                station = station_factory(a, started)(STATION, "2.0.1")
                await station.start()
                try:
                    await station.wait_ready(30)
                    page = await sign_in(browser, b, "viewer", PASSWORD)
                    errors = watch_errors(page)
                    await page.get_by_role("link", name="Cluster", exact=True).click()
                    await page.wait_for_url("**/dashboard/cluster")
                    await expect(page.locator('tr[data-node="node-a"]')).to_have_attribute(
                        "data-alive", "true"
                    )
                    await expect(page.locator('tr[data-node="node-b"]')).to_have_attribute(
                        "data-alive", "true"
                    )
                    row = page.locator(f'tr[data-station="{STATION}"]')
                    await expect(row).to_contain_text("node-a")
                    live_feed = page.locator('tr[data-consumer="LiveFeed__on_event-all"]')
                    await expect(live_feed).to_contain_text("every_node")  # B's own consumers
                    await screenshot(page, "cluster-page")
                    await page.context.close()
                finally:
                    await stop_all(started)
        finally:
            await delete_buckets(MACHINE_NATS, name)
    assert errors == []
