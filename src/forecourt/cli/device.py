"""``forecourt device ...``: monitors and their templates, display messages, customer
information, through the running server's REST API (station connections live there).

Exit codes as ``forecourt command``: 0 the station accepted, 1 it refused / timed out / is
offline (or the server failed), 2 bad usage (including input the server rejected as invalid).
"""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING, Annotated, Any, NoReturn
from urllib.parse import quote

import typer

from forecourt.cli import render
from forecourt.cli.runtime import EXIT_FAILED, JsonFlag, console, print_json
from forecourt.cli.server_api import (
    DEFAULT_SERVER,
    ApiKeyOption,
    ApiServer,
    ServerUrlOption,
    TimeoutOption,
)
from forecourt.domain.device import MAX_SEVERITY, MessagePriority, MessageState, MonitorKind
from forecourt.domain.device_state import Preset
from forecourt.domain.limits import INT32_MAX

if TYPE_CHECKING:
    pass

device_app = typer.Typer(
    help="Monitors, display messages and customer information (OCPP 2.0.1 device model).",
    no_args_is_help=True,
)


@device_app.callback()
def server_options(
    ctx: typer.Context,
    server: ServerUrlOption = DEFAULT_SERVER,
    api_key: ApiKeyOption = None,
    timeout: TimeoutOption = 60.0,
) -> None:
    """Name the server and the key; then the command."""
    ctx.obj = ApiServer(server.rstrip("/"), api_key, timeout)


StationArg = Annotated[str, typer.Argument(metavar="STATION", help="The station's id.")]
Severity = Annotated[int, typer.Option(min=0, max=MAX_SEVERITY, help="0 danger .. 9 debug.")]
Evse = Annotated[int | None, typer.Option(min=1, max=INT32_MAX, help="EVSE number.")]


def _station(station_id: str) -> str:
    return f"/stations/{quote(station_id, safe='')}"


def _verdict(answer: dict[str, Any]) -> NoReturn:
    """Exit 0 when the station accepted (or nothing needed sending), else 1."""
    command = answer.get("command", answer)
    if command is None:
        raise typer.Exit(0)
    if command.get("error"):
        console.print(f"station: {command['status']}: {command['error']}", markup=False)
    raise typer.Exit(0 if command.get("succeeded") else EXIT_FAILED)


def _monitors(answer: list[dict[str, Any]], as_json: bool) -> None:
    if as_json:
        print_json(answer)
        return
    render.table(
        "Monitors",
        ["id", "key", "evse", "kind", "value", "severity", "status", "reason", "source"],
        [
            (m["monitor_id"], m["key"], m["evse_id"], m["kind"], m["value"], m["severity"],
             m["status"], m["reason"], m["source"])
            for m in answer
        ],
    )  # fmt: skip


def _messages(answer: list[dict[str, Any]], as_json: bool) -> None:
    if as_json:
        print_json(answer)
        return
    render.table(
        "Display messages",
        ["id", "text", "priority", "state", "from", "until", "status", "reason"],
        [
            (m["message_id"], m["text"], m["priority"], m["state"], m["start"], m["end"],
             m["status"], m["reason"])
            for m in answer
        ],
    )  # fmt: skip


# -- monitors ----------------------------------------------------------------------------------
@device_app.command("monitors")
def list_monitors(ctx: typer.Context, station: StationArg, as_json: JsonFlag = False) -> None:
    """The station's monitors, refused ones included (with the station's reason)."""
    _monitors(ctx.obj.call("GET", f"{_station(station)}/monitors").json(), as_json)


@device_app.command("set-monitor")
def set_monitor(
    ctx: typer.Context,
    station: StationArg,
    key: Annotated[str, typer.Argument(help="`Component.Variable`.")],
    kind: Annotated[MonitorKind, typer.Argument(help="Threshold, delta or periodic.")],
    value: Annotated[float, typer.Argument(help="Threshold, delta, or seconds (periodic).")],
    severity: Severity = 8,
    evse: Evse = None,
    as_json: JsonFlag = False,
) -> None:
    """Set one monitor (2.0.1); a refusal is shown and kept."""
    monitor = {"key": key, "kind": kind.value, "value": value, "severity": severity}
    if evse is not None:
        monitor["evse_id"] = evse
    answer = ctx.obj.call("POST", f"{_station(station)}/monitors", {"monitors": [monitor]}).json()
    _monitors(answer["monitors"], as_json)
    _verdict(answer)


