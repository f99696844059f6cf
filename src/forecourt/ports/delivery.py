"""Outbound delivery: what a feature needs to post a webhook or send an e-mail.

The core declares it so that features (reliability's alerts) and the adapter that speaks HTTP
and SMTP (``forecourt.notifications``) meet here without importing each other.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Protocol


class DeliveryFailed(Exception):
    """A message could not be delivered (the message says why, without secrets)."""


@dataclass(frozen=True, slots=True)
class SmtpSettings:
    host: str
    port: int = 25
    sender: str = "forecourt@localhost"
    username: str | None = None
    password: str | None = None
    starttls: bool = False
    timeout_s: float = 10.0


class AlertTransport(Protocol):
    async def post_webhook(
        self, url: str, body: bytes, headers: Mapping[str, str], timeout_s: float
    ) -> None: ...  # raises DeliveryFailed unless the receiver answered 2xx
    async def send_email(
        self, smtp: SmtpSettings, recipient: str, subject: str, body: str
    ) -> None: ...  # raises DeliveryFailed
