"""``forecourt cluster status``: the nodes of a cluster, the stations each holds and how old
each node's lease is, asked of any node's REST API (docs/deploy.md).

Exit codes: 0 every node alive and no station orphaned, 1 otherwise (or single-node mode
answers), 2 bad usage."""

from __future__ import annotations

from typing import Any

import typer

from forecourt.cli import render
from forecourt.cli.device import server_options
from forecourt.cli.runtime import EXIT_FAILED, JsonFlag, console, print_json
from forecourt.cli.server_api import ApiServer

cluster_app = typer.Typer(help="Cluster mode: nodes, their stations, leases, event consumer lag.")
cluster_app.callback()(server_options)


@cluster_app.command("status")
def status(ctx: typer.Context, as_json: JsonFlag = False) -> None:
    """Nodes, the stations each holds, lease ages, event consumers: lag, events consumed,
    duplicates skipped (exit 1 if a node is down)."""
    server: ApiServer = ctx.obj
    answer: dict[str, Any] = server.call("GET", "/cluster").json()
    if as_json:
        print_json(answer)
    elif answer["mode"] != "cluster":
        console.print("single-node mode: FORECOURT_NATS_URL is not set on this server")
        _print_consumed(answer)
    else:
        _print(answer)
        _print_consumed(answer)
    healthy = answer["mode"] == "cluster" and all(n["alive"] for n in answer["nodes"])
    raise typer.Exit(0 if healthy and not answer["orphaned_stations"] else EXIT_FAILED)


def _print(answer: dict[str, Any]) -> None:
    nats = "connected" if answer["nats_connected"] else "NOT connected"
    console.print(f"asked node {answer['node_id']}; NATS {nats}; lease {answer['lease_s']:g} s")
    render.table(
        "Nodes",
        ["node", "alive", "lease age (s)", "up (s)", "stations"],
        [(n["node_id"], "yes" if n["alive"] else "NO", f"{n['lease_age_s']:.1f}",
          f"{n['up_for_s']:.0f}", n["station_count"]) for n in answer["nodes"]],
    )  # fmt: skip
    render.table(
        "Stations",
        ["station", "node", "protocol", "held for (s)"],
        [(s["station_id"], n["node_id"], s["protocol"], f"{s['held_for_s']:.0f}")
         for n in answer["nodes"] for s in n["stations"]],
    )  # fmt: skip
    render.table(
        f"Event consumers on {answer['node_id']}",
        ["consumer", "delivery", "active here", "lag (events)", "handled", "skipped"],
        [(c["name"], c["delivery"], "yes" if c["active"] else "no", c["lag"], c["handled"],
          c["skipped"]) for c in answer.get("consumers", [])],
    )  # fmt: skip
    if answer["orphaned_stations"]:
        console.print("held by a dead node: " + ", ".join(answer["orphaned_stations"]))


def _print_consumed(answer: dict[str, Any]) -> None:
    """What each durable consumer handled (all nodes, 7 days) and skipped (this node)."""
    if not answer.get("consumed"):
        return
    render.table(
        "Events consumed (all nodes, last 7 days)",
        ["consumer", "events", "duplicates skipped here", "last event"],
        [(c["consumer"], c["events"], c["skipped_here"], c["last_event_at"])
         for c in answer["consumed"]],
    )  # fmt: skip


def register(app: typer.Typer) -> None:
    app.add_typer(cluster_app, name="cluster")
