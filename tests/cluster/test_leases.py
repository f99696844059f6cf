"""Singletons (ADR 0012): one node alone always holds every lease; in a cluster a PostgreSQL
advisory lock lets exactly one node run a singleton, and a node killed outright (kill -9)
hands it over to another within a pass."""

from __future__ import annotations

import asyncio
import os
import secrets
import signal
import sys
from pathlib import Path

from forecourt.cluster.leases import AdvisoryLeases, asyncpg_dsn
from forecourt.ports.leases import single_node
from tests.support.waiting import until

ROOT = Path(__file__).resolve().parents[2]
PG_URL = os.environ.get("FORECOURT_TEST_PG_URL", "postgresql://postgres@127.0.0.1:5432/postgres")
DSN = asyncpg_dsn(PG_URL)


def runs(path: Path) -> list[tuple[int, float]]:
    if not path.exists():
        return []
    lines = path.read_text(encoding="utf-8").splitlines()
    return [(int(pid), float(at)) for pid, at in (line.split() for line in lines if line)]


async def test_one_node_always_holds_every_lease() -> None:
    assert await single_node("payments.recovery").held()
    assert await single_node("firmware.campaigns").held()


async def test_a_lease_is_held_by_one_session_until_released() -> None:
    name = f"test.{secrets.token_hex(4)}"
    first, second = AdvisoryLeases(DSN), AdvisoryLeases(DSN)
    try:
        assert await first(name).held()
        assert not await second(name).held()
        assert await first(name).held()  # still ours on the next pass
        assert await second(f"{name}.other").held()  # other singletons are independent
        await first(name).release()
        assert await second(name).held()
        assert not await first(name).held()
    finally:
        await first.close()
        await second.close()


async def test_the_other_node_takes_over_when_the_holder_is_killed(tmp_path: Path) -> None:
    name, out = f"test.{secrets.token_hex(4)}", tmp_path / "runs.txt"

    async def node() -> asyncio.subprocess.Process:
        return await asyncio.create_subprocess_exec(
            sys.executable, "-m", "tests.cluster.lease_holder", DSN, name, str(out), cwd=ROOT
        )

    a = await node()
    await until(lambda: len(runs(out)) >= 3)
    b = await node()
    try:
        await asyncio.sleep(1.0)  # b has tried about 20 times
        assert {pid for pid, _ in runs(out)} == {a.pid}
        a.send_signal(signal.SIGKILL)
        await a.wait()
        killed_at = max(at for pid, at in runs(out) if pid == a.pid)
        await until(lambda: any(pid == b.pid for pid, _ in runs(out)))
    finally:
        for process in (a, b):
            if process.returncode is None:
                process.send_signal(signal.SIGKILL)
                await process.wait()
    taken_at = min(at for pid, at in runs(out) if pid == b.pid)
    assert taken_at > killed_at  # never both at once
    assert taken_at - killed_at < 5.0
