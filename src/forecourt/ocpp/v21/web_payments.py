"""OCPP 2.1 C25, second half: the CSMS tells the station a web payment has started.

A driver scanned the EVSE's dynamic QR code and opened its payment page; the station shows
that a payment is under way (and stops offering that code) until ``timeout`` seconds pass.
"""

from __future__ import annotations

from forecourt.domain.commands import CommandResult, CommandStatus
from forecourt.domain.web_payments import NotifyWebPaymentStarted
from forecourt.ocpp.adapter import Payload
from forecourt.ocpp.rendering import Rendered
from forecourt.ocpp.v21.wire_types.payments import NotifyWebPaymentStartedRequest


def render(command: NotifyWebPaymentStarted) -> Rendered:
    request = NotifyWebPaymentStartedRequest(evseId=command.evse_id, timeout=command.timeout_s)
    return "NotifyWebPaymentStarted", request


def interpret(_command: NotifyWebPaymentStarted, _response: Payload) -> CommandResult:
    """The answer carries nothing but that the station got it."""
    return CommandResult(CommandStatus.ACCEPTED)
