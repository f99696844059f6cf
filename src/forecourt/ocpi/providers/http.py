"""Outgoing OCPI calls over httpx (the ``OcpiClient`` port): token, headers, envelope."""

from __future__ import annotations

import base64
import uuid
from typing import Any

import httpx

from forecourt.ocpi.ports import Reply


def token_header(token: str) -> str:
    """``Token <base64>`` (2.2.1 and 2.3.0 transport_and_format §4.1.3)."""
    return "Token " + base64.b64encode(token.encode()).decode()


class HttpOcpiClient:
    def __init__(self, timeout_s: float = 10.0, from_party: tuple[str, str] = ("", "")) -> None:
        self._timeout = timeout_s
        self._from = from_party

    async def call(
        self, method: str, url: str, token: str, body: dict[str, Any] | None = None
    ) -> Reply:
        request_id = str(uuid.uuid4())
        headers = {
            "Authorization": token_header(token),
            "X-Request-ID": request_id,
            "X-Correlation-ID": request_id,
        }
        if self._from[0]:
            headers["OCPI-from-country-code"], headers["OCPI-from-party-id"] = self._from
        try:
            async with httpx.AsyncClient(timeout=self._timeout) as client:
                answer = await client.request(method, url, json=body, headers=headers)
        except httpx.HTTPError as exc:
            raise ConnectionError(f"{method} {url}: {exc}") from exc
        return _reply(answer)


def _reply(answer: httpx.Response) -> Reply:
    try:
        envelope = answer.json()
    except ValueError:
        return Reply(answer.status_code, None, None, "not JSON")
    if not isinstance(envelope, dict):
        return Reply(answer.status_code, None, None, "not an OCPI response")
    code = envelope.get("status_code")
    return Reply(
        answer.status_code,
        code if isinstance(code, int) else None,
        envelope.get("data"),
        str(envelope.get("status_message") or ""),
    )
