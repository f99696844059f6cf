"""The root command group loads each command's module only when that command runs.

``forecourt --help`` lists every command from the table below without importing FastAPI,
SQLAlchemy, Alembic or matplotlib (those modules take seconds to import); running
``forecourt stations list`` imports ``forecourt.cli.network`` and nothing it does not need.
A test keeps the table and the modules' own help texts in step.
"""

from __future__ import annotations

import importlib
from dataclasses import dataclass
from typing import Any

import typer
from typer._click import core as click  # Typer vendors its own Click
from typer._coercion import RuntimeParam, TypeDescriptor, build_runtime_param
from typer.core import TyperCommand, TyperGroup, TyperOption, _TyperParameter


@dataclass(frozen=True, slots=True)
class LazyCommand:
    """Where a top-level command lives and the one-line help ``--help`` shows for it."""

    module: str
    short_help: str


_NETWORK = "forecourt.cli.network"

#: The core's commands; every module named here has ``register(app)``, which adds its
#: commands to ``app``. Features add theirs (``Feature.commands``): :data:`LAZY_COMMANDS`.
CORE_COMMANDS: dict[str, LazyCommand] = {
    "serve": LazyCommand("forecourt.cli.serve", "Run the CSMS: OCPP, REST API (/docs), dashboard."),
    "demo": LazyCommand(
        "forecourt.cli.serve", "Demo site with simulated stations charging cars (SQLite)."
    ),
    "simulate": LazyCommand(
        "forecourt.cli.simulate", "Simulated charging stations speaking real OCPP-J to a CSMS."
    ),
    "sites": LazyCommand(_NETWORK, "Sites: where stations stand."),
    "stations": LazyCommand(_NETWORK, "Stations: register, import, inspect, approve."),
    "connectors": LazyCommand(_NETWORK, "Connectors: plug type and rating (retrofits included)."),
    "tokens": LazyCommand("forecourt.cli.tokens", "Tokens: RFID cards, eMAIDs, MAC addresses."),
    "transactions": LazyCommand("forecourt.cli.transactions", "Charging transactions."),
    "apikeys": LazyCommand("forecourt.cli.apikeys", "API keys for the REST API."),
    "command": LazyCommand(
        "forecourt.cli.remote", "Send a command to a station through the running server."
    ),
    "device": LazyCommand(
        "forecourt.cli.device", "Monitors, display messages and customer information (2.0.1)."
    ),
    "drift": LazyCommand(
        "forecourt.cli.drift", "Configuration drift: desired settings per model, corrections."
    ),
    "users": LazyCommand("forecourt.cli.users", "Dashboard users (sign-in at /login)."),
    "reservations": LazyCommand(
        "forecourt.cli.local_auth", "Reservations: keep a connector for a token until a time."
    ),
    "local-list": LazyCommand(
        "forecourt.cli.local_auth", "Local authorization lists and the authorization cache."
    ),
    "cluster": LazyCommand(
        "forecourt.cli.cluster", "Cluster mode: nodes, the stations each holds, lease ages."
    ),
    "doctor": LazyCommand(
        "forecourt.cli.doctor", "Check the set-up: database, port, tools; one fix per problem."
    ),
}


def _feature_commands() -> dict[str, LazyCommand]:
    from forecourt.features import FEATURES  # each feature.py is a few dataclasses: cheap

    return {
        name: LazyCommand(command.module, command.short_help)
        for feature in FEATURES
        for name, command in feature.commands.items()
    }


LAZY_COMMANDS: dict[str, LazyCommand] = {**CORE_COMMANDS, **_feature_commands()}


def load_module_commands(module: str) -> dict[str, click.Command]:
    """The Click commands that ``module.register`` adds, built the way Typer builds them."""
    holder = typer.Typer()
    holder.callback()(_no_options)  # keeps a lone command a sub-command of a group
    importlib.import_module(module).register(holder)
    group = typer.main.get_command(holder)
    assert isinstance(group, TyperGroup)
    return dict(group.commands)


def _no_options() -> None:
    """A group with no options of its own."""


class LazyGroup(TyperGroup):
    """``forecourt``: commands of :data:`LAZY_COMMANDS` are imported when they are run."""

    def list_commands(self, _ctx: click.Context) -> list[str]:
        return [*self.commands, *(name for name in LAZY_COMMANDS if name not in self.commands)]

    def get_command(self, _ctx: click.Context, cmd_name: str) -> click.Command | None:
        loaded = self.commands.get(cmd_name)
        if loaded is not None or cmd_name not in LAZY_COMMANDS:
            return loaded
        # Not run (``resolve_command`` loads what runs): help only needs a name and a line.
        return TyperCommand(cmd_name, help=LAZY_COMMANDS[cmd_name].short_help)

    def resolve_command(
        self, ctx: click.Context, args: list[str]
    ) -> tuple[str | None, click.Command | None, list[str]]:
        if args and args[0] in LAZY_COMMANDS:
            self.load(args[0])
        return super().resolve_command(ctx, args)

    def load(self, cmd_name: str) -> click.Command | None:
        for name, command in load_module_commands(LAZY_COMMANDS[cmd_name].module).items():
            self.commands.setdefault(name, command)
        return self.commands.get(cmd_name)


_typed_display = TyperOption.display_type_rich


def _display_type_rich(option: TyperOption, ctx: click.Context) -> str | None:
    """Typer labels plain flags ``<bool>`` in help, as if they took a value: they do not."""
    return None if option.is_flag else _typed_display(option, ctx)


setattr(TyperOption, "display_type_rich", _display_type_rich)  # noqa: B010 (mypy: method)


class _CheckedWhenGiven(RuntimeParam):
    """Typer checks each value with a pydantic adapter, and pydantic takes ~0.15 s to import.
    An option left out (``None``) needs no check, nor does text for a ``str`` (the adapter
    returns it unchanged): the adapter is built for the first value that does."""

    def _coerce_value(self, value: Any, param: _TyperParameter, ctx: click.Context) -> Any:
        described = param.type_descriptor
        if isinstance(value, str) and described.annotation is str and _plain(described):
            return value
        typed = build_runtime_param(described)
        param._runtime_param = typed
        return typed._coerce_value(value, param=param, ctx=ctx)


def _plain(described: TypeDescriptor) -> bool:
    return described.parameter_info.parser is None and described.file_annotation is None


def _get_runtime_param(param: _TyperParameter) -> RuntimeParam:
    if param._runtime_param is None:
        described = param.type_descriptor
        param._runtime_param = _CheckedWhenGiven(described.parameter_info, described.annotation)
    return param._runtime_param


setattr(_TyperParameter, "get_runtime_param", _get_runtime_param)  # noqa: B010 (mypy: method)
