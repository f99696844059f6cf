"""``forecourt tariffs|payments|receipts ...``: prices, card payments, reconciliation, receipts.

Commands that talk to the payment provider (``payments reconcile``, ``payments recover``) use
the provider configured by the environment (``FORECOURT_PAYMENT_PROVIDER``, ``FORECOURT_STRIPE_*``).
"""

from __future__ import annotations

from datetime import UTC, date, datetime, time
from typing import TYPE_CHECKING, Annotated, Any

import typer
from rich.table import Table

from forecourt.cli.runtime import JsonFlag, console, fail, print_json, with_services
from forecourt.domain.limits import INT32_MAX
from forecourt.domain.money import Money, parse_decimal
from forecourt.payments.domain.payments import PaymentState
from forecourt.payments.domain.tariffs import EnergyBand, Tariff, TaxRate
from forecourt.payments.keys import PAYMENTS
from forecourt.payments.ports import PAYMENT_STORE

if TYPE_CHECKING:  # imported where used: `--help` needs none of the services
    from forecourt.services.core import Services

tariffs_app = typer.Typer(
    help="Tariffs: $/kWh bands, fees, taxes; where they apply.", no_args_is_help=True
)
payments_app = typer.Typer(
    help="Card payments: list, recover, reconcile, statements.", no_args_is_help=True
)
receipts_app = typer.Typer(
    help="Receipts: show one, find by card digits and day.", no_args_is_help=True
)


def register(app: typer.Typer) -> None:
    from forecourt.payments.cli import station_tariffs

    station_tariffs.register(tariffs_app)
    station_tariffs.register_payments(payments_app)
    app.add_typer(tariffs_app, name="tariffs")
    app.add_typer(payments_app, name="payments")
    app.add_typer(receipts_app, name="receipts")


def _pair(text: str, what: str) -> tuple[str, str]:
    key, sep, value = text.partition("=")
    if not sep or not key or not value:
        raise typer.BadParameter(f"{what} must look like KEY=VALUE, got {text!r}")
    return key.strip(), value.strip()


# -- tariffs --------------------------------------------------------------------------------------
@tariffs_app.command("publish")
def publish(
    ctx: typer.Context,
    code: Annotated[str, typer.Argument(help="Tariff code, e.g. STD.")],
    band: Annotated[list[str], typer.Option(help="HH:MM=PRICE_PER_KWH, repeat for time-of-day.")],
    name: Annotated[str, typer.Option(help="Shown to operators.")] = "",
    currency: str = "USD",
    session_fee: Annotated[str, typer.Option(help="Per session, e.g. 1.00.")] = "0",
    idle_fee: Annotated[str, typer.Option(help="Per minute after the grace period.")] = "0",
    idle_grace: Annotated[
        int, typer.Option(min=0, max=24 * 60, help="Free minutes once charging ends.")
    ] = 0,
    tax: Annotated[list[str] | None, typer.Option(help="NAME=PERCENT, repeatable.")] = None,
    timezone: Annotated[str, typer.Option(help="IANA zone of the bands.")] = "UTC",
    hold: Annotated[str, typer.Option(help="Card pre-authorisation amount.")] = "50",
) -> None:
    """Publish a tariff, or a new revision of it (in force from now)."""
    from forecourt.payments.services.pricing import price_text

    bands = []
    for item in band:
        start, price = _pair(item, "--band")
        bands.append(EnergyBand(time.fromisoformat(start), parse_decimal(price, "band price")))
    taxes = tuple(
        TaxRate(n, parse_decimal(p, "tax")) for n, p in (_pair(t, "--tax") for t in tax or [])
    )
    tariff = Tariff(
        code=code,
        name=name or code,
        currency=currency,
        energy_bands=tuple(bands),
        session_fee=parse_decimal(session_fee),
        idle_fee_per_minute=parse_decimal(idle_fee),
        idle_grace_minutes=idle_grace,
        taxes=taxes,
        timezone=timezone,
        hold_amount=parse_decimal(hold),
    )
    stored = with_services(ctx, lambda s: s.feature(PAYMENTS).tariffs.publish(tariff))
    console.print(
        f"tariff {stored.code} revision {stored.revision}: {price_text(stored, datetime.now(UTC))}"
    )


