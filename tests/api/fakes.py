"""A station gateway (our own port) whose stations answer from a script."""

from __future__ import annotations

from dataclasses import dataclass, field

from forecourt.domain.commands import Command, CommandKind, CommandResult, CommandStatus, kind_of
from forecourt.domain.stations import ProtocolVersion


@dataclass
class ScriptedGateway:
    """Connected stations answer each command kind with a canned result (default: accepted)."""

    connected: set[str] = field(default_factory=set)
    answers: dict[CommandKind, CommandResult] = field(default_factory=dict)
    sent: list[tuple[str, Command, float]] = field(default_factory=list)

    def is_connected(self, station_id: str) -> bool:
        return station_id in self.connected

    def protocol_of(self, station_id: str) -> ProtocolVersion | None:
        return ProtocolVersion.V201 if station_id in self.connected else None

    async def send(self, station_id: str, command: Command, timeout: float) -> CommandResult:
        self.sent.append((station_id, command, timeout))
        return self.answers.get(kind_of(command), CommandResult(CommandStatus.ACCEPTED))

    def connected_ids(self) -> list[str]:
        return sorted(self.connected)
