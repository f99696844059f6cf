"""An external contract-certificate pool over HTTP (the production adapter's shape).

PKI platforms differ in their APIs; this adapter speaks one small JSON contract that a thin
bridge to any of them can serve: POST ``{"iso15118SchemaVersion", "action", "exiRequest"}``,
answer ``{"status": "Accepted" | "Failed", "exiResponse": "<base64 EXI>"}``.
"""

from __future__ import annotations

import httpx

from forecourt.ports.contracts import EvCertificateAnswer

TIMEOUT_S = 10.0


class HttpContractPool:
    def __init__(self, url: str, timeout_s: float = TIMEOUT_S) -> None:
        self._url = url
        self._timeout_s = timeout_s

    async def issue(
        self, schema_version: str, install: bool, exi_request: str
    ) -> EvCertificateAnswer:
        body = {
            "iso15118SchemaVersion": schema_version,
            "action": "Install" if install else "Update",
            "exiRequest": exi_request,
        }
        try:
            async with httpx.AsyncClient(timeout=self._timeout_s) as client:
                response = await client.post(self._url, json=body)
            answer = response.json() if response.status_code == httpx.codes.OK else {}
        except (httpx.HTTPError, ValueError) as exc:
            return EvCertificateAnswer(False, reason=f"contract pool unreachable: {exc}")
        accepted = answer.get("status") == "Accepted" and bool(answer.get("exiResponse"))
        reason = "" if accepted else f"contract pool answered {response.status_code}"
        return EvCertificateAnswer(accepted, str(answer.get("exiResponse", "")), reason)


class NoContractPool:
    """No pool configured: every request is refused with the reason."""

    async def issue(
        self, schema_version: str, install: bool, exi_request: str
    ) -> EvCertificateAnswer:
        del schema_version, install, exi_request
        return EvCertificateAnswer(False, reason="no contract-certificate pool is configured")
