"""OCPP 1.6J adapter: a thin translator between 1.6 messages and Forecourt services."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field

from forecourt.domain.commands import Command, CommandResult
from forecourt.domain.stations import ProtocolVersion
from forecourt.ocpp.adapter import InboundHandler, Payload
from forecourt.ocpp.v16 import inbound, outbound
from forecourt.ocpp.versions import OcppVersion


@dataclass(frozen=True)
class V16Adapter:
    version: OcppVersion = OcppVersion.V16
    protocol: ProtocolVersion = ProtocolVersion.V16
    handlers: Mapping[str, InboundHandler] = field(default_factory=lambda: inbound.HANDLERS)

    def render(self, command: Command) -> tuple[str, Payload]:
        return outbound.render(command)

    def interpret(self, command: Command, response: Payload) -> CommandResult:
        return outbound.interpret(command, response)


ADAPTER = V16Adapter()
