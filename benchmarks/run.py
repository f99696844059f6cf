"""Run every benchmark in turn (``make bench``); each prints its own table.

``bench_targets.py`` comes first: issue 12's targets in one table (the flood, realistic
sessions, idle memory and storms, each beside the in-memory reference). ``QUICK=1`` runs only
that one, shortened (``make bench QUICK=1``).
"""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

HERE = Path(__file__).parent
TARGETS = "bench_targets.py"  # runs bench_flood's and bench_storm's scenarios itself
BENCHMARKS = [
    TARGETS,
    "bench_core.py",
    "bench_compat.py",
    "compat_accuracy.py",  # charge-time error against the fit and the validation set
    "bench_reliability.py",
    "bench_cli.py",
    "bench_rebalance.py",  # smart charging: a 200-EVSE site, time and profiles per change
    "bench_cluster.py",  # cluster mode: 1, 2, 3 nodes on PostgreSQL + NATS
]


def main() -> int:
    quick = os.environ.get("QUICK", "") not in ("", "0")
    failed = 0
    for name in [TARGETS] if quick else BENCHMARKS:
        path = HERE / name
        if not path.exists():
            continue
        print(f"\n=== {name} ===", flush=True)
        failed += subprocess.call([sys.executable, str(path)]) != 0
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
