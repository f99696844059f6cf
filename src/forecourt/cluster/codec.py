"""Commands and their results as JSON for node-to-node requests.

A command travels as its type name and its fields; the receiving node rebuilds it with
pydantic from the domain's own type hints. Only members of ``domain.commands.Command``
can be rebuilt, so a request cannot make a node construct anything else."""

from __future__ import annotations

import typing
from functools import cache
from typing import Any

import orjson
from pydantic import TypeAdapter

from forecourt.domain.commands import Command, CommandResult, CommandStatus

COMMAND_TYPES: dict[str, type[Any]] = {t.__name__: t for t in typing.get_args(Command)}


@cache
def _adapter(name: str) -> TypeAdapter[Any]:
    return TypeAdapter(COMMAND_TYPES[name])


class UnknownCommand(ValueError):
    """A request named a type that is not a Forecourt command (or a version skew)."""


def encode_command(command: Command) -> dict[str, Any]:
    name = type(command).__name__
    return {"type": name, "fields": _adapter(name).dump_python(command, mode="json")}


def decode_command(data: dict[str, Any]) -> Command:
    name = str(data.get("type"))
    if name not in COMMAND_TYPES:
        raise UnknownCommand(f"not a command type: {name!r}")
    command: Command = _adapter(name).validate_python(data.get("fields") or {})
    return command


def encode_result(result: CommandResult) -> dict[str, Any]:
    return {"status": result.status.value, "data": result.data, "error": result.error}


def decode_result(data: dict[str, Any]) -> CommandResult:
    return CommandResult(CommandStatus(data["status"]), dict(data.get("data") or {}), data["error"])


def dumps(value: dict[str, Any]) -> bytes:
    return orjson.dumps(value)


def loads(raw: bytes) -> dict[str, Any]:
    value = orjson.loads(raw)
    if not isinstance(value, dict):
        raise ValueError("expected a JSON object")
    return value
