"""What the CSMS tells a station about a payment made on the web (OCPP 2.1 C25)."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True, slots=True)
class NotifyWebPaymentStarted:
    """A driver opened the payment page of the EVSE's dynamic QR code (C25): the station shows
    that a payment is under way, and expects no result after ``timeout_s`` seconds."""

    evse_id: int
    timeout_s: int
