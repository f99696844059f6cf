"""``forecourt tokens ...``: RFID cards and other identification tokens."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Annotated

import typer

from forecourt.cli import render
from forecourt.cli.bulk import CsvFile, run_import
from forecourt.cli.runtime import JsonFlag, console, print_json, with_services
from forecourt.domain.tokens import TokenKind, TokenRecord

tokens_app = typer.Typer(help="Tokens: RFID cards, eMAIDs, MAC addresses...", no_args_is_help=True)

Tag = Annotated[str, typer.Argument(metavar="TAG", help="Card UID, eMAID, MAC...")]


def _instant(text: str | None) -> datetime | None:
    """ISO 8601; a time without an offset is taken as UTC."""
    if text is None:
        return None
    try:
        at = datetime.fromisoformat(text)
    except ValueError:
        raise typer.BadParameter(
            f"{text!r} is not an ISO 8601 date or time, e.g. 2027-01-31 or 2027-01-31T18:00+01:00"
        ) from None
    return at.replace(tzinfo=UTC) if at.tzinfo is None else at.astimezone(UTC)


@tokens_app.command("add")
def add_token(
    ctx: typer.Context,
    tag: Tag,
    kind: Annotated[TokenKind, typer.Option(help="How the driver identifies.")] = TokenKind.RFID,
    expires: Annotated[
        str | None, typer.Option(metavar="WHEN", help="ISO 8601; without offset: UTC.")
    ] = None,
    group: Annotated[str | None, typer.Option(help="Fleet group (shared concurrency).")] = None,
    label: Annotated[str, typer.Option(help="A note for operators.")] = "",
) -> None:
    """Add a token that may start charging."""
    token = TokenRecord(tag, kind, expires_at=_instant(expires), group=group or None, label=label)
    with_services(ctx, lambda s: s.network.add_token(token))
    console.print(f"token {tag} added")


@tokens_app.command("import")
def import_tokens(ctx: typer.Context, path: CsvFile) -> None:
    """Add or update tokens from CSV: tag,kind,expires,group,label (see docs/cli.md).

    Every row is checked first; on any error nothing is written. Re-importing is safe.
    """
    from forecourt.services.bulk_import import import_tokens as importer

    run_import(ctx, path, "tokens", importer)


@tokens_app.command("block")
def block_token(ctx: typer.Context, tag: Tag) -> None:
    """Block a token: stations refuse it from now on."""
    with_services(ctx, lambda s: s.network.update_token(tag, blocked=True))
    console.print(f"token {tag} blocked")


@tokens_app.command("unblock")
def unblock_token(ctx: typer.Context, tag: Tag) -> None:
    """Unblock a token."""
    with_services(ctx, lambda s: s.network.update_token(tag, blocked=False))
    console.print(f"token {tag} unblocked")


@tokens_app.command("list")
def list_tokens(ctx: typer.Context, as_json: JsonFlag = False) -> None:
    """List tokens."""
    from forecourt.api.schemas import TokenOut  # the API package is slow to import: here only
    from forecourt.services.access import Role  # the CLI has the database: an admin

    items = [
        TokenOut.from_domain(t, Role.ADMIN)
        for t in with_services(ctx, lambda s: s.network.tokens())
    ]
    if as_json:
        print_json([item.model_dump(mode="json") for item in items])
    else:
        render.tokens(items)


def register(app: typer.Typer) -> None:
    app.add_typer(tokens_app, name="tokens")
