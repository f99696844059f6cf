"""``forecourt counter ...``: the attendant's counter and stand-alone card terminals, through
the running server's REST API (it starts the port, and station connections live there).

Exit codes: 0 done, 1 declined / refused / server failed, 2 bad usage (including input the
server rejected as invalid).
"""

from __future__ import annotations

from typing import Annotated, Any
from urllib.parse import quote

import typer

from forecourt.cli.runtime import EXIT_FAILED, JsonFlag, console, print_json
from forecourt.cli.server_api import (
    DEFAULT_SERVER,
    ApiKeyOption,
    ApiServer,
    ServerUrlOption,
    TimeoutOption,
)
from forecourt.domain.limits import INT32_MAX

counter_app = typer.Typer(
    help="Pay inside: prepayments at the counter (cash or card), stand-alone card terminals.",
    no_args_is_help=True,
)

Station = Annotated[str, typer.Argument(metavar="STATION")]
Evse = Annotated[int, typer.Argument(metavar="EVSE", min=1, max=INT32_MAX)]
Amount = Annotated[str, typer.Argument(metavar="AMOUNT", help="In the port's currency, e.g. 20.00")]


def register(app: typer.Typer) -> None:
    app.add_typer(counter_app, name="counter")


@counter_app.callback()
def reach_server(
    ctx: typer.Context,
    server: ServerUrlOption = DEFAULT_SERVER,
    api_key: ApiKeyOption = None,
    timeout: TimeoutOption = 30.0,
) -> None:
    """Reach the running server (an attendant, or higher, API key)."""
    ctx.obj = ApiServer(server.rstrip("/"), api_key, timeout)


@counter_app.command("prepay")
def prepay(
    ctx: typer.Context,
    station: Station,
    evse: Evse,
    amount: Amount,
    card: Annotated[
        bool, typer.Option("--card/--cash", help="A card on the counter terminal, or cash.")
    ] = False,
    terminal: Annotated[str, typer.Option(help="The counter terminal's id.")] = "counter",
    json: JsonFlag = False,
) -> None:
    """Take a prepayment for a port and start it; the unused part is the change due."""
    body = {"station_id": station, "evse_id": evse, "amount": amount}
    body |= {"method": "card" if card else "cash", "terminal_id": terminal}
    _report(_call(ctx, "POST", "/payments/counter", body), json)


@counter_app.command("terminal")
def terminal_payment(
    ctx: typer.Context,
    terminal: Annotated[str, typer.Argument(metavar="TERMINAL", help="The terminal's id.")],
    station: Station,
    evse: Evse,
    amount: Amount,
    json: JsonFlag = False,
) -> None:
    """A card at a stand-alone terminal (OCPP 2.1 C24): authenticate, then start the port."""
    body = {"station_id": station, "evse_id": evse, "amount": amount}
    path = f"/payments/terminals/{quote(terminal, safe='')}/payments"
    _report(_call(ctx, "POST", path, body), json)


@counter_app.command("show")
def show(ctx: typer.Context, payment: str, json: JsonFlag = False) -> None:
    """A prepayment's state; once settled, what it cost and the change due."""
    _report(_call(ctx, "GET", f"/payments/{quote(payment, safe='')}", None), json)


def _call(ctx: typer.Context, method: str, path: str, body: dict[str, Any] | None) -> Any:
    """Invalid input exits 2; a port that cannot start now (400), or any other refusal, 1."""
    server: ApiServer = ctx.obj
    return server.call(method, path, body, usage_statuses=(422,)).json()


def _report(payment: dict[str, Any], json: bool) -> None:
    if json:
        print_json(payment)
    else:
        final = payment["final"]["text"] if payment["final"] else "-"
        console.print(
            f"{payment['public_id']}: {payment['state']} at "
            f"{payment['station_id']}/{payment['evse_id']}, prepaid "
            f"{payment['authorized']['text']}, cost {final}, "
            f"change due {payment['change_due']['text']}"
        )
        if payment["message"]:
            console.print(payment["message"])
    if payment["state"] == "declined":
        raise typer.Exit(EXIT_FAILED)


@counter_app.command("qr")
def dynamic_qr(
    ctx: typer.Context,
    station: Station,
    evse: Evse,
    show: Annotated[
        bool, typer.Option("--show", help="Also put it on the station's screen (2.1: a QR code).")
    ] = False,
    json: JsonFlag = False,
) -> None:
    """A dynamic QR code for a port (OCPP 2.1 C25): one use, a short time."""
    path = f"/payments/qr/{quote(station, safe='')}/{evse}" + ("?show=true" if show else "")
    answer = _call(ctx, "POST", path, None)
    if json:
        print_json(answer)
        return
    console.print(f"{answer['url']} (until {answer['expires_at']})")
    if answer.get("shown") is not None:
        console.print(f"on the station's screen: {answer['shown']}")


@counter_app.command("load")
def load(
    ctx: typer.Context,
    token: Annotated[str, typer.Argument(metavar="TOKEN", help="The prepaid card's id token.")],
    amount: Amount,
    currency: Annotated[str, typer.Option(help="ISO 4217 code.")] = "USD",
    card: Annotated[
        bool, typer.Option("--card/--cash", help="A card on the counter terminal, or cash.")
    ] = False,
    terminal: Annotated[str, typer.Option(help="The counter terminal's id.")] = "counter",
    json: JsonFlag = False,
) -> None:
    """Load credit onto a prepaid card (OCPP 2.1 C17), paid in cash or by card: its new
    balance (a declined card loads nothing and exits 1)."""
    body = {"amount": amount, "currency": currency, "method": "card" if card else "cash"}
    body["terminal_id"] = terminal
    path = f"/payments/prepaid/{quote(token, safe='')}/loads"
    _balance(_call(ctx, "POST", path, body), json)


@counter_app.command("balance")
def balance(
    ctx: typer.Context,
    token: Annotated[str, typer.Argument(metavar="TOKEN")],
    json: JsonFlag = False,
) -> None:
    """A prepaid card's credit."""
    _balance(_call(ctx, "GET", f"/payments/prepaid/{quote(token, safe='')}", None), json)


def _balance(answer: dict[str, Any], json: bool) -> None:
    if json:
        print_json(answer)
    else:
        console.print(f"{answer['id_token']}: {answer['balance']['text']}")
