"""Run every benchmark in turn (``make bench``); each prints its own table."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

HERE = Path(__file__).parent
BENCHMARKS = [
    "bench_flood.py",  # MeterValues flood: SQLite, PostgreSQL and the in-memory reference
    "bench_core.py",
    "bench_compat.py",
    "bench_reliability.py",
    "bench_cli.py",
    "bench_storm.py",
    "bench_rebalance.py",  # smart charging: a 200-EVSE site, time and profiles per change
]


def main() -> int:
    failed = 0
    for name in BENCHMARKS:
        path = HERE / name
        if not path.exists():
            continue
        print(f"\n=== {name} ===", flush=True)
        failed += subprocess.call([sys.executable, str(path)]) != 0
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
