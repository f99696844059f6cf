"""``forecourt command STATION ...``: commands go through the running server's REST API,
because station connections live in the server process.

Exit codes: 0 the station accepted, 1 it refused / timed out / is offline (or the server
failed), 2 bad usage (including input the server rejected as invalid).
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum
from typing import TYPE_CHECKING, Annotated, Any, NoReturn
from urllib.parse import quote

import typer

from forecourt.cli import render
from forecourt.cli.runtime import EXIT_FAILED, EXIT_USAGE, JsonFlag, fail, print_json
from forecourt.cli.server_api import (
    DEFAULT_SERVER,
    ApiKeyOption,
    ServerUrlOption,
    TimeoutOption,
    exchange,
    fail_on_problem,
)
from forecourt.domain.commands import ReportKind, TriggerKind
from forecourt.domain.limits import INT32_MAX

if TYPE_CHECKING:  # imported when a command is sent, as are the API bodies: `--help` needs none
    import httpx

command_app = typer.Typer(
    help="Send a command to a station through the running server and print its answer.",
    no_args_is_help=True,
)


@dataclass(frozen=True, slots=True)
class Target:
    station_id: str
    server: str
    api_key: str | None
    timeout: float


@command_app.callback()
def target(
    ctx: typer.Context,
    station_id: Annotated[str, typer.Argument(metavar="STATION", help="The station's id.")],
    server: ServerUrlOption = DEFAULT_SERVER,
    api_key: ApiKeyOption = None,
    timeout: TimeoutOption = 60.0,
) -> None:
    """Name the station, the server and the key; then the command."""
    ctx.obj = Target(station_id, server.rstrip("/"), api_key, timeout)


def send(
    ctx: typer.Context, body: dict[str, Any] | None, as_json: bool, path: str = "commands"
) -> NoReturn:
    """POST the command, print the station's answer, exit with its verdict."""
    where: Target = ctx.obj
    if not where.api_key:
        fail(
            "an API key is needed: --api-key or FORECOURT_API_KEY"
            " (make one with `forecourt apikeys create NAME --role technician`)",
            EXIT_USAGE,
        )
    from forecourt.api.command_bodies import CommandRecordOut

    station = quote(where.station_id, safe="")
    response = post(where, f"/api/stations/{station}/{path}", body)
    try:
        record = CommandRecordOut.model_validate(response.json())
    except ValueError:  # not JSON, or not a command record (pydantic errors are ValueErrors)
        fail(f"{where.server} did not answer like a Forecourt server (is --server right?)")
    if as_json:
        print_json(response.json())
    else:
        render.command_record(record)
    raise typer.Exit(0 if record.succeeded else EXIT_FAILED)


def post(where: Target, path: str, body: dict[str, Any] | None) -> httpx.Response:
    response = exchange(where.server, where.api_key, where.timeout, "POST", path, body=body)
    fail_on_problem(response)
    return response


# -- the commands ----------------------------------------------------------------------------
EvseOption = Annotated[int, typer.Option("--evse", min=1, max=INT32_MAX, help="EVSE number.")]


@command_app.command()
def reset(
    ctx: typer.Context,
    hard: Annotated[bool, typer.Option("--hard", help="Reboot now, not after charging.")] = False,
    evse: Annotated[
        int | None,
        typer.Option("--evse", min=1, max=INT32_MAX, help="Reset only this EVSE (OCPP 2.0.1)."),
    ] = None,
    as_json: JsonFlag = False,
) -> None:
    """Reset (reboot) the station, or one of its EVSEs."""
    body: dict[str, Any] = {"kind": "reset", "hard": hard}
    if evse is not None:
        body["evse_id"] = evse
    send(ctx, body, as_json)


@command_app.command()
def unlock(
    ctx: typer.Context,
    evse: EvseOption = 1,
    connector: Annotated[int, typer.Option(min=1, max=INT32_MAX, help="Connector number.")] = 1,
    as_json: JsonFlag = False,
) -> None:
    """Unlock a connector (a cable stuck in the car or the socket)."""
    send(ctx, {"kind": "unlock_connector", "evse_id": evse, "connector_id": connector}, as_json)


