"""Commands receiver (mod_commands §13.2.2): START_SESSION, STOP_SESSION, UNLOCK_CONNECTOR,
RESERVE_NOW and CANCEL_RESERVATION become our OCPP commands (``RemoteControl`` and the core's
``Reservations``, every protocol version in one place).

The eMSP gets a CommandResponse at once (is this something we can try?); the station is asked
in the background and its answer is queued as a CommandResult for the command's
``response_url``: the durable push queue (``StatusPush``) POSTs it, retried with back-off
until the partner takes it. A START_SESSION's token is one the eMSP vouches for: the
station's own check of it (AuthorizeRemoteStart) is answered ALLOWED from the real-time
cache, by the one rule. A START_SESSION with an ``authorization_reference`` from a Payment
Terminal Provider (a party with the PTP role; an eMSP's reference is only its own label) is
paid at its terminal (``RoamingPayments``): the session's token is the
reference, whose hold the payments slice opened.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Awaitable, Callable
from dataclasses import replace
from typing import Any

from forecourt.domain.commands import Command, RemoteStart, RemoteStop
from forecourt.domain.commands import UnlockConnector as OcppUnlock
from forecourt.domain.errors import Conflict, ForecourtError, NotFound
from forecourt.domain.local_auth import ReservationState
from forecourt.domain.tokens import TokenKind
from forecourt.ocpi.domain.commands import (
    CancelReservation,
    OcpiCommand,
    ReserveNow,
    ResponseType,
    ResultType,
    StartSession,
    StopSession,
    UnlockConnector,
    reservation_result,
    result_of,
)
from forecourt.ocpi.domain.locations import parse_evse_uid
from forecourt.ocpi.domain.parties import Party, Role
from forecourt.ocpi.domain.tokens import kind_of
from forecourt.ocpi.ports import OCPI_PAYMENTS, OCPI_STORE, PushJob
from forecourt.ocpi.services.payments import RoamingPayments
from forecourt.ocpi.services.status_push import RESPONSE_URL
from forecourt.ocpi.services.tokens import RoamingTokens
from forecourt.services.context import ServiceContext
from forecourt.services.remote_control import RemoteControl
from forecourt.services.reservations import Reservations

log = logging.getLogger(__name__)

#: Told of each accepted START_SESSION (``RoamingSessions.expect``: whose session it will be).
Expect = Callable[[Party, StartSession, str, int | None], None]

#: How long the eMSP should wait for the CommandResult (CommandResponse.timeout, seconds).
RESULT_TIMEOUT_S = 60

Outcome = tuple[ResultType, str]


class RoamingCommands:
    def __init__(
        self,
        ctx: ServiceContext,
        remote: RemoteControl,
        reservations: Reservations,
        tokens: RoamingTokens,
        payments: RoamingPayments,
        wake: Callable[[], None],
        expect: Expect | None = None,
    ) -> None:
        self._ctx = ctx
        self._remote = remote
        self._reservations = reservations
        self._tokens = tokens
        self._payments = payments
        self._wake = wake  # StatusPush.wake: the queued result is sent now
        self._expect = expect
        self._running: set[asyncio.Task[None]] = set()
        self.results_queued = 0

    async def receive(self, party: Party, command: OcpiCommand) -> ResponseType:
        """The CommandResponse; when ACCEPTED the station is asked in the background."""
        work = await self._plan(party, command)
        if isinstance(work, ResponseType):
            return work
        task = asyncio.create_task(self._carry_out(party, command.response_url, work))
        self._running.add(task)
        task.add_done_callback(self._running.discard)
        return ResponseType.ACCEPTED

    async def stop(self) -> None:
        for task in list(self._running):
            task.cancel()

    async def _plan(
        self, party: Party, command: OcpiCommand
    ) -> ResponseType | Callable[[], Awaitable[Outcome]]:
        """What to do in the background, or the answer when there is nothing to try."""
        if isinstance(command, CancelReservation):
            return lambda: self._cancel(party, command.reservation_id)
        if isinstance(command, StopSession):
            found = await self._session(command.session_id)
            return ResponseType.UNKNOWN_SESSION if found is None else self._send(party, *found)
        where = await self._evse(command.location_id, command.evse_uid)
        if where is None:
            return ResponseType.REJECTED
        station_id, evse_number = where
        if isinstance(command, UnlockConnector):
            if not command.connector_id.isdigit() or evse_number is None:
                return ResponseType.REJECTED
            unlock = OcppUnlock(evse_number, int(command.connector_id))
            return self._send(party, station_id, unlock)
        if isinstance(command, ReserveNow):
            if not await self._reservable(station_id):
                return ResponseType.NOT_SUPPORTED
            self._tokens.vouch(command.token)
            return lambda: self._reserve(party, command, station_id, evse_number)
        assert evse_number is not None  # _evse: START_SESSION names an EVSE
        if command.authorization_reference is not None and party.has_role(Role.PTP):
            return await self._paid_start(party, command, station_id, evse_number)
        # An eMSP's authorization_reference is its own reference for the Session/CDR.
        self._tokens.vouch(command.token)
        token = command.token
        start = RemoteStart(token.uid, evse_number, token_kind=kind_of(token.type))
        self._expecting(party, command, station_id, evse_number)
        return self._send(party, station_id, start)

    def _expecting(
        self, party: Party, command: StartSession, station_id: str, evse_number: int
    ) -> None:
        """Tell the sessions module whose session this start will open."""
        if self._expect is not None:
            self._expect(party, command, station_id, evse_number)

    async def _paid_start(
        self, party: Party, command: StartSession, station_id: str, evse_number: int
    ) -> ResponseType | Callable[[], Awaitable[Outcome]]:
        reference = command.authorization_reference
        assert reference is not None
        terminal = await self._payments.serving(party, command.location_id, command.evse_uid)
        if terminal is None:
            return ResponseType.REJECTED  # no active terminal of this PTP serves the EVSE
        why = await self._payments.authorize(party, reference, terminal, station_id, evse_number)
        if why:
            log.info("START_SESSION %s refused: %s", reference, why)
            return ResponseType.REJECTED
        start = RemoteStart(reference, evse_number, token_kind=TokenKind.PAYMENT)
        self._expecting(party, command, station_id, evse_number)
        return self._send(party, station_id, start)

    def _send(
        self, party: Party, station_id: str, command: Command
    ) -> Callable[[], Awaitable[Outcome]]:
        async def send() -> Outcome:
            record = await self._remote.send(station_id, command, requested_by=f"ocpi:{party.name}")
            return result_of(record.status), record.error

        return send

    async def _reserve(
        self, party: Party, command: ReserveNow, station_id: str, evse_number: int | None
    ) -> Outcome:
        """RESERVE_NOW: a reservation with the same id replaces the one before (§13.3.5)."""
        async with self._ctx.uow() as uow:
            before = await uow.repository(OCPI_PAYMENTS).reservation(
                party.id, command.reservation_id
            )
        if before is not None:
            await self._cancel(party, command.reservation_id)
        try:
            reservation = await self._reservations.reserve(
                station_id,
                command.token.uid,
                command.expiry_date,
                evse_id=evse_number or 0,
                requested_by=f"ocpi:{party.name}",
                vouched=kind_of(command.token.type),
            )
        except Conflict as exc:
            return ResultType.EVSE_OCCUPIED, str(exc)
        async with self._ctx.uow() as uow:
            store = uow.repository(OCPI_PAYMENTS)
            await store.link_reservation(party.id, command.reservation_id, reservation.id)
            if reservation.answer == "not_supported":  # learned: the station has no profile
                features = (await store.features()).get(station_id)
                if features is not None:
                    await store.put_features(replace(features, reservable=False))
            await uow.commit()
        if reservation.state is ReservationState.ACTIVE:
            return ResultType.ACCEPTED, ""
        return reservation_result(reservation.answer), reservation.answer

    async def _cancel(self, party: Party, reservation_id: str) -> Outcome:
        async with self._ctx.uow() as uow:
            ours = await uow.repository(OCPI_PAYMENTS).reservation(party.id, reservation_id)
        if ours is None:
            return ResultType.UNKNOWN_RESERVATION, f"no reservation {reservation_id}"
        try:
            await self._reservations.cancel(ours, requested_by=f"ocpi:{party.name}")
        except (Conflict, NotFound) as exc:
            return ResultType.UNKNOWN_RESERVATION, str(exc)
        return ResultType.CANCELED_RESERVATION, ""

    async def _reservable(self, station_id: str) -> bool:
        async with self._ctx.uow() as uow:
            features = (await uow.repository(OCPI_PAYMENTS).features()).get(station_id)
        return features is not None and features.reservable

    async def _evse(self, location_id: str, evse_uid: str | None) -> tuple[str, int | None] | None:
        if evse_uid is None:
            return None  # we act on a named EVSE only (a location has many stations)
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
        self, party: Party, response_url: str, work: Callable[[], Awaitable[Outcome]]
    ) -> None:
        try:
            result, message = await work()
        except ForecourtError as exc:
            result, message = ResultType.FAILED, str(exc)
        body: dict[str, Any] = {"result": result.value}
        if message:
            body["message"] = [{"language": "en", "text": message[:512]}]
        job = PushJob(party.id, "POST", RESPONSE_URL, response_url, body, self._ctx.clock.now())
        async with self._ctx.uow() as uow:
            await uow.repository(OCPI_STORE).enqueue(job)
            await uow.commit()
        self.results_queued += 1
        self._wake()
