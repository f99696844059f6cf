"""CLI start-up: wall time of real ``forecourt`` invocations in fresh interpreters.

Target: ``--help``, ``--version`` and a group's ``--help`` under 0.3 s of CPU (they import no
web, database or plotting library, nor the services or pydantic; the medians of several runs,
CPU time because wall time on a shared machine measures the neighbours). Database commands
pay for SQLAlchemy, pydantic settings and the composition root.

    python benchmarks/bench_cli.py [--runs N]
"""

from __future__ import annotations

import argparse
import resource
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

TARGET_S = 0.3


def invocations(database_url: str) -> list[tuple[list[str], float | None]]:
    """(arguments, target seconds or None when only measured)."""
    return [
        (["--help"], TARGET_S),
        (["--version"], TARGET_S),
        (["stations", "--help"], TARGET_S),
        (["tokens", "--help"], TARGET_S),
        (["payments", "--help"], TARGET_S),
        (["compat", "--help"], TARGET_S),
        (["uptime", "--help"], TARGET_S),
        (["--database-url", database_url, "stations", "list"], None),
        (["compat", "vehicles"], None),
    ]


def timed(args: list[str], runs: int) -> tuple[list[float], list[float]]:
    """Wall and CPU (user + system) seconds per run: CPU time holds still on a busy machine."""
    walls, cpus = [], []
    for _ in range(runs):
        before = resource.getrusage(resource.RUSAGE_CHILDREN)
        start = time.perf_counter()
        subprocess.run(
            [sys.executable, "-m", "forecourt.cli.main", *args],
            check=True,
            capture_output=True,
            timeout=120,
        )
        walls.append(time.perf_counter() - start)
        after = resource.getrusage(resource.RUSAGE_CHILDREN)
        cpus.append(after.ru_utime + after.ru_stime - before.ru_utime - before.ru_stime)
    return walls, cpus


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--runs", type=int, default=5)
    runs = parser.parse_args().runs
    with tempfile.TemporaryDirectory() as tmp:
        url = f"sqlite:///{Path(tmp) / 'bench.db'}"
        timed(["--database-url", url, "migrate"], 1)
        print(f"{'command':<44} {'wall s':>7} {'cpu s':>7} {'target':>7}")
        slow = 0
        for args, target in invocations(url):
            walls, cpus = timed(args, runs)
            shown = " ".join("URL" if a == url else a for a in args)
            cpu = statistics.median(cpus)
            verdict = "-" if target is None else ("ok" if cpu < target else "SLOW")
            slow += verdict == "SLOW"
            wall = statistics.median(walls)
            print(f"forecourt {shown:<34} {wall:7.3f} {cpu:7.3f} {verdict:>7}")
    return 1 if slow else 0


if __name__ == "__main__":
    sys.exit(main())