@tariffs_app.command("list")
def list_tariffs(ctx: typer.Context, json: JsonFlag = False) -> None:
    """Tariffs as in force now."""
    from forecourt.payments.services.pricing import price_text

    found = with_services(ctx, lambda s: s.feature(PAYMENTS).tariffs.current())
    if json:
        print_json([t.to_dict() for t in found])
        return
    table = Table("code", "rev", "name", "price")
    now = datetime.now(UTC)
    for t in found:
        table.add_row(t.code, str(t.revision), t.name, price_text(t, now))
    console.print(table)


@tariffs_app.command("bind")
def bind(
    ctx: typer.Context,
    code: Annotated[str, typer.Argument(help="Tariff code.")],
    site: str | None = None,
    station: str | None = None,
    evse: Annotated[int | None, typer.Option(min=1, max=INT32_MAX)] = None,
    connector_type: str | None = None,
) -> None:
    """Apply a tariff (no option: the whole network; the most specific binding wins)."""
    from forecourt.payments.ports import TariffBinding

    binding = TariffBinding(code, site, station, evse, connector_type)
    stored = with_services(ctx, lambda s: s.feature(PAYMENTS).tariffs.bind(binding))
    console.print(f"binding {stored.id}: {code}")


@tariffs_app.command("bindings")
def bindings(ctx: typer.Context, json: JsonFlag = False) -> None:
    """Where tariffs apply."""
    found = with_services(ctx, lambda s: s.feature(PAYMENTS).tariffs.bindings())
    rows = [
        {"id": b.id, "tariff": b.tariff_code, "site": b.site_id, "station": b.station_id,
         "evse": b.evse_id, "connector_type": b.connector_type}
        for b in found
    ]  # fmt: skip
    _show(rows, json)


@tariffs_app.command("unbind")
def unbind(
    ctx: typer.Context, binding_id: Annotated[int, typer.Argument(min=1, max=INT32_MAX)]
) -> None:
    """Remove a binding."""
    with_services(ctx, lambda s: s.feature(PAYMENTS).tariffs.unbind(binding_id))
    console.print(f"binding {binding_id} removed")


@tariffs_app.command("driver-set")
def driver_set(
    ctx: typer.Context,
    id_token: Annotated[str, typer.Argument(metavar="TOKEN", help="A registered token.")],
    code: Annotated[str, typer.Argument(help="Tariff code.")],
) -> None:
    """Give a token its own tariff (OCPP 2.1 DriverTariff): its sessions are billed by it."""
    tariff = with_services(ctx, lambda s: s.feature(PAYMENTS).tariffs.set_driver(id_token, code))
    console.print(f"{id_token}: billed by {tariff.code} (revision {tariff.revision} now)")


@tariffs_app.command("driver-clear")
def driver_clear(
    ctx: typer.Context,
    id_token: Annotated[str, typer.Argument(metavar="TOKEN")],
) -> None:
    """Remove a token's own tariff (the station's binding applies again)."""
    with_services(ctx, lambda s: s.feature(PAYMENTS).tariffs.clear_driver(id_token))
    console.print(f"{id_token}: no tariff of its own")


@tariffs_app.command("drivers")
def drivers(ctx: typer.Context, json: JsonFlag = False) -> None:
    """Tokens with their own tariff."""
    found = with_services(ctx, lambda s: s.feature(PAYMENTS).tariffs.drivers())
    _show([{"token": token, "tariff": code} for token, code in found], json)


# -- payments -------------------------------------------------------------------------------------
def _with_provider(ctx: typer.Context, work: Any) -> Any:
    """Run with the payment provider the environment configures (not the test default)."""
    from forecourt.settings import Settings

    async def run(services: Services) -> Any:
        return await work(services.feature(PAYMENTS))

    return with_services(ctx, run, settings=Settings())


