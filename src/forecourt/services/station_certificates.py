"""The core's door to station certificates, whoever implements them (the port in
``ports.station_certificates``).

Without a PKI feature a presented client certificate is ignored (Basic auth decides, profiles
1 and 2) and certificate signing requests are rejected rather than left unanswered.
"""

from __future__ import annotations

from collections.abc import Callable

from forecourt.domain.certificates import CertificateUse
from forecourt.ports.station_certificates import (
    CertificateAdmission,
    SigningOutcome,
    StationCertificatePort,
    Verdict,
)

PortLookup = Callable[[], StationCertificatePort | None]
NOT_INSTALLED = "no PKI feature is installed to sign station certificates"


def _no_port() -> StationCertificatePort | None:
    return None


class StationCertificates:
    def __init__(self, port: PortLookup = _no_port) -> None:
        self._port = port

    def bind(self, port: PortLookup) -> None:
        """Where the port comes from (the composition root, once features are known)."""
        self._port = port

    async def admit(
        self, station_id: str, certificate_pem: str | None, *, over_tls: bool
    ) -> CertificateAdmission:
        port = self._port()
        if port is None:
            return CertificateAdmission(Verdict.NOT_PRESENTED)
        return await port.admit(station_id, certificate_pem, over_tls)

    async def sign(self, station_id: str, csr_pem: str, use: CertificateUse) -> SigningOutcome:
        port = self._port()
        if port is None:
            return SigningOutcome(False, NOT_INSTALLED)
        return await port.sign(station_id, csr_pem, use)
