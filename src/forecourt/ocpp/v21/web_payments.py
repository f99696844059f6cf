"""OCPP 2.1 C25, second half: the dynamic QR code on the station's screen, and the CSMS
telling the station a web payment has started.

The code is a ``SetDisplayMessage`` whose content is the payment link in 2.1's ``QRCODE``
format (2.0.1 renders the same command as a ``URI``). A driver scanned it and opened its
payment page: ``NotifyWebPaymentStarted``, and the station shows that a payment is under way
until ``timeout`` seconds pass.
"""

from __future__ import annotations

from forecourt.domain.commands import CommandResult, CommandStatus
from forecourt.domain.device import SetDisplayMessage
from forecourt.domain.web_payments import NotifyWebPaymentStarted
from forecourt.ocpp.adapter import Payload
from forecourt.ocpp.rendering import Rendered
from forecourt.ocpp.v21.wire_types.payments import NotifyWebPaymentStartedRequest


def as_qr_code(command: SetDisplayMessage, payload: Payload) -> Payload:
    """The 2.0.1 rendering of a display message, its content in 2.1's QRCODE format when the
    text is a link to show as a QR code."""
    if not command.qr_code:
        return payload
    message = dict(payload["message"])
    message["message"] = {**message["message"], "format": "QRCODE"}
    return {**payload, "message": message}


def render(command: NotifyWebPaymentStarted) -> Rendered:
    request = NotifyWebPaymentStartedRequest(evseId=command.evse_id, timeout=command.timeout_s)
    return "NotifyWebPaymentStarted", request


def interpret(_command: NotifyWebPaymentStarted, _response: Payload) -> CommandResult:
    """The answer carries nothing but that the station got it."""
    return CommandResult(CommandStatus.ACCEPTED)
