"""``forecourt apikeys ...``: keys for the REST API (and ``forecourt command``)."""

from __future__ import annotations

from typing import Annotated

import typer

from forecourt.cli import render
from forecourt.cli.runtime import JsonFlag, console, fail, print_json, with_services
from forecourt.domain.limits import INT32_MAX
from forecourt.services.roles import Role

apikeys_app = typer.Typer(help="API keys for the REST API.", no_args_is_help=True)


@apikeys_app.command("create")
def create_key(
    ctx: typer.Context,
    name: Annotated[str, typer.Argument(help="Who or what uses the key.")],
    role: Annotated[Role, typer.Option(help="What the key may do.")] = Role.ADMIN,
    as_json: JsonFlag = False,
) -> None:
    """Create a key and print it: this is the only time it is shown."""
    from forecourt.api.schemas import ApiKeyOut  # the API models are slow to import: here only

    key, record = with_services(ctx, lambda s: s.api_keys.create(name, role))
    if as_json:
        print_json({**ApiKeyOut.from_domain(record).model_dump(mode="json"), "key": key})
        return
    console.print(f"API key {record.id} ({role.value}) for {name!r}; store it now, it is not kept:")
    typer.echo(key)


@apikeys_app.command("list")
def list_keys(ctx: typer.Context, as_json: JsonFlag = False) -> None:
    """List keys (never the keys themselves)."""
    from forecourt.api.schemas import ApiKeyOut

    items = [ApiKeyOut.from_domain(k) for k in with_services(ctx, lambda s: s.api_keys.list())]
    if as_json:
        print_json([item.model_dump(mode="json") for item in items])
    else:
        render.api_keys(items)


@apikeys_app.command("revoke")
def revoke_key(
    ctx: typer.Context,
    key_id: Annotated[
        int, typer.Argument(min=1, max=INT32_MAX, metavar="ID", help="As shown by `apikeys list`.")
    ],
) -> None:
    """Revoke a key: it stops working at once."""
    if not with_services(ctx, lambda s: s.api_keys.revoke(key_id)):
        fail(f"API key {key_id} not found")
    console.print(f"API key {key_id} revoked")


def register(app: typer.Typer) -> None:
    app.add_typer(apikeys_app, name="apikeys")
