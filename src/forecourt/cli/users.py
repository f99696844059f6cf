"""``forecourt users ...``: who may sign in to the dashboard (``/login``)."""

from __future__ import annotations

from typing import Annotated, Any

import typer

from forecourt.cli import render
from forecourt.cli.runtime import JsonFlag, console, print_json, with_services
from forecourt.ports.users import User
from forecourt.services.roles import Role

users_app = typer.Typer(help="Dashboard users (sign-in at /login).", no_args_is_help=True)

PasswordOption = Annotated[
    str | None,
    typer.Option(help="The password; asked for (hidden) when not given.", show_default=False),
]


def register(app: typer.Typer) -> None:
    app.add_typer(users_app, name="users")


@users_app.command("add")
def add_user(
    ctx: typer.Context,
    name: Annotated[str, typer.Argument(help="Username (case-insensitive).")],
    role: Annotated[Role, typer.Option(help="What the user may do.")] = Role.VIEWER,
    password: PasswordOption = None,
    site: Annotated[
        list[str] | None,
        typer.Option(help="Limit the user to this site (repeat for several; site hosts)."),
    ] = None,
    as_json: JsonFlag = False,
) -> None:
    """Create a user; with --site the user sees only those sites."""
    secret = password if password is not None else _ask_password()
    user = with_services(ctx, lambda s: s.users.create(name, secret, role, site or ()))
    if as_json:
        print_json(_as_json(user))
        return
    scope = ", ".join(user.site_ids) if user.site_ids else "the whole network"
    console.print(f"user {user.username!r} ({user.role}) created; sees {scope}")


@users_app.command("list")
def list_users(ctx: typer.Context, as_json: JsonFlag = False) -> None:
    """List users (never their passwords)."""
    users = with_services(ctx, lambda s: s.users.list())
    if as_json:
        print_json([_as_json(user) for user in users])
        return
    rows = [
        (
            user.username,
            user.role,
            ", ".join(user.site_ids) or "all",
            "disabled" if user.disabled else "active",
            render.when(user.created_at),
        )
        for user in users
    ]
    render.table("Users", ("username", "role", "sites", "state", "created"), rows)


@users_app.command("set-password")
def set_password(
    ctx: typer.Context,
    name: Annotated[str, typer.Argument(help="Username.")],
    password: PasswordOption = None,
) -> None:
    """Change a password; the user's open dashboard sessions end."""
    secret = password if password is not None else _ask_password()
    user = with_services(ctx, lambda s: s.users.set_password(name, secret))
    console.print(f"password of {user.username!r} changed")


def _ask_password() -> str:
    answer: str = typer.prompt("Password", hide_input=True, confirmation_prompt=True)
    return answer


def _as_json(user: User) -> dict[str, Any]:
    return {
        "id": user.id,
        "username": user.username,
        "role": user.role,
        "site_ids": list(user.site_ids),
        "disabled": user.disabled,
        "created_at": user.created_at.isoformat() if user.created_at else None,
    }
