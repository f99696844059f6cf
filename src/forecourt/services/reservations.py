"""Reservations (1.6 Reservation profile, 2.0.1 block H): one rule for every version.

A reservation is stored before it is sent, so the station's answer (accepted, occupied,
faulted, rejected, unavailable) is recorded against it; expiry is swept here and taken from
the station's ReservationStatusUpdate; a transaction on the reserved EVSE by its token (or
with its reservationId) ends it as used. Authorization asks :func:`reserved_for_other`.
"""

from __future__ import annotations

from datetime import datetime

from forecourt.domain.commands import CommandStatus
from forecourt.domain.errors import Conflict, ForecourtError, InvalidInput, NotFound
from forecourt.domain.local_auth import (
    CancelReservation,
    Reservation,
    ReservationState,
    ReserveNow,
    admits,
)
from forecourt.domain.tokens import TokenKind
from forecourt.ports.repositories import UnitOfWork
from forecourt.services.context import ServiceContext
from forecourt.services.remote_control import RemoteControl

#: How a station ends a reservation on its own (2.0.1 ReservationStatusUpdate).
STATION_ENDINGS = {"expired": ReservationState.EXPIRED, "removed": ReservationState.REMOVED}


class Reservations:
    def __init__(self, ctx: ServiceContext, remote: RemoteControl | None = None) -> None:
        self._ctx = ctx
        self._remote = remote  # None on the protocol edge: it only records what stations say

    async def reserve(
        self,
        station_id: str,
        id_token: str,
        expires_at: datetime,
        *,
        evse_id: int = 0,
        connector_type: str | None = None,
        requested_by: str = "",
        vouched: TokenKind | None = None,
    ) -> Reservation:
        """Keep an EVSE (0: any) for a token until ``expires_at``; Conflict when it is taken.
        ``vouched``: the kind of a token another party answers for (a roaming eMSP's), which
        is not in our token list."""
        now = self._ctx.clock.now()
        if expires_at <= now:
            raise InvalidInput("a reservation must expire in the future")
        if evse_id < 0:
            raise InvalidInput("evse_id must be 0 (any) or a positive EVSE id")
        async with self._ctx.uow() as uow:
            reservation = await self._open(
                uow, station_id, id_token, expires_at, evse_id, now, vouched is not None
            )
            reservation.connector_type = connector_type
            reservation.requested_by = requested_by
            await uow.reservations.add(reservation)
            await uow.commit()
        kind = vouched or await self._token_kind(id_token)
        command = ReserveNow(
            reservation.id, id_token, _iso(expires_at), evse_id, kind, reservation.group,
            connector_type,
        )  # fmt: skip
        try:
            record = await self._require_remote().send(
                station_id, command, requested_by=requested_by
            )
        except ForecourtError as error:  # the station's protocol cannot carry it: holds nothing
            await self._end(reservation.id, ReservationState.REFUSED, f"not sent: {error}")
            raise
        accepted = record.status is CommandStatus.ACCEPTED
        reservation.state = ReservationState.ACTIVE if accepted else ReservationState.REFUSED
        reservation.answer = record.status.value
        if not accepted:
            reservation.ended_at = self._ctx.clock.now()
        return await self._store(reservation)

    async def cancel(self, reservation_id: int, *, requested_by: str = "") -> Reservation:
        reservation = await self.get(reservation_id)
        if not reservation.state.holding:
            raise Conflict(f"reservation {reservation_id} has already ended ({reservation.state})")
        record = await self._require_remote().send(
            reservation.station_id, CancelReservation(reservation_id), requested_by=requested_by
        )
        # Cancelled here whatever the station says: Rejected means it no longer holds it,
        # and an offline station lets it expire on its own.
        return await self._end(reservation_id, ReservationState.CANCELLED, record.status.value)

    async def expire_due(self) -> list[Reservation]:
        """The sweep: holding reservations past their expiry become expired."""
        now = self._ctx.clock.now()
        async with self._ctx.uow() as uow:
            due = await uow.reservations.due(now)
            for reservation in due:
                _finish(reservation, ReservationState.EXPIRED, "expiry passed", now)
                await uow.reservations.save(reservation)
                self._announce(uow, reservation)
            await uow.commit()
        return due

    async def station_update(self, station_id: str, reservation_id: int, ending: str) -> None:
        """The station ended a reservation (2.0.1 ReservationStatusUpdate): Expired/Removed."""
        async with self._ctx.uow() as uow:
            reservation = await uow.reservations.get(reservation_id)
        if reservation is None or reservation.station_id != station_id:
            return  # not ours to change; acknowledged all the same (nothing to retry)
        if reservation.state.holding:
            await self._end(reservation_id, STATION_ENDINGS[ending], f"station: {ending}")

    async def get(self, reservation_id: int) -> Reservation:
        async with self._ctx.uow() as uow:
            reservation = await uow.reservations.get(reservation_id)
        if reservation is None:
            raise NotFound("reservation", reservation_id)
        return reservation

    async def list(self, station_id: str | None = None, limit: int = 100) -> list[Reservation]:
        async with self._ctx.uow() as uow:
            return await uow.reservations.list(station_id, limit)

    async def _open(
        self,
        uow: UnitOfWork,
        station_id: str,
        id_token: str,
        expires_at: datetime,
        evse_id: int,
        now: datetime,
        vouched: bool = False,
    ) -> Reservation:
        # one clash check at a time per station, even on several nodes: the other waits
        # here, then sees this one's reservation
        await uow.reservations.lock_station(station_id)
        station = await uow.stations.get(station_id)
        if station is None:
            raise NotFound("station", station_id)
        if evse_id and station.evse(evse_id) is None:
            raise NotFound("evse", f"{station_id}/{evse_id}")
        token = await uow.tokens.get(id_token)
        if token is None and not vouched:
            raise NotFound("token", id_token)
        for held in await uow.reservations.holding(station_id):
            if held.expires_at > now and (held.evse_id == evse_id or 0 in (evse_id, held.evse_id)):
                where = f"EVSE {held.evse_id}" if held.evse_id else "the station"
                raise Conflict(
                    f"{where} of {station_id} is already reserved (reservation {held.id}) "
                    f"until {_iso(held.expires_at)}"
                )
        group = token.group if token is not None else None
        return Reservation(station_id, evse_id, id_token, expires_at, now, group=group or None)

    async def _token_kind(self, id_token: str) -> TokenKind:
        async with self._ctx.uow() as uow:
            token = await uow.tokens.get(id_token)
        return token.kind if token is not None else TokenKind.CENTRAL

    async def _end(self, reservation_id: int, state: ReservationState, answer: str) -> Reservation:
        async with self._ctx.uow() as uow:
            reservation = await uow.reservations.get(reservation_id)
            if reservation is None:
                raise NotFound("reservation", reservation_id)
            _finish(reservation, state, answer, self._ctx.clock.now())
            await uow.reservations.save(reservation)
            self._announce(uow, reservation)
            await uow.commit()
        return reservation

    async def _store(self, reservation: Reservation) -> Reservation:
        async with self._ctx.uow() as uow:
            current = await uow.reservations.get(reservation.id)
            if current is not None and not current.state.holding:
                return current  # ended meanwhile (used, or the station said so): keep that
            await uow.reservations.save(reservation)
            self._announce(uow, reservation)
            await uow.commit()
        return reservation

    def _announce(self, uow: UnitOfWork, reservation: Reservation) -> None:
        """Staged in the unit of work that stores the change (ADR 0012)."""
        news = reservation_news(reservation)
        self._ctx.stage(uow, reservation.station_id, [("reservation.changed", news)])

    def _require_remote(self) -> RemoteControl:
        if self._remote is None:
            raise RuntimeError("this Reservations cannot send commands (built for the edge)")
        return self._remote


