"""Plug & Charge contract certificates (OCPP 2.0.1 M-block, 1.6 via the OCA DataTransfer
wrapper): a port the plug_and_charge feature offers the core.

The protocol edge decodes a station's ``Authorize`` certificate data,
``Get15118EVCertificate`` and ``GetCertificateStatus`` and asks this port; without the
feature, certificate data is not checked and the other two are answered ``Failed``.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Protocol

from forecourt.domain.contracts import ContractStatus, OcspQuery
from forecourt.ports.keys import Key


@dataclass(frozen=True, slots=True)
class EvCertificateAnswer:
    """A contract-certificate pool's answer to a car's install/update request (EXI, base64)."""

    accepted: bool
    exi_response: str = ""
    reason: str = ""


class Contracts(Protocol):
    async def check(
        self, emaid: str, certificate_pem: str | None, hash_data: Sequence[OcspQuery]
    ) -> ContractStatus:
        """Validate a contract: chain to a configured root, validity, OCSP (C07)."""
        ...

    async def ocsp_response(self, query: OcspQuery) -> bytes | None:
        """The DER OCSP response for one certificate, ``None`` if unobtainable (M06)."""
        ...

    async def ev_certificate(
        self, schema_version: str, install: bool, exi_request: str
    ) -> EvCertificateAnswer:
        """Install or update a car's contract certificate through the pool (M01/M02)."""
        ...


CONTRACTS: Key[Contracts] = Key("contracts")
