"""The StationGateway port for stations connected to this process."""

from __future__ import annotations

import logging

from forecourt.domain.commands import Command, CommandResult, CommandStatus
from forecourt.domain.errors import CommandNotSupported, InvalidInput
from forecourt.domain.stations import ProtocolVersion
from forecourt.gateway.registry import ConnectionRegistry
from forecourt.ocpp.errors import (
    CallFailed,
    CallTimeout,
    InvalidRequest,
    InvalidResponse,
    OutboundCallError,
    SessionClosed,
)

log = logging.getLogger("forecourt.gateway")


class LocalStationGateway:
    def __init__(self, registry: ConnectionRegistry) -> None:
        self._registry = registry

    def is_connected(self, station_id: str) -> bool:
        return self._registry.get(station_id) is not None

    def protocol_of(self, station_id: str) -> ProtocolVersion | None:
        connection = self._registry.get(station_id)
        return None if connection is None else connection.adapter.protocol

    def connected_ids(self) -> list[str]:
        return self._registry.ids()

    async def send(self, station_id: str, command: Command, timeout: float) -> CommandResult:
        connection = self._registry.get(station_id)
        if connection is None:
            return CommandResult(CommandStatus.OFFLINE, error="station is not connected")
        try:
            action, payload = connection.adapter.render(command)
        except CommandNotSupported as exc:
            return CommandResult(CommandStatus.NOT_SUPPORTED, error=str(exc))
        try:
            response = await connection.session.call(action, payload, timeout=timeout)
        except CallTimeout:
            return CommandResult(CommandStatus.TIMEOUT, error=f"no answer within {timeout:g} s")
        except CallFailed as exc:
            return CommandResult(CommandStatus.CALL_ERROR, error=str(exc))
        except SessionClosed:
            return CommandResult(CommandStatus.OFFLINE, error="connection closed during the call")
        except InvalidRequest as exc:  # the operator's values do not fit the schema
            raise InvalidInput(str(exc)) from exc
        except InvalidResponse as exc:
            return CommandResult(CommandStatus.CALL_ERROR, error=f"invalid answer: {exc}")
        except OutboundCallError as exc:
            return CommandResult(CommandStatus.CALL_ERROR, error=str(exc))
        return connection.adapter.interpret(command, response)
