"""Test rig: real services on a real SQLite database, an OCPP session on a recording transport.

The transport is a fake at our own port (``ocpp.session.Transport``); everything behind it is
the production code path.
"""

from __future__ import annotations

import asyncio
import json
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

from forecourt.bootstrap import build_services, open_database
from forecourt.bus.inprocess import InProcessBus
from forecourt.domain.commands import Command, CommandResult, CommandStatus
from forecourt.domain.stations import ProtocolVersion, RegistrationStatus
from forecourt.ocpp.adapter import Link, VersionAdapter, dispatcher
from forecourt.ocpp.session import OcppSession
from forecourt.services.context import Policy
from forecourt.services.core import Services
from forecourt.storage.database import Database


class RecordingTransport:
    def __init__(self) -> None:
        self.sent: asyncio.Queue[str] = asyncio.Queue()

    async def send_text(self, text: str) -> None:
        await self.sent.put(text)

    async def next_frame(self, timeout: float = 5.0) -> list[Any]:
        frame: list[Any] = json.loads(await asyncio.wait_for(self.sent.get(), timeout))
        return frame


class OfflineGateway:
    """Gateway port for rigs without stations connected."""

    def is_connected(self, _station_id: str) -> bool:
        return False

    def protocol_of(self, _station_id: str) -> ProtocolVersion | None:
        return None

    async def send(self, _station_id: str, _command: Command, _timeout: float) -> CommandResult:
        return CommandResult(CommandStatus.OFFLINE)

    def connected_ids(self) -> list[str]:
        return []


class SteppingClock:
    """A clock tests can move; starts at a fixed instant so golden frames are stable."""

    def __init__(self, start: datetime | None = None) -> None:
        self.current = start or datetime(2026, 11, 21, 12, 0, 0, tzinfo=UTC)

    def now(self) -> datetime:
        return self.current

    def advance(self, seconds: float) -> None:
        self.current += timedelta(seconds=seconds)


class ShiftedClock:
    """The wall clock, moved forward on demand: a running server's "later" without waiting."""

    def __init__(self) -> None:
        self.offset = timedelta()

    def now(self) -> datetime:
        return datetime.now(UTC) + self.offset

    def advance(self, seconds: float) -> None:
        self.offset += timedelta(seconds=seconds)


async def make_services(
    tmp_path: Path, *, policy: Policy | None = None, clock: SteppingClock | None = None
) -> tuple[Services, Database]:
    database = open_database(f"sqlite:///{tmp_path / 'forecourt.db'}")
    await database.migrate()
    services = build_services(
        database,
        OfflineGateway(),
        policy=policy,
        clock=clock or SteppingClock(),
        bus=InProcessBus(),
    )
    return services, database


@dataclass
class ProtocolRig:
    services: Services
    session: OcppSession
    transport: RecordingTransport
    link: Link

    async def call(self, message_id: str, action: str, payload: dict[str, Any]) -> list[Any]:
        """Send one CALL as the station would; return the frame the CSMS answered with."""
        await self.session.receive(json.dumps([2, message_id, action, payload]))
        return await self.transport.next_frame()

    async def raw(self, text: str) -> list[Any]:
        await self.session.receive(text)
        return await self.transport.next_frame()


async def make_rig(
    services: Services,
    adapter: VersionAdapter,
    station_id: str = "CS-1",
    registration: RegistrationStatus | None = RegistrationStatus.ACCEPTED,
) -> ProtocolRig:
    await services.network.add_station(station_id)
    link = Link(station_id, services.core, registration)
    transport = RecordingTransport()
    session = OcppSession(
        adapter.version, transport, dispatcher(adapter, link), station_id=station_id
    )
    return ProtocolRig(services, session, transport, link)
