"""Outbound alert delivery: the ``AlertTransport`` port (``forecourt.ports.delivery``) over
HTTP (httpx) and SMTP (smtplib). An adapter: services see only the port; a feature's
``feature.py`` builds it.
"""

from __future__ import annotations

import asyncio
import smtplib
from collections.abc import Mapping
from email.message import EmailMessage
from typing import TYPE_CHECKING

from forecourt.ports.delivery import DeliveryFailed, SmtpSettings

if TYPE_CHECKING:  # imported when a webhook is posted: CLI commands build this and post none
    import httpx


class HttpSmtpTransport:
    def __init__(self, client: httpx.AsyncClient | None = None) -> None:
        self._client = client

    async def post_webhook(
        self, url: str, body: bytes, headers: Mapping[str, str], timeout_s: float
    ) -> None:
        import httpx

        try:
            if self._client is not None:
                response = await self._client.post(
                    url, content=body, headers=dict(headers), timeout=timeout_s
                )
            else:
                async with httpx.AsyncClient() as client:
                    response = await client.post(
                        url, content=body, headers=dict(headers), timeout=timeout_s
                    )
        except httpx.HTTPError as exc:
            raise DeliveryFailed(f"webhook {url}: {type(exc).__name__}: {exc}") from exc
        if not response.is_success:
            raise DeliveryFailed(f"webhook {url} answered {response.status_code}")

    async def send_email(self, smtp: SmtpSettings, recipient: str, subject: str, body: str) -> None:
        message = EmailMessage()
        message["From"] = smtp.sender
        message["To"] = recipient
        message["Subject"] = subject
        message.set_content(body)
        try:
            await asyncio.to_thread(_send, smtp, message)
        except (OSError, smtplib.SMTPException) as exc:
            raise DeliveryFailed(f"e-mail to {recipient}: {type(exc).__name__}: {exc}") from exc


def _send(smtp: SmtpSettings, message: EmailMessage) -> None:
    with smtplib.SMTP(smtp.host, smtp.port, timeout=smtp.timeout_s) as client:
        if smtp.starttls:
            client.starttls()
        if smtp.username:
            client.login(smtp.username, smtp.password or "")
        client.send_message(message)
