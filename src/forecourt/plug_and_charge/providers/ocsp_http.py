"""The OCSP client over HTTP (RFC 6960 appendix A: POST application/ocsp-request)."""

from __future__ import annotations

import logging

import httpx

log = logging.getLogger("forecourt.plug_and_charge")

#: An Authorize waits for the responders: keep the station's answer well inside its timeout.
DEFAULT_TIMEOUT_S = 5.0
MAX_RESPONSE_BYTES = 64 * 1024


class HttpOcspClient:
    def __init__(self, timeout_s: float = DEFAULT_TIMEOUT_S) -> None:
        self._timeout_s = timeout_s

    async def ask(self, url: str, request_der: bytes) -> bytes | None:
        if not url.startswith(("http://", "https://")):
            return None  # a station's responderURL is data, never a file or other scheme
        headers = {"Content-Type": "application/ocsp-request"}
        try:
            async with httpx.AsyncClient(timeout=self._timeout_s) as client:
                response = await client.post(url, content=request_der, headers=headers)
        except httpx.HTTPError as exc:
            log.warning("OCSP responder %s unreachable: %s", url, exc)
            return None
        if response.status_code != httpx.codes.OK or len(response.content) > MAX_RESPONSE_BYTES:
            log.warning("OCSP responder %s answered %s", url, response.status_code)
            return None
        return response.content
