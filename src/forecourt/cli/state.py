"""The global options every command sees, kept light: ``forecourt --help`` imports this."""

from __future__ import annotations

import typer


class CliState:
    """Global options, kept in the Typer context's ``obj``.

    The database URL falls back to the settings (environment, ``.env``) only when a command
    asks for it, so commands that need no database never load the settings machinery.
    """

    __slots__ = ("_database_url",)

    def __init__(self, database_url: str | None = None) -> None:
        self._database_url = database_url

    @property
    def database_url(self) -> str:
        if self._database_url is None:
            from forecourt.settings import Settings

            self._database_url = Settings().database_url
        return self._database_url


def state_of(ctx: typer.Context) -> CliState:
    state = ctx.find_root().obj
    if not isinstance(state, CliState):  # a sub-app invoked on its own (tests)
        raise RuntimeError("the forecourt CLI state is missing; call the root app")
    return state
