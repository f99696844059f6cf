"""E-mail over SMTP (standard library; sent in a worker thread), e.g. payments' receipts."""

from __future__ import annotations

import asyncio
import smtplib
from email.message import EmailMessage
from typing import Protocol


class OutboundEmail(Protocol):
    """What a feature hands the mailer (payments' ``ReceiptEmail`` is one)."""

    @property
    def to(self) -> str: ...
    @property
    def subject(self) -> str: ...
    @property
    def text(self) -> str: ...
    @property
    def html(self) -> str: ...  # "" for text only


class SmtpMailer:
    def __init__(
        self,
        host: str,
        port: int = 25,
        *,
        sender: str = "receipts@forecourt.invalid",
        username: str | None = None,
        password: str | None = None,
        starttls: bool = False,
        timeout_s: float = 15.0,
    ) -> None:
        self._host = host
        self._port = port
        self._sender = sender
        self._username = username
        self._password = password
        self._starttls = starttls
        self._timeout = timeout_s

    async def send(self, email: OutboundEmail) -> None:
        await asyncio.to_thread(self._send, email)

    def _send(self, email: OutboundEmail) -> None:
        message = EmailMessage()
        message["From"] = self._sender
        message["To"] = email.to
        message["Subject"] = email.subject
        message.set_content(email.text)
        if email.html:
            message.add_alternative(email.html, subtype="html")
        with smtplib.SMTP(self._host, self._port, timeout=self._timeout) as smtp:
            if self._starttls:
                smtp.starttls()
            if self._username:
                smtp.login(self._username, self._password or "")
            smtp.send_message(message)
