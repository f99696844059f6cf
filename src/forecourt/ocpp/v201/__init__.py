"""OCPP 2.0.1 adapter: a thin translator between 2.0.1 messages and Forecourt services."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field

from forecourt.domain.commands import Command, CommandResult
from forecourt.domain.stations import ProtocolVersion
from forecourt.ocpp.adapter import InboundHandler, Payload, VersionAdapter
from forecourt.ocpp.v201 import answers, inbound, outbound
from forecourt.ocpp.versions import OcppVersion


@dataclass(slots=True)
class V201Adapter:
    """Implements ``forecourt.ocpp.adapter.VersionAdapter`` for OCPP 2.0.1."""

    version: OcppVersion = OcppVersion.V201
    protocol: ProtocolVersion = ProtocolVersion.V201
    handlers: Mapping[str, InboundHandler] = field(default_factory=lambda: inbound.HANDLERS)

    def render(self, command: Command) -> tuple[str, Payload]:
        return outbound.render(command)

    def interpret(self, command: Command, response: Payload) -> CommandResult:
        return answers.interpret(command, response)


ADAPTER: VersionAdapter = V201Adapter()

__all__ = ["ADAPTER", "V201Adapter"]
