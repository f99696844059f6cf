"""OCPP 2.1 adapter: the 2.0.1 adapter's tables, plus what 2.1 adds (docs/ocpp21.md).

Inbound, ``inbound.HANDLERS`` derives from the 2.0.1 table; outbound, every 2.0.1 rendering is
a valid 2.1 request (tested against the 2.1 schemas), so commands render and answers read
exactly as on 2.0.1 — except what only 2.1 has: the tariff commands (I-block, ``tariffs``) and
NotifyWebPaymentStarted (C25, ``web_payments``).
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field

from forecourt.domain.commands import Command, CommandResult, NotifyWebPaymentStarted
from forecourt.domain.device import SetDisplayMessage
from forecourt.domain.stations import ProtocolVersion
from forecourt.ocpp.adapter import InboundHandler, Payload, VersionAdapter
from forecourt.ocpp.rendering import TariffCommand
from forecourt.ocpp.v21 import inbound, tariffs, web_payments
from forecourt.ocpp.v201 import answers, outbound
from forecourt.ocpp.versions import OcppVersion


@dataclass(slots=True)
class V21Adapter:
    """Implements ``forecourt.ocpp.adapter.VersionAdapter`` for OCPP 2.1."""

    version: OcppVersion = OcppVersion.V21
    protocol: ProtocolVersion = ProtocolVersion.V21
    handlers: Mapping[str, InboundHandler] = field(default_factory=lambda: inbound.HANDLERS)

    def render(self, command: Command) -> tuple[str, Payload]:
        if isinstance(command, TariffCommand):  # 2.1's own: the I-block
            action, request = tariffs.render(command)
            return action, dict(request)
        if isinstance(command, NotifyWebPaymentStarted):  # 2.1's own: C25
            action, request = web_payments.render(command)
            return action, dict(request)
        action, payload = outbound.render(command)
        if isinstance(command, SetDisplayMessage):  # a QR code: 2.1's own format
            return action, dict(web_payments.as_qr_code(command, payload))
        return action, payload

    def interpret(self, command: Command, response: Payload) -> CommandResult:
        if isinstance(command, TariffCommand):
            return tariffs.interpret(command, response)
        if isinstance(command, NotifyWebPaymentStarted):
            return web_payments.interpret(command, response)
        return answers.interpret(command, response)


ADAPTER: VersionAdapter = V21Adapter()

__all__ = ["ADAPTER", "V21Adapter"]
