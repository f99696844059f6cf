"""Cluster mode on one machine: 1, 2 and 3 `forecourt serve` nodes on one PostgreSQL database
and the machine's NATS, against one node without NATS (single-node mode, same database).

    python benchmarks/bench_cluster.py [--seconds 10] [--stations 60] [--nats nats://127.0.0.1:4222]

Stations are split evenly over the nodes (as a load balancer would) and flood MeterValues
(``flood_load.py``: one CALL in flight each). Reported per row: total messages per second,
latency, each node's CPU share and CPU per message. This machine has 2 cores shared by the
load generator, PostgreSQL, NATS and every node: it cannot show scale-out, only what cluster
mode costs per message and per node. The capacity model is in docs/deploy.md.
"""

from __future__ import annotations

import argparse
import asyncio
import os
import secrets
import sys
import time
from dataclasses import dataclass

from bench_core import Server, cpu_seconds, free_port_base, raise_fd_limit
from bench_flood import forecourt_cli, fresh_pg_database, stored_samples
from flood_load import FloodResult, flood


@dataclass
class Row:
    label: str
    nodes: int
    results: list[FloodResult]
    cpu_shares: list[float]  # per node, share of one core during the flood
    cpu_ms_per_msg: list[float]  # per node
    stored: int

    def cells(self) -> list[str]:
        acked = sum(r.acknowledged for r in self.results)
        rate = sum(r.calls_per_s for r in self.results)
        p99 = max(r.p99_ms for r in self.results)
        p50 = sum(r.p50_ms for r in self.results) / len(self.results)
        return [
            self.label,
            str(self.nodes),
            f"{rate:,.0f}",
            f"{p50:.1f} / {p99:.1f}",
            " ".join(f"{c:.0%}" for c in self.cpu_shares),
            " ".join(f"{c:.2f}" for c in self.cpu_ms_per_msg),
            f"{self.stored:,}/{acked:,}",
        ]


async def run(label: str, nodes: int, url: str, args: argparse.Namespace, cluster: bool) -> Row:
    name = f"bench{secrets.token_hex(4)}"
    settings = {"nats_url": args.nats, "cluster_name": name} if cluster else {}
    base = free_port_base()
    servers = [Server(base + n, url, node_id=f"bench-{n + 1}", **settings) for n in range(nodes)]
    try:
        for server in servers:
            await asyncio.to_thread(server.wait_ready)
        prefix = f"CL{secrets.token_hex(2)}"
        before = [cpu_seconds(s.pid) for s in servers]
        started = time.perf_counter()
        share = args.stations // nodes
        results = await asyncio.gather(
            *(
                flood(f"ws://127.0.0.1:{s.port}/ocpp", "1.6", share, args.seconds, f"{prefix}{n}")
                for n, s in enumerate(servers)
            )
        )
        elapsed = time.perf_counter() - started
        used = [cpu_seconds(s.pid) - b for s, b in zip(servers, before, strict=True)]
    finally:
        for server in servers:
            server.stop()
    stored = await stored_samples(url, f"{prefix}%")
    per_msg = [1000 * u / max(1, r.acknowledged) for u, r in zip(used, results, strict=True)]
    return Row(label, nodes, list(results), [u / elapsed for u in used], per_msg, stored)


async def run_all(args: argparse.Namespace) -> list[Row]:
    rows = []
    async with fresh_pg_database(args.pg_url, []) as url:
        forecourt_cli(url, "migrate")
        forecourt_cli(url, "tokens", "add", "BENCHFLOOD01")
        plan = [("single-node (no NATS)", 1, False)]
        plan += [(f"cluster, {n} node{'s' if n > 1 else ''}", n, True) for n in (1, 2, 3)]
        for label, nodes, cluster in plan:
            print(f"flooding: {label} ...", file=sys.stderr, flush=True)
            rows.append(await run(label, nodes, url, args, cluster))
    return rows


def print_table(rows: list[Row], args: argparse.Namespace, load: float) -> None:
    header = ["mode", "nodes", "msg/s (all)", "p50 / p99 ms", "CPU per node",
              "CPU ms/msg per node", "stored/acked"]  # fmt: skip
    lines = [header] + [r.cells() for r in rows]
    widths = [max(len(line[i]) for line in lines) for i in range(len(header))]
    print(
        f"\nCluster mode ({os.cpu_count()} cores, load average {load:.1f} at start;"
        f" {args.stations} stations flooding MeterValues 1.6 for {args.seconds:g} s,"
        " split evenly over the nodes; PostgreSQL and NATS on the same machine)\n"
    )
    for i, line in enumerate(lines):
        print("| " + " | ".join(c.ljust(w) for c, w in zip(line, widths, strict=True)) + " |")
        if i == 0:
            print("|" + "|".join("-" * (w + 2) for w in widths) + "|")
    print(
        "\n2 cores cannot show scale-out: every node, PostgreSQL, NATS and the load generator"
        " share them, so total msg/s stays flat or falls as nodes are added. What the table"
        " shows is the cost: CPU per message per node, cluster mode against single-node."
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--seconds", type=float, default=10.0)
    parser.add_argument("--stations", type=int, default=60)
    parser.add_argument(
        "--nats", default=os.environ.get("FORECOURT_NATS_URL", "nats://127.0.0.1:4222")
    )
    parser.add_argument("--pg-url", default="postgresql://postgres@127.0.0.1:5432/postgres")
    args = parser.parse_args()
    raise_fd_limit()
    load = os.getloadavg()[0]
    rows = asyncio.run(run_all(args))
    print_table(rows, args, load)


if __name__ == "__main__":
    main()
