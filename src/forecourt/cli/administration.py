"""``forecourt command STATION ...`` administration commands: password rotation, custom
reports, network profiles, transaction status (registered on :mod:`forecourt.cli.remote`'s
command group)."""

from __future__ import annotations

from typing import Annotated, Any
from urllib.parse import quote

import typer

from forecourt.cli.remote import Target, command_app, post, send
from forecourt.cli.runtime import EXIT_FAILED, EXIT_USAGE, JsonFlag, fail, print_json
from forecourt.domain.commands import NetworkInterface, ReportCriterion
from forecourt.domain.limits import INT32_MAX


@command_app.command("rotate-password")
def rotate_password(ctx: typer.Context, as_json: JsonFlag = False) -> None:
    """Give the station a new generated password; stored only if it accepts.

    The old password keeps working until the station has reconnected with the new one.
    """
    send(ctx, None, as_json, path="password-rotation")


@command_app.command("report")
def report(
    ctx: typer.Context,
    criterion: Annotated[
        list[ReportCriterion] | None,
        typer.Option("--criterion", help="Components that are active/available/... (repeat)."),
    ] = None,
    key: Annotated[
        list[str] | None,
        typer.Option("--key", help="Component or Component.Variable (repeat)."),
    ] = None,
    request_id: Annotated[int, typer.Option(min=0, max=INT32_MAX)] = 0,
    as_json: JsonFlag = False,
) -> None:
    """Ask a 2.0.1 station for a custom report (GetReport with criteria)."""
    body: dict[str, Any] = {
        "kind": "get_report",
        "criteria": [c.value for c in criterion or []],
        "keys": key or [],
        "request_id": request_id,
    }
    send(ctx, body, as_json)


@command_app.command("network-profile")
def network_profile(
    ctx: typer.Context,
    slot: Annotated[int, typer.Argument(min=0, max=INT32_MAX, help="configurationSlot.")],
    url: Annotated[str, typer.Argument(help="The CSMS URL, e.g. wss://csms.example/ocpp.")],
    security_profile: Annotated[int, typer.Option(min=1, max=3)] = 1,
    interface: Annotated[NetworkInterface, typer.Option()] = NetworkInterface.WIRED0,
    message_timeout: Annotated[int, typer.Option(min=1, max=INT32_MAX, help="Seconds.")] = 30,
    as_json: JsonFlag = False,
) -> None:
    """Store a connection profile in a 2.0.1 station's slot (SetNetworkProfile)."""
    body = {
        "kind": "set_network_profile",
        "slot": slot,
        "csms_url": url,
        "security_profile": security_profile,
        "interface": interface.value,
        "message_timeout_s": message_timeout,
    }
    send(ctx, body, as_json)


@command_app.command("transaction-status")
def transaction_status(
    ctx: typer.Context,
    transaction: Annotated[
        str | None, typer.Argument(help="The station's transaction id; none: any.")
    ] = None,
    as_json: JsonFlag = False,
) -> None:
    """Ask a 2.0.1 station whether messages of a transaction are still queued."""
    send(ctx, {"kind": "get_transaction_status", "station_tx_id": transaction}, as_json)


@command_app.command("configure")
def configure(
    ctx: typer.Context,
    get: Annotated[list[str] | None, typer.Option("--get", help="A key to read (repeat).")] = None,
    assign: Annotated[
        list[str] | None, typer.Option("--set", help="KEY=VALUE to change (repeat).")
    ] = None,
    as_json: JsonFlag = False,
) -> None:
    """Read or change many configuration items, within the station's per-message limits."""
    if bool(get) == bool(assign):
        fail("give --get KEY... or --set KEY=VALUE..., not both", EXIT_USAGE)
    body: dict[str, Any] = {"get": get} if get else {"set": _assignments(assign or [])}
    where: Target = ctx.obj
    if not where.api_key:
        fail("an API key is needed: --api-key or FORECOURT_API_KEY", EXIT_USAGE)
    station = quote(where.station_id, safe="")
    answer = post(where, f"/api/stations/{station}/configuration", body).json()
    if as_json:
        print_json(answer)
    else:
        for item in answer.get("items", []):
            value = f" = {item['value']}" if item.get("value") is not None else ""
            typer.echo(f"{item.get('key')}{value}  ({item.get('status')})")
        typer.echo(f"{answer.get('status')} in {len(answer.get('commands', []))} message(s)")
    raise typer.Exit(0 if answer.get("succeeded") else EXIT_FAILED)


def _assignments(texts: list[str]) -> dict[str, str]:
    pairs: dict[str, str] = {}
    for text in texts:
        key, sep, value = text.partition("=")
        if not sep or not key:
            fail(f"--set takes KEY=VALUE, got {text!r}", EXIT_USAGE)
        pairs[key] = value
    return pairs
