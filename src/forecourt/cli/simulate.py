"""``forecourt simulate``: run simulated stations against a CSMS.

forecourt simulate --stations 5 --protocol mixed --duration 120
forecourt simulate --load --stations 500 --rate 2 --duration 30
forecourt simulate --protocol 2.1 --card-terminal --card-declines 0.1
"""

from __future__ import annotations

import asyncio
import contextlib
from pathlib import Path
from typing import Annotated

import typer
from rich.console import Console
from rich.live import Live
from rich.table import Table

from forecourt.simulator.fleet import Fleet, FleetConfig, FleetProtocol
from forecourt.simulator.load import LatencyStats, LoadConfig, run_load
from forecourt.simulator.station import SimulatedStation

PROTOCOLS: tuple[FleetProtocol, ...] = ("1.6", "2.0.1", "2.1", "mixed")
console = Console(highlight=False, markup=False)  # stdout: what pipes and log files read
screen = Console(stderr=True)  # the live table, drawn only on a terminal


def simulate(
    stations: Annotated[int, typer.Option(help="Number of simulated stations.")] = 3,
    protocol: Annotated[
        str, typer.Option(help="OCPP version: 1.6, 2.0.1, 2.1 or mixed (1.6 and 2.0.1).")
    ] = "1.6",
    url: Annotated[
        str,
        typer.Option(
            help="CSMS base URL; stations append /{id}. A comma list names several nodes:"
            " each station fails over to the next when its connection fails or drops."
        ),
    ] = ("ws://127.0.0.1:9000/ocpp"),
    password: Annotated[
        str | None, typer.Option(help="HTTP Basic auth password (same for every station).")
    ] = None,
    prefix: Annotated[str, typer.Option(help="Station id prefix: PREFIX-001, ...")] = "SIM",
    duration: Annotated[
        float | None, typer.Option(help="Seconds to run; default until Ctrl-C.")
    ] = None,
    speed: Annotated[
        float,
        typer.Option(help="Charging time acceleration (1 = real time; faster is a load test)."),
    ] = 1.0,
    meter_interval: Annotated[float, typer.Option(help="Seconds between meter values.")] = 10.0,
    mean_idle: Annotated[
        float, typer.Option(help="Mean seconds between sessions per EVSE.")
    ] = 30.0,
    chademo: Annotated[bool, typer.Option(help="Give every third station a CHAdeMO EVSE.")] = False,
    seed: Annotated[int | None, typer.Option(help="Random seed for a repeatable run.")] = None,
    load: Annotated[
        bool, typer.Option(help="Benchmark mode: Heartbeat + MeterValues only.")
    ] = False,
    rate: Annotated[float, typer.Option(help="Load mode: calls per second per station.")] = 1.0,
    log: Annotated[bool, typer.Option(help="Print event lines instead of a live table.")] = False,
    card_terminal: Annotated[
        bool,
        typer.Option(
            help="2.1 only: drivers pay at the dispenser's card terminal (DirectPayment "
            "token, NotifySettlement at the end) instead of an RFID card."
        ),
    ] = False,
    card_declines: Annotated[
        float, typer.Option(help="With --card-terminal: share of cards declined (0-1).")
    ] = 0.0,
    signed_meter: Annotated[
        bool,
        typer.Option(
            help="2.0.1/2.1 stations: the meter signs each transaction's start and end reading"
            " (signedMeterValue, OCMF layout, simulated signature)."
        ),
    ] = False,
    client_cert_dir: Annotated[
        Path | None,
        typer.Option(
            exists=True,
            file_okay=False,
            help="Security profile 3: ID.pem and ID.key per station (`forecourt pki issue"
            " ID --out DIR`); renewed certificates replace them.",
        ),
    ] = None,
    ca_file: Annotated[
        Path | None,
        typer.Option(exists=True, dir_okay=False, help="CA file trusted for a wss:// CSMS."),
    ] = None,
) -> None:
    """Simulated charging stations speaking real OCPP-J to a CSMS."""
    fleet_protocol = _check(stations, protocol, url, speed, meter_interval, rate)
    _check_terminal(fleet_protocol, card_terminal, card_declines)
    if load:
        if fleet_protocol == "mixed":
            raise typer.BadParameter(
                "load mode needs one version, 1.6, 2.0.1 or 2.1", param_hint="--protocol"
            )
        config = LoadConfig(stations, fleet_protocol, url, password, prefix, rate, duration or 10.0)
        stats = asyncio.run(run_load(config))
        console.print(stats_table(stats))
        return
    fleet_config = FleetConfig(
        stations=stations,
        protocol=fleet_protocol,
        url=url,
        password=password,
        prefix=prefix,
        speed=speed,
        meter_interval_s=meter_interval,
        mean_idle_s=mean_idle,
        include_chademo=chademo,
        duration_s=duration,
        seed=seed,
        card_terminal=card_terminal,
        card_decline_rate=card_declines,
        signed_meter=signed_meter,
        client_cert_dir=str(client_cert_dir) if client_cert_dir else None,
        ca_file=str(ca_file) if ca_file else None,
    )
    if speed != 1:  # a warning: stderr, so event lines on stdout stay parseable
        screen.print(
            f"[yellow]Charging runs at {speed:g}x real time: every session delivers {speed:g}x "
            "the energy a real car could, so a CSMS's meter checks will flag it.[/yellow]"
        )
    with contextlib.suppress(KeyboardInterrupt):
        asyncio.run(_run_fleet(fleet_config, log))


