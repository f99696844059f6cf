"""CSMS-initiated commands: record, send through the gateway, record the station's answer."""

from __future__ import annotations

import dataclasses
from datetime import datetime
from enum import Enum
from typing import Any

from forecourt.domain.commands import (
    PASSWORD_VARIABLES,
    Command,
    CommandKind,
    CommandRecord,
    CommandResult,
    CommandStatus,
    RemoteStart,
    RemoteStop,
    SetConfiguration,
    SetConfigurationItems,
    SetStationPassword,
    kind_of,
)
from forecourt.domain.errors import Conflict, InvalidInput, NotFound
from forecourt.domain.payloads import bounded_payload
from forecourt.domain.tokens import TokenKind
from forecourt.ports.station_gateway import StationGateway
from forecourt.services.context import ServiceContext


class RemoteControl:
    def __init__(self, ctx: ServiceContext, gateway: StationGateway) -> None:
        self._ctx = ctx
        self._gateway = gateway

    async def send(
        self,
        station_id: str,
        command: Command,
        *,
        requested_by: str = "",
        timeout: float | None = None,
    ) -> CommandRecord:
        """Send a command and wait for the answer; the record survives whatever happens."""
        refuse_password_change(command)
        if isinstance(command, RemoteStart) and command.token_kind is None:
            command = dataclasses.replace(command, token_kind=await self._kind_of(command))
        record = await self._open_record(station_id, command, requested_by)
        if isinstance(command, RemoteStart) and command.remote_start_id is None:
            # 2.0.1 echoes remoteStartId in the transaction it starts: use our record id
            command = dataclasses.replace(command, remote_start_id=record.id)
        if not self._gateway.is_connected(station_id):
            result = CommandResult(CommandStatus.OFFLINE, error="station is not connected")
        else:
            try:
                result = await self._gateway.send(
                    station_id, command, timeout or self._ctx.policy.command_timeout_s
                )
            except InvalidInput as invalid:  # the station's protocol cannot carry it
                await self._close_record(
                    record, CommandResult(CommandStatus.NOT_SUPPORTED, error=str(invalid))
                )
                raise
        return await self._close_record(record, result)

    def connected(self, station_id: str) -> bool:
        return self._gateway.is_connected(station_id)

    async def _kind_of(self, command: RemoteStart) -> TokenKind:
        """The token's registered type travels with it (2.0.1 idToken.type); unknown: Central."""
        async with self._ctx.uow() as uow:
            token = await uow.tokens.get(command.id_token)
        return TokenKind.CENTRAL if token is None else token.kind

    async def stop_transaction(
        self, transaction_id: int, *, requested_by: str = ""
    ) -> CommandRecord:
        """Remote stop by Forecourt's transaction number, whatever id the station uses."""
        async with self._ctx.uow() as uow:
            tx = await uow.transactions.get(transaction_id)
        if tx is None:
            raise NotFound("transaction", transaction_id)
        if not tx.active:
            raise Conflict(f"transaction {transaction_id} has already ended")
        return await self.send(
            tx.station_id, RemoteStop(tx.station_tx_id), requested_by=requested_by
        )

    async def _open_record(
        self, station_id: str, command: Command, requested_by: str
    ) -> CommandRecord:
        async with self._ctx.uow() as uow:
            if await uow.stations.get(station_id) is None:
                raise NotFound("station", station_id)
            record = await uow.commands.add(
                CommandRecord(
                    station_id=station_id,
                    kind=kind_of(command),
                    params=command_params(command),
                    requested_at=self._ctx.clock.now(),
                    requested_by=requested_by,
                )
            )
            await uow.commit()
        return record

    async def _close_record(self, record: CommandRecord, result: CommandResult) -> CommandRecord:
        limit = self._ctx.policy.max_stored_payload_bytes
        record.status = result.status
        # A station's DataTransfer answer is free-form; other answers are schema-bounded.
        free_form = record.kind is CommandKind.DATA_TRANSFER
        record.result = bounded_payload(result.data, limit) if free_form else result.data
        record.error = _cut(result.error, limit)  # may quote a station's errorDescription
        record.completed_at = self._ctx.clock.now()
        async with self._ctx.uow() as uow:
            await uow.commands.save(record)
            self._ctx.stage_event(  # stored with the answer it reports (ADR 0012)
                uow,
                "command.completed",
                record.station_id,
                command_id=record.id,
                kind=record.kind.value,
                status=record.status.value,
                error=record.error,
            )
            await uow.commit()
        return record

    async def history(self, station_id: str | None = None, limit: int = 100) -> list[CommandRecord]:
        async with self._ctx.uow() as uow:
            return await uow.commands.list(station_id, limit)

    async def get(self, command_id: int) -> CommandRecord:
        async with self._ctx.uow() as uow:
            record = await uow.commands.get(command_id)
        if record is None:
            raise NotFound("command", command_id)
        return record


def refuse_password_change(command: Command) -> None:
    """A plain configuration change of the station's password would lock it out: the
    station switches, Forecourt keeps the old hash. Only the rotation may change it."""
    if isinstance(command, SetConfigurationItems):
        for item in command.items:
            refuse_password_change(item)
    if isinstance(command, SetConfiguration) and command.key.variable in PASSWORD_VARIABLES:
        raise InvalidInput(
            f"{command.key} is the station's password: rotate it with"
            " `forecourt command STATION rotate-password` (API: POST"
            " /api/stations/{id}/password-rotation), which keeps the station able to connect"
        )


def command_params(command: Command) -> dict[str, Any]:
    """JSON-ready parameters for the command log."""
    params: dict[str, Any] = _jsonable(dataclasses.asdict(command))
    if isinstance(command, SetStationPassword):
        params["password"] = "(generated, not stored)"
    return params


def _jsonable(value: Any) -> Any:
    if isinstance(value, Enum):
        return value.value
    if isinstance(value, datetime):  # charging profiles' starts and validity
        return value.isoformat()
    if isinstance(value, dict):
        return {k: _jsonable(v) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [_jsonable(v) for v in value]
    return value


def _cut(text: str, limit: int) -> str:
    return text if len(text) <= limit else f"{text[:limit]}... ({len(text)} characters)"
