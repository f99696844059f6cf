"""``forecourt command STATION ...`` administration commands: password rotation, custom
reports, network profiles, transaction status (registered on :mod:`forecourt.cli.remote`'s
command group)."""

from __future__ import annotations

from typing import Annotated, Any

import typer

from forecourt.cli.remote import command_app, send
from forecourt.cli.runtime import JsonFlag
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