@device_app.command("clear-monitors")
def clear_monitors(
    ctx: typer.Context,
    station: StationArg,
    ids: Annotated[list[int], typer.Argument(metavar="ID...", help="The station's monitor ids.")],
    as_json: JsonFlag = False,
) -> None:
    """Clear monitors by their ids."""
    answer = ctx.obj.call("POST", f"{_station(station)}/monitors/clear", {"monitor_ids": ids})
    _monitors(answer.json()["monitors"], as_json)
    _verdict(answer.json())


@device_app.command("monitoring-report")
def monitoring_report(ctx: typer.Context, station: StationArg) -> None:
    """Ask the station for its monitors (they arrive in parts; see `monitors`)."""
    _verdict(ctx.obj.call("POST", f"{_station(station)}/monitors/report").json())


@device_app.command("monitoring-base")
def monitoring_base(
    ctx: typer.Context,
    station: StationArg,
    base: Annotated[str, typer.Argument(help="all, factory_default or hard_wired_only.")],
) -> None:
    """Reset the station's monitors to a base set."""
    _verdict(ctx.obj.call("POST", f"{_station(station)}/monitoring-base", {"base": base}).json())


@device_app.command("monitoring-level")
def monitoring_level(
    ctx: typer.Context,
    station: StationArg,
    severity: Annotated[int, typer.Argument(min=0, max=MAX_SEVERITY, help="Report up to this.")],
) -> None:
    """Only report events of this severity or worse."""
    body = {"severity": severity}
    _verdict(ctx.obj.call("POST", f"{_station(station)}/monitoring-level", body).json())


@device_app.command("apply-templates")
def apply_templates(ctx: typer.Context, station: StationArg, as_json: JsonFlag = False) -> None:
    """Set the monitors of the station model's templates."""
    answer = ctx.obj.call("POST", f"{_station(station)}/monitors/apply-templates").json()
    if answer["command"] is None:
        console.print("no template for this station's model: nothing sent")
    _monitors(answer["monitors"], as_json)
    _verdict(answer)


@device_app.command("templates")
def templates(
    ctx: typer.Context,
    model: Annotated[str | None, typer.Option(help="Only this station model.")] = None,
    as_json: JsonFlag = False,
) -> None:
    """Monitor templates per station model."""
    path = "/monitor-templates" + (f"?model={quote(model)}" if model else "")
    answer = ctx.obj.call("GET", path).json()
    if as_json:
        print_json(answer)
        return
    render.table(
        "Monitor templates",
        ["id", "model", "key", "evse", "kind", "value", "severity"],
        [(t["id"], t["model"], t["key"], t["evse_id"], t["kind"], t["value"], t["severity"])
         for t in answer],
    )  # fmt: skip


@device_app.command("add-template")
def add_template(
    ctx: typer.Context,
    model: Annotated[str, typer.Argument(help="The station model it applies to.")],
    key: Annotated[str, typer.Argument(help="`Component.Variable`.")],
    kind: Annotated[MonitorKind, typer.Argument(help="Threshold, delta or periodic.")],
    value: Annotated[float, typer.Argument(help="Threshold, delta, or seconds (periodic).")],
    severity: Severity = 8,
    evse: Evse = None,
) -> None:
    """Add a monitor every station of MODEL gets (after boot, or `apply-templates`)."""
    body = {"model": model, "key": key, "kind": kind.value, "value": value, "severity": severity,
            "evse_id": evse}  # fmt: skip
    added = ctx.obj.call("POST", "/monitor-templates", body).json()
    console.print(f"template {added['id']} added for {model}", markup=False)


@device_app.command("remove-template")
def remove_template(
    ctx: typer.Context, template_id: Annotated[int, typer.Argument(min=1, max=INT32_MAX)]
) -> None:
    """Remove a monitor template."""
    ctx.obj.call("DELETE", f"/monitor-templates/{template_id}")
    console.print(f"template {template_id} removed")


