"""Commands receiver (mod_commands §13.2.2): START_SESSION, STOP_SESSION and UNLOCK_CONNECTOR
become our OCPP commands (``RemoteControl``, every protocol version in one place).

The eMSP gets a CommandResponse at once (is this something we can try?); the station is asked
in the background and its answer is POSTed to the command's ``response_url`` as a
CommandResult. A START_SESSION's token is one the eMSP vouches for: the station's own check of
it (AuthorizeRemoteStart) is answered ALLOWED from the real-time cache, by the one rule.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Callable
from typing import Any

from forecourt.domain.commands import Command, RemoteStart, RemoteStop
from forecourt.domain.commands import UnlockConnector as OcppUnlock
from forecourt.domain.errors import ForecourtError
from forecourt.ocpi.domain.commands import (
    OcpiCommand,
    ResponseType,
    ResultType,
    StartSession,
    StopSession,
    UnlockConnector,
    result_of,
)
from forecourt.ocpi.domain.locations import parse_evse_uid
from forecourt.ocpi.domain.parties import Party
from forecourt.ocpi.domain.tokens import kind_of
from forecourt.ocpi.ports import OcpiClient
from forecourt.ocpi.services.tokens import RoamingTokens
from forecourt.services.context import ServiceContext
from forecourt.services.remote_control import RemoteControl

log = logging.getLogger(__name__)

#: Told of each accepted START_SESSION (``RoamingSessions.expect``: whose session it will be).
Expect = Callable[[Party, StartSession, str, int | None], None]

#: How long the eMSP should wait for the CommandResult (CommandResponse.timeout, seconds).
RESULT_TIMEOUT_S = 60


class RoamingCommands:
    def __init__(
        self,
        ctx: ServiceContext,
        remote: RemoteControl,
        tokens: RoamingTokens,
        client: OcpiClient,
        expect: Expect | None = None,
    ) -> None:
        self._ctx = ctx
        self._remote = remote
        self._tokens = tokens
        self._client = client
        self._expect = expect
        self._running: set[asyncio.Task[None]] = set()
        self.results_sent = 0

    async def receive(self, party: Party, command: OcpiCommand) -> ResponseType:
        """The CommandResponse; when ACCEPTED the station is asked in the background."""
        target = await self._target(command)
        if target is None:
            unknown = isinstance(command, StopSession)
            return ResponseType.UNKNOWN_SESSION if unknown else ResponseType.REJECTED
        station_id, ocpp = target
        if isinstance(command, StartSession):
            self._tokens.vouch(command.token)
            if self._expect is not None and isinstance(ocpp, RemoteStart):
                self._expect(party, command, station_id, ocpp.evse_id)
        task = asyncio.create_task(self._carry_out(party, command.response_url, station_id, ocpp))
        self._running.add(task)
        task.add_done_callback(self._running.discard)
        return ResponseType.ACCEPTED

    async def stop(self) -> None:
        for task in list(self._running):
            task.cancel()

    async def _target(self, command: OcpiCommand) -> tuple[str, Command] | None:
        """The station and the OCPP command, or None when it names nothing of ours."""
        if isinstance(command, StopSession):
            return await self._session(command.session_id)
        where = await self._evse(command.location_id, command.evse_uid)
        if where is None:
            return None
        station_id, evse_number = where
        if isinstance(command, UnlockConnector):
            if not command.connector_id.isdigit() or evse_number is None:
                return None
            return station_id, OcppUnlock(evse_number, int(command.connector_id))
        token = command.token
        return station_id, RemoteStart(token.uid, evse_number, token_kind=kind_of(token.type))

    async def _evse(self, location_id: str, evse_uid: str | None) -> tuple[str, int | None] | None:
        if evse_uid is None:
            return None  # we start on a named EVSE only (a location has many stations)
        parsed = parse_evse_uid(evse_uid)
        async with self._ctx.uow() as uow:
            station = await uow.stations.get(parsed[0]) if parsed else None
        if parsed is None or station is None or station.site_id != location_id:
            return None
        return parsed

    async def _session(self, session_id: str) -> tuple[str, Command] | None:
        if not session_id.isdigit():
            return None
        async with self._ctx.uow() as uow:
            tx = await uow.transactions.get(int(session_id))
        if tx is None or not tx.active:
            return None
        return tx.station_id, RemoteStop(tx.station_tx_id)

    async def _carry_out(
        self, party: Party, response_url: str, station_id: str, command: Command
    ) -> None:
        try:
            record = await self._remote.send(station_id, command, requested_by=f"ocpi:{party.name}")
            result, message = result_of(record.status), record.error
        except ForecourtError as exc:
            result, message = ResultType.FAILED, str(exc)
        body: dict[str, Any] = {"result": result.value}
        if message:
            body["message"] = [{"language": "en", "text": message[:512]}]
        try:
            await self._client.call("POST", response_url, party.token_out, body)
            self.results_sent += 1
        except ConnectionError as exc:
            log.warning("CommandResult to %s not delivered: %s", party.name, exc)