def _check(
    stations: int, protocol: str, url: str, speed: float, meter_interval: float, rate: float
) -> FleetProtocol:
    if protocol not in PROTOCOLS:
        raise typer.BadParameter(
            f"{protocol!r} is not one of {', '.join(PROTOCOLS)}", param_hint="--protocol"
        )
    if stations < 1:
        raise typer.BadParameter("need at least one station", param_hint="--stations")
    if not all(part.strip().startswith(("ws://", "wss://")) for part in url.split(",")):
        raise typer.BadParameter("each URL must start with ws:// or wss://", param_hint="--url")
    for value, hint in ((speed, "--speed"), (meter_interval, "--meter-interval"), (rate, "--rate")):
        if value <= 0:
            raise typer.BadParameter("must be positive", param_hint=hint)
    return next(p for p in PROTOCOLS if p == protocol)


def _check_terminal(protocol: FleetProtocol, card_terminal: bool, declines: float) -> None:
    if card_terminal and protocol != "2.1":
        raise typer.BadParameter(
            "needs --protocol 2.1 (DirectPayment)",
            param_hint="--card-terminal",
        )
    if not 0 <= declines <= 1:
        raise typer.BadParameter("must be between 0 and 1", param_hint="--card-declines")
    if declines and not card_terminal:
        raise typer.BadParameter("needs --card-terminal", param_hint="--card-declines")


async def _run_fleet(config: FleetConfig, log: bool) -> None:
    # A live table means nothing in a pipe or a file: there, print one line per event.
    live_table = not log and screen.is_terminal
    fleet = Fleet(config, on_event=None if live_table else console.print)
    if not live_table:
        until = f"for {config.duration_s:g} s" if config.duration_s else "until Ctrl-C"
        console.print(
            f"simulating {config.stations} station(s) ({config.protocol}) against"
            f" {config.url} {until}"
        )
        summary = await fleet.run()
    else:
        with Live(fleet_table(fleet.stations), console=screen, refresh_per_second=2) as live:
            run = asyncio.create_task(fleet.run())
            while not run.done():
                await asyncio.wait({run}, timeout=0.5)
                live.update(fleet_table(fleet.stations))
            summary = run.result()
        screen.line()
    console.print(
        f"{summary.stations} stations, {summary.sessions} sessions, "
        f"{summary.energy_wh / 1000:.1f} kWh delivered"
    )


def fleet_table(stations: list[SimulatedStation]) -> Table:
    table = Table(title="Forecourt simulator")
    for column in ("station", "ocpp", "link", "EVSEs", "sessions", "kWh"):
        table.add_column(column)
    for station in stations:
        evses = " ".join(
            f"{evse.evse_id}:{evse.status.value}"
            + (f" {evse.session.soc:.0f}%" if evse.session else "")
            for evse in station.evses
        )
        energy = sum(session.energy_wh for session in station.sessions) / 1000
        table.add_row(
            station.config.station_id,
            station.config.protocol,
            "online" if station.is_online else "offline",
            evses,
            str(len(station.sessions)),
            f"{energy:.1f}",
        )
    return table


def stats_table(stats: LatencyStats) -> Table:
    table = Table(title="Load")
    for column in ("connected", "calls ok", "failed", "calls/s", "p50 ms", "p99 ms", "max ms"):
        table.add_column(column, justify="right")
    table.add_row(
        str(stats.connected),
        str(stats.ok),
        str(stats.failed),
        f"{stats.calls_per_s:.0f}",
        f"{stats.p50_ms:.1f}",
        f"{stats.p99_ms:.1f}",
        f"{stats.max_ms:.1f}",
    )
    return table


def register(app: typer.Typer) -> None:
    """Add ``simulate`` to the ``forecourt`` command."""
    app.command("simulate")(simulate)