@command_app.command()
def availability(
    ctx: typer.Context,
    operative: Annotated[
        bool, typer.Option("--operative/--inoperative", help="Open or close for charging.")
    ],
    evse: Annotated[
        int, typer.Option(min=0, max=INT32_MAX, help="EVSE number; 0 = whole station.")
    ] = 0,
    as_json: JsonFlag = False,
) -> None:
    """Take the station (or one EVSE) in or out of service."""
    send(ctx, {"kind": "change_availability", "operative": operative, "evse_id": evse}, as_json)


@command_app.command()
def start(
    ctx: typer.Context,
    token: Annotated[str, typer.Option(help="The id token to charge with.")],
    evse: Annotated[int | None, typer.Option(min=1, max=INT32_MAX, help="EVSE number.")] = None,
    as_json: JsonFlag = False,
) -> None:
    """Start charging remotely."""
    send(ctx, {"kind": "remote_start", "id_token": token, "evse_id": evse}, as_json)


@command_app.command()
def stop(
    ctx: typer.Context,
    transaction: Annotated[
        int, typer.Option(min=1, max=INT32_MAX, help="Forecourt's transaction number.")
    ],
    as_json: JsonFlag = False,
) -> None:
    """Stop a transaction remotely."""
    send(ctx, {"kind": "remote_stop", "transaction_id": transaction}, as_json)


@command_app.command()
def trigger(
    ctx: typer.Context,
    message: Annotated[TriggerKind, typer.Argument(help="What the station should send.")],
    evse: Annotated[int | None, typer.Option(min=0, max=INT32_MAX, help="EVSE number.")] = None,
    as_json: JsonFlag = False,
) -> None:
    """Ask the station to send a message now (status, meter values, boot...)."""
    send(ctx, {"kind": "trigger_message", "message": message.value, "evse_id": evse}, as_json)


@command_app.command("get-config")
def get_config(
    ctx: typer.Context,
    keys: Annotated[
        list[str] | None,
        typer.Argument(metavar="[KEY]...", help="`Variable` or `Component.Variable`; none: all."),
    ] = None,
    as_json: JsonFlag = False,
) -> None:
    """Read configuration keys (1.6) or variables (2.0.1)."""
    send(ctx, {"kind": "get_configuration", "keys": keys or []}, as_json)


@command_app.command("set-config")
def set_config(
    ctx: typer.Context,
    key: Annotated[str, typer.Argument(help="`Variable` or `Component.Variable`.")],
    value: Annotated[str, typer.Argument(help="The new value.")],
    as_json: JsonFlag = False,
) -> None:
    """Change a configuration key or variable."""
    send(ctx, {"kind": "set_configuration", "key": key, "value": value}, as_json)


class Report(StrEnum):
    FULL = "full"
    CONFIGURATION = "configuration"
    SUMMARY = "summary"


_REPORT_KINDS = {
    Report.FULL: ReportKind.FULL_INVENTORY,
    Report.CONFIGURATION: ReportKind.CONFIGURATION_INVENTORY,
    Report.SUMMARY: ReportKind.SUMMARY_INVENTORY,
}


@command_app.command("base-report")
def base_report(
    ctx: typer.Context,
    report: Annotated[Report, typer.Option(help="Which inventory (2.0.1).")] = Report.FULL,
    as_json: JsonFlag = False,
) -> None:
    """Ask a 2.0.1 station for its device model report."""
    send(ctx, {"kind": "get_base_report", "report": _REPORT_KINDS[report].value}, as_json)


@command_app.command("clear-cache")
def clear_cache(ctx: typer.Context, as_json: JsonFlag = False) -> None:
    """Clear the station's authorization cache."""
    send(ctx, {"kind": "clear_cache"}, as_json)


@command_app.command("data-transfer")
def data_transfer(
    ctx: typer.Context,
    vendor: Annotated[str, typer.Argument(help="Vendor id, e.g. com.acme.")],
    message_id: Annotated[str | None, typer.Option(help="Vendor's message id.")] = None,
    data: Annotated[str | None, typer.Option(help="Payload (text).")] = None,
    as_json: JsonFlag = False,
) -> None:
    """Send a vendor-specific DataTransfer."""
    body = {"kind": "data_transfer", "vendor_id": vendor, "message_id": message_id, "data": data}
    send(ctx, body, as_json)


def register(app: typer.Typer) -> None:
    from forecourt.cli import (
        administration,  # noqa: F401  # adds its commands to command_app
        profile_commands,  # noqa: F401  (adds the smart-charging commands)
    )

    app.add_typer(command_app, name="command")
