"""Rotating a station's HTTP Basic password without locking it out (OCPP A01, 1.6 security
whitepaper): the new password is generated here, sent as a neutral ``SetStationPassword``,
and its hash stored only when the station accepted it. The previous password stays valid
until the station has connected with the new one (``Provisioning.admit`` drops it then)."""

from __future__ import annotations

import secrets
import string

from forecourt.domain.commands import CommandRecord, CommandStatus, SetStationPassword
from forecourt.domain.errors import Conflict, NotFound
from forecourt.services.context import ServiceContext
from forecourt.services.credentials import hash_password_off_loop
from forecourt.services.remote_control import RemoteControl

#: 32 letters and digits: ~190 bits, inside 2.0.1's 16..40 ``passwordString`` and any
#: station's character set.
PASSWORD_LENGTH = 32
_ALPHABET = string.ascii_letters + string.digits


def generate_password() -> str:
    return "".join(secrets.choice(_ALPHABET) for _ in range(PASSWORD_LENGTH))


class PasswordRotation:
    def __init__(self, ctx: ServiceContext, remote: RemoteControl) -> None:
        self._ctx = ctx
        self._remote = remote

    async def rotate(self, station_id: str, *, requested_by: str = "") -> CommandRecord:
        """Send a new password; on Accepted it becomes the stored one. The command record
        (without the password) says what the station answered."""
        current = await self._current_hash(station_id)
        password = generate_password()
        new_hash = await hash_password_off_loop(password)  # before sending: never a gap
        record = await self._remote.send(
            station_id, SetStationPassword(password), requested_by=requested_by
        )
        if record.status is not CommandStatus.ACCEPTED:
            return record  # the station keeps its password, and so do we
        async with self._ctx.uow() as uow:
            # only over the hash it replaces: an operator's concurrent set-password wins
            stored = await uow.stations.rotate_password_hash(station_id, current, new_hash)
            if stored:
                self._ctx.stage_event(
                    uow, "station.password_changed", station_id, command_id=record.id
                )
            await uow.commit()
        return record

    async def _current_hash(self, station_id: str) -> str:
        async with self._ctx.uow() as uow:
            station = await uow.stations.get(station_id)
        if station is None:
            raise NotFound("station", station_id)
        if station.password_hash is None:
            raise Conflict(
                f"station {station_id!r} connects without a password: give it one first"
                " (`forecourt stations set-password`), then rotate it"
            )
        return station.password_hash
