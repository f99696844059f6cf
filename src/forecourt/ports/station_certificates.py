"""Station certificates: the port a PKI feature offers the core (security profile 3 at the
handshake, SignCertificate from the station).

The gateway asks it whether a station's TLS client certificate may stand for the station id in
the URL; the OCPP adapters hand it certificate signing requests. Whoever offers
:data:`STATION_CERTIFICATES` (the ``pki`` feature) owns the CA, the issued certificates, their
revocation and each station's security profile.
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum
from typing import Protocol

from forecourt.domain.certificates import CertificateUse
from forecourt.ports.keys import Key


class Verdict(StrEnum):
    NOT_PRESENTED = "not_presented"  # no client certificate and none required: go on
    ACCEPTED = "accepted"  # the certificate authenticates the station (profile 3)
    REFUSED = "refused"


@dataclass(frozen=True, slots=True)
class CertificateAdmission:
    verdict: Verdict
    reason: str = ""  # a bounded label for metrics and the refusal log line
    detail: str = ""  # for the station's security event and the log; never sent to it


@dataclass(frozen=True, slots=True)
class SigningOutcome:
    accepted: bool
    reason: str = ""  # why a request was rejected, for the log and the station's statusInfo


class StationCertificatePort(Protocol):
    async def admit(
        self, station_id: str, certificate_pem: str | None, over_tls: bool
    ) -> CertificateAdmission:
        """Decide on the client certificate (PEM, leaf) a TLS handshake presented, if any;
        the chain was already verified against the configured CA bundle."""
        ...

    async def sign(self, station_id: str, csr_pem: str, use: CertificateUse) -> SigningOutcome:
        """Check a station's CSR; when accepted the port sends CertificateSigned after the
        answer (OCPP A02/A03: the signed chain follows in its own request)."""
        ...


STATION_CERTIFICATES: Key[StationCertificatePort] = Key("station_certificates")