async def reserved_for_other(
    uow: UnitOfWork,
    station_id: str,
    evse_id: int,
    token: str,
    group: str | None,
    now: datetime,
) -> bool:
    """The one authorization rule's reservation check: an EVSE reserved for another token
    (and not for the token's group) admits nobody else until the reservation ends."""
    if not evse_id:
        return False  # EVSE not known yet: nothing to hold it against
    return any(
        held.evse_id == evse_id
        and held.expires_at > now
        and not admits(held.id_token, held.group, token, group)
        for held in await uow.reservations.holding(station_id)
    )


async def use_reservation(
    uow: UnitOfWork,
    station_id: str,
    evse_id: int,
    token: str | None,
    reservation_id: int | None,
    transaction_id: int,
    now: datetime,
) -> Reservation | None:
    """A transaction started: the reservation it names, or its token's on that EVSE, is used."""
    for held in await uow.reservations.holding(station_id):
        named = reservation_id is not None and held.id == reservation_id
        same = token is not None and held.id_token == token and held.evse_id in (0, evse_id)
        if named or same:
            held.transaction_id = transaction_id
            _finish(held, ReservationState.USED, f"transaction {transaction_id}", now)
            await uow.reservations.save(held)
            return held
    return None


def reservation_news(reservation: Reservation) -> dict[str, object]:
    """The data of a ``reservation.changed`` event."""
    return {
        "reservation_id": reservation.id,
        "evse_id": reservation.evse_id,
        "state": reservation.state.value,
    }


def _finish(reservation: Reservation, state: ReservationState, answer: str, now: datetime) -> None:
    reservation.state = state
    reservation.answer = answer
    reservation.ended_at = now


def _iso(at: datetime) -> str:
    return at.isoformat().replace("+00:00", "Z")
