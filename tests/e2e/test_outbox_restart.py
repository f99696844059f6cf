"""The outbox drill on a served process (ADR 0012): a StartTransaction killed (SIGKILL) between
its commit and any delivery; the next `forecourt serve` delivers the event at start, once, and
says so in /metrics."""

from __future__ import annotations

import asyncio
import sqlite3
import sys
from pathlib import Path

import httpx

from tests.support.process import start_server_process

ROOT = Path(__file__).resolve().parents[2]


def outbox_rows(path: Path) -> int:
    with sqlite3.connect(path) as db:
        return int(db.execute("SELECT count(*) FROM event_outbox").fetchone()[0])


async def scrape(url: str) -> str:
    async with httpx.AsyncClient(base_url=url) as http:
        return (await http.get("/metrics")).text


async def scrape_until(url: str, line: str, timeout: float = 20.0) -> str:
    deadline = asyncio.get_running_loop().time() + timeout
    while line not in (metrics := await scrape(url)):
        assert asyncio.get_running_loop().time() < deadline, metrics
        await asyncio.sleep(0.1)
    return metrics


async def test_a_served_process_delivers_what_a_crash_left_in_the_outbox(tmp_path: Path) -> None:
    path = tmp_path / "forecourt.db"
    url = f"sqlite:///{path}"
    crashed = await asyncio.create_subprocess_exec(
        sys.executable, "-m", "tests.storage.outbox_crash", url, cwd=ROOT
    )
    assert await asyncio.wait_for(crashed.wait(), 120) == -9
    assert outbox_rows(path) == 1

    for run in range(2):  # the restart, and one more: the event is not delivered again
        server = await start_server_process(tmp_path, {"FORECOURT_DATABASE_URL": url})
        delivered = f"forecourt_outbox_delivered_events_total {1 - run}.0"
        try:  # recovery runs in the background, after start
            metrics = await scrape_until(server.http_url, delivered)
            await asyncio.sleep(0.5)  # and nothing more comes
            metrics = await scrape(server.http_url)
        finally:
            server.kill()
        assert delivered in metrics
        assert "forecourt_outbox_pending_events 0.0" in metrics
    assert outbox_rows(path) == 0