# -- display messages --------------------------------------------------------------------------
@device_app.command("messages")
def list_messages(ctx: typer.Context, station: StationArg, as_json: JsonFlag = False) -> None:
    """The station's display messages as Forecourt knows them."""
    _messages(ctx.obj.call("GET", f"{_station(station)}/display-messages").json(), as_json)


@device_app.command("show-message")
def show_message(
    ctx: typer.Context,
    station: StationArg,
    preset: Annotated[Preset | None, typer.Option(help="A ready-made message.")] = None,
    detail: Annotated[str, typer.Option(help="Preset: until when, new price, which port.")] = "",
    message_id: Annotated[int | None, typer.Option("--id", min=0, max=INT32_MAX)] = None,
    text: Annotated[str | None, typer.Option(help="The message (without a preset).")] = None,
    priority: Annotated[MessagePriority, typer.Option()] = MessagePriority.NORMAL_CYCLE,
    state: Annotated[MessageState | None, typer.Option(help="Only in this state.")] = None,
    start: Annotated[str | None, typer.Option(help="ISO 8601: shown from.")] = None,
    end: Annotated[str | None, typer.Option(help="ISO 8601: removed at.")] = None,
    as_json: JsonFlag = False,
) -> None:
    """Show a message on the station's screen (2.0.1): a --preset, or --id and --text."""
    body: dict[str, Any] = {"start": start, "end": end}
    if preset is not None:
        body |= {"preset": preset.value, "detail": detail}
    else:
        body |= {"message_id": message_id, "text": text, "priority": priority.value}
        if state is not None:
            body["state"] = state.value
    answer = ctx.obj.call("POST", f"{_station(station)}/display-messages", body).json()
    _messages(answer["messages"], as_json)
    _verdict(answer)


@device_app.command("clear-message")
def clear_message(
    ctx: typer.Context,
    station: StationArg,
    message_id: Annotated[int, typer.Argument(min=0, max=INT32_MAX)],
    as_json: JsonFlag = False,
) -> None:
    """Remove a message from the station's screen."""
    path = f"{_station(station)}/display-messages/{message_id}"
    answer = ctx.obj.call("DELETE", path).json()
    _messages(answer["messages"], as_json)
    _verdict(answer)


@device_app.command("refresh-messages")
def refresh_messages(ctx: typer.Context, station: StationArg) -> None:
    """Ask the station which messages it shows (they arrive in parts; see `messages`)."""
    _verdict(ctx.obj.call("POST", f"{_station(station)}/display-messages/refresh").json())


# -- customer information ----------------------------------------------------------------------
@device_app.command("customer-info")
def customer_info(
    ctx: typer.Context,
    station: StationArg,
    id_token: Annotated[str | None, typer.Option(help="The customer's id token.")] = None,
    customer_id: Annotated[str | None, typer.Option(help="A vendor customer identifier.")] = None,
    clear: Annotated[bool, typer.Option("--clear", help="Also erase it on the station.")] = False,
    report: Annotated[bool, typer.Option("--report/--no-report")] = True,
) -> None:
    """Ask what a station keeps about a customer (and/or erase it); prints the request id."""
    body = {"id_token": id_token, "customer_identifier": customer_id, "clear": clear,
            "report": report}  # fmt: skip
    answer = ctx.obj.call("POST", f"{_station(station)}/customer-information", body).json()
    request_id = answer["params"]["request_id"]
    console.print(f"request {request_id}: {answer['status']}")
    _verdict(answer)


@device_app.command("customer-report")
def customer_report(
    ctx: typer.Context,
    station: StationArg,
    request_id: Annotated[int, typer.Argument(min=0, max=INT32_MAX)],
    output: Annotated[Path | None, typer.Option(help="Write the text to this file.")] = None,
    as_json: JsonFlag = False,
) -> None:
    """What the station reported for a customer information request."""
    answer = ctx.obj.call("GET", f"{_station(station)}/customer-information/{request_id}").json()
    if output is not None:
        output.write_text(answer["text"])
    if as_json:
        print_json(answer)
        return
    state = "complete" if answer["complete"] else "more parts to come"
    console.print(f"{answer['parts']} part(s), {state}", markup=False)
    if output is None:
        console.print(answer["text"], markup=False)


def register(app: typer.Typer) -> None:
    app.add_typer(device_app, name="device")
