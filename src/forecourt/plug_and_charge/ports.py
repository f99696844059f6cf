"""What the Plug & Charge services need from the outside world."""

from __future__ import annotations

from typing import Protocol

from forecourt.ports.contracts import EvCertificateAnswer


class OcspClient(Protocol):
    async def ask(self, url: str, request_der: bytes) -> bytes | None:
        """POST one DER OCSP request to a responder; its DER answer, ``None`` if unreachable."""
        ...


class ContractPool(Protocol):
    """Where contract certificates come from (ISO 15118-2 CertificateInstallation/Update):
    in production an external provider (a PKI platform's contract certificate pool)."""

    async def issue(
        self, schema_version: str, install: bool, exi_request: str
    ) -> EvCertificateAnswer: ...