@payments_app.command("list")
def list_payments(
    ctx: typer.Context,
    state: Annotated[PaymentState | None, typer.Option(help="Only this state.")] = None,
    limit: Annotated[int, typer.Option(min=1, max=1000)] = 50,
    json: JsonFlag = False,
) -> None:
    """Card payments, newest first."""
    from forecourt.payments.ports import PaymentFilter

    async def work(services: Services) -> list[dict[str, Any]]:
        async with services.ctx.uow() as uow:
            found = await uow.repository(PAYMENT_STORE).list(
                PaymentFilter(states=(state,) if state else (), limit=limit)
            )
        return [
            {"id": p.public_id, "state": p.state.value, "method": p.method.value,
             "station": f"{p.station_id}/{p.evse_id}", "hold": str(p.hold),
             "final": "-" if p.final_minor is None else str(Money(p.final_minor, p.currency)),
             "captured": str(Money(p.captured_minor, p.currency)), "card": p.card.last4,
             "error": p.last_error}
            for p in found
        ]  # fmt: skip

    _show(with_services(ctx, work), json)


@payments_app.command("recover")
def recover(ctx: typer.Context) -> None:
    """Finish owed captures/releases and unsettled sessions now."""
    report = _with_provider(ctx, lambda p: p.recovery.sweep(startup=True))
    console.print(f"recovery: {report}")


@payments_app.command("reconcile")
def reconcile(
    ctx: typer.Context,
    dry_run: Annotated[bool, typer.Option("--dry-run", help="List only; change nothing.")] = False,
    days: Annotated[
        int, typer.Option(min=1, max=90, help="How far back to compare with the provider.")
    ] = 7,
    json: JsonFlag = False,
) -> None:
    """Compare payments with the provider: fix what is safe, escalate the rest."""
    findings = _with_provider(ctx, lambda p: p.reconciliation.run(fix=not dry_run, days=days))
    rows = [
        {"finding": f.kind.value, "action": f.action.value, "payment": f.public_id,
         "provider_ref": f.provider_ref, "detail": f.detail}
        for f in findings
    ]  # fmt: skip
    _show(rows, json)
    if any(f.action.value == "escalated" for f in findings):
        raise typer.Exit(1)  # an operator must look


@payments_app.command("statement")
def statement(
    ctx: typer.Context,
    group: Annotated[str, typer.Argument(help="Fleet token group.")],
    since: Annotated[str, typer.Option(help="First day (YYYY-MM-DD, UTC).")],
    until: Annotated[str, typer.Option(help="Day after the last (YYYY-MM-DD, UTC).")],
    json: JsonFlag = False,
) -> None:
    """A fleet's sessions in a period, priced (RFID / account billing)."""
    start, end = (datetime.combine(date.fromisoformat(d), time(), UTC) for d in (since, until))
    found = with_services(ctx, lambda s: s.feature(PAYMENTS).receipts.statement(group, start, end))
    rows = [
        {"transaction": line.transaction.id, "token": line.transaction.id_token,
         "station": line.transaction.station_id, "started": line.transaction.started_at.isoformat(),
         "kwh": f"{line.transaction.energy_wh / 1000:.3f}", "total": str(line.total)}
        for line in found.lines
    ]  # fmt: skip
    _show(rows, json)
    if not json:
        console.print("total: " + ", ".join(str(m) for m in found.totals().values()))


# -- receipts -------------------------------------------------------------------------------------
@receipts_app.command("show")
def show_receipt(ctx: typer.Context, code: str) -> None:
    """Print a receipt."""
    from forecourt.payments.services.receipts import receipt_text

    receipt = with_services(ctx, lambda s: s.feature(PAYMENTS).receipts.by_code(code))
    console.print(receipt_text(receipt), markup=False)


@receipts_app.command("find")
def find_receipts(ctx: typer.Context, last4: str, day: str) -> None:
    """Receipts of a card (last 4 digits) on a day (YYYY-MM-DD)."""
    try:
        wanted = date.fromisoformat(day)
    except ValueError:
        fail(f"{day!r} is not a date like 2027-01-31", 2)
    found = with_services(ctx, lambda s: s.feature(PAYMENTS).receipts.find(last4, wanted))
    for receipt in found:
        console.print(f"{receipt.payment.receipt_code}  {receipt.charged}  {receipt.url}")
    if not found:
        fail("no receipt matches that card and day")


def _show(rows: list[dict[str, Any]], json: bool) -> None:
    if json:
        print_json(rows)
        return
    if not rows:
        console.print("nothing to show")
        return
    table = Table(*rows[0].keys())
    for row in rows:
        table.add_row(*("" if v is None else str(v) for v in row.values()))
    console.print(table)
