"""Summarise a ``py-spy record --format raw`` profile: where the server's samples went.

    py-spy record --pid PID --duration 15 --rate 200 --idle --format raw -o flood.raw
    python benchmarks/profile_summary.py flood.raw [--top 25]

Prints the share of samples spent waiting (the event loop's ``select``), the top functions
by inclusive share (a function counted once per sample however deep it recurses), and by
self share (the leaf frame). SQLAlchemy runs each statement in a greenlet, which py-spy shows
as a stack of its own: statement time counts under "SQLAlchemy execute", not under the
service or subscriber that issued it.
"""

from __future__ import annotations

import argparse
import re
from collections import Counter
from pathlib import Path

IDLE_LEAVES = ("select (selectors.py", "poll (selectors.py", "run_once (uvloop")
#: Frames every sample of the event loop has: left out of the inclusive list.
PLUMBING = ("(<frozen runpy>)", "(forecourt/cli/main.py)", "(forecourt/cli/serve.py)",
            "(asyncio/runners.py)", "(asyncio/base_events.py)", "(asyncio/events.py)",
            "(typer/core.py)", "(typer/main.py)", "(typer/_click/core.py)")  # fmt: skip
GROUPS = {  # inclusive share of these, whatever calls them
    "SQLAlchemy execute": "execute (sqlalchemy/",
    "COMMIT (SQLite: the fsync)": "commit (sqlalchemy/",
    "group commit bookkeeping": "forecourt/storage/group_commit.py",
    "OCPP session + handlers": "forecourt/ocpp/",
    "services (transactions)": "forecourt/services/transactions.py",
    "uvicorn / websockets protocol": "uvicorn/",
    "payments subscriber": "forecourt/services/payments/",
    "reliability": "/reliability/",
    "websocket send": "send (websockets/",
    "OCPP validation": "fastjsonschema",
    "logging": "logging/__init__.py",
    "metrics": "prometheus_client/",
}


def parse(path: Path) -> list[tuple[list[str], int]]:
    stacks = []
    for line in path.read_text().splitlines():
        head, _, count = line.rpartition(" ")
        if count.isdigit():  # an empty head: a sample with no Python frame (native, idle)
            frames = [_short(f) for f in head.split(";")]
            stacks.append((frames, int(count)))
    return stacks


def _idle(frames: list[str]) -> bool:
    """Waiting in the event loop's poll, or outside Python altogether."""
    return not frames or frames[-1] == "" or frames[-1].startswith(IDLE_LEAVES)


def _short(frame: str) -> str:
    # "commit (sqlalchemy/ext/asyncio/engine.py:467)" -> keep the function and the file
    return re.sub(r":\d+\)$", ")", frame.replace("site-packages/", ""))


def main() -> None:
    parser = argparse.ArgumentParser(description=(__doc__ or "").splitlines()[0])
    parser.add_argument("raw", type=Path)
    parser.add_argument("--top", type=int, default=25)
    args = parser.parse_args()
    stacks = parse(args.raw)
    total = sum(count for _, count in stacks)
    idle = sum(c for frames, c in stacks if _idle(frames))
    busy = total - idle
    inclusive: Counter[str] = Counter()
    leaf: Counter[str] = Counter()
    groups: Counter[str] = Counter()
    for frames, count in stacks:
        if _idle(frames):
            continue
        leaf[frames[-1]] += count
        for frame in set(frames):
            if not frame.endswith(PLUMBING):
                inclusive[frame] += count
        joined = ";".join(frames)
        for name, needle in GROUPS.items():
            if needle in joined:
                groups[name] += count
    print(f"{total} samples: {idle / total:.0%} waiting (event loop poll, or no Python frame),"
          f" {busy / total:.0%} running Python")  # fmt: skip
    print("\nshare of busy samples, by area (inclusive):")
    for name, count in groups.most_common():
        print(f"  {count / busy:6.1%}  {name}")
    print(f"\ntop {args.top} functions, inclusive share of busy samples:")
    for frame, count in inclusive.most_common(args.top):
        print(f"  {count / busy:6.1%}  {frame}")
    print(f"\ntop {args.top} functions, self share of busy samples:")
    for frame, count in leaf.most_common(args.top):
        print(f"  {count / busy:6.1%}  {frame}")


if __name__ == "__main__":
    main()
