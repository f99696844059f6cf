"""A node that wants to run one singleton: every 50 ms, if it holds the lease, it writes
"<pid> <wall clock>" to a file (test_leases.py kills it and watches another take over).

Run as ``python -m tests.cluster.lease_holder DSN LEASE_NAME OUT_FILE``.
"""

from __future__ import annotations

import asyncio
import os
import sys
import time
from typing import TextIO

from forecourt.cluster.leases import AdvisoryLeases


async def hold(dsn: str, name: str, runs: TextIO) -> None:
    lease = AdvisoryLeases(dsn)(name)
    while True:
        if await lease.held():
            runs.write(f"{os.getpid()} {time.time()}\n")
            runs.flush()
        await asyncio.sleep(0.05)


if __name__ == "__main__":
    with open(sys.argv[3], "a", encoding="utf-8") as out:
        asyncio.run(hold(sys.argv[1], sys.argv[2], out))
