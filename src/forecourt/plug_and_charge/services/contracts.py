"""Contract checks for Plug & Charge (OCPP 2.0.1 C07, M01-M06): the ``CONTRACTS`` port.

A presented chain must lead to a configured V2G / MO root, every certificate on the path
must be within its validity, and the responder named in each certificate (AIA) must not say
revoked. With hash data only (the station validated the chain itself, C07.FR.05) the
responders named in the hash data decide. The token then goes to the one authorization rule.
"""

from __future__ import annotations

import asyncio
from collections.abc import Sequence
from dataclasses import dataclass

from cryptography import x509
from cryptography.hazmat.primitives import hashes

from forecourt.domain.contracts import ContractStatus, OcspQuery
from forecourt.plug_and_charge.domain.emaid import emaid_matches
from forecourt.plug_and_charge.ports import ContractPool, OcspClient
from forecourt.plug_and_charge.services import ocsp
from forecourt.plug_and_charge.services.chain import build_path, parse_chain
from forecourt.ports.clock import Clock
from forecourt.ports.contracts import EvCertificateAnswer

#: Worst first: one revoked certificate outweighs an unreachable responder for another.
_SEVERITY = (
    ContractStatus.REVOKED,
    ContractStatus.CHAIN_ERROR,
    ContractStatus.UNVERIFIED,
)


@dataclass(frozen=True, slots=True)
class TrustedRoot:
    subject: str
    not_after: str
    fingerprint: str  # SHA-256, hex


class ContractChecker:
    def __init__(
        self,
        roots: Sequence[x509.Certificate],
        ocsp_client: OcspClient,
        pool: ContractPool,
        clock: Clock,
    ) -> None:
        self._roots = list(roots)
        self._ocsp = ocsp_client
        self._pool = pool
        self._clock = clock

    def trusted_roots(self) -> list[TrustedRoot]:
        return [
            TrustedRoot(
                r.subject.rfc4514_string(),
                r.not_valid_after_utc.isoformat(),
                r.fingerprint(hashes.SHA256()).hex(),
            )
            for r in self._roots
        ]

    async def check(
        self, emaid: str, certificate_pem: str | None, hash_data: Sequence[OcspQuery]
    ) -> ContractStatus:
        if certificate_pem:
            return await self._check_chain(emaid, certificate_pem)
        if not hash_data:
            return ContractStatus.NO_CERTIFICATE
        return await self._ask_all([(q, None) for q in hash_data])

    async def ocsp_response(self, query: OcspQuery) -> bytes | None:
        request = ocsp.request_der(query)
        return None if request is None else await self._ocsp.ask(query.responder_url, request)

    async def ev_certificate(
        self, schema_version: str, install: bool, exi_request: str
    ) -> EvCertificateAnswer:
        return await self._pool.issue(schema_version, install, exi_request)

    async def _check_chain(self, emaid: str, certificate_pem: str) -> ContractStatus:
        chain = parse_chain(certificate_pem)
        if not chain:
            return ContractStatus.NO_CERTIFICATE
        path = build_path(chain, self._roots, self._clock.now())
        if path.status is not ContractStatus.ACCEPTED:
            return path.status
        leaf_names = path.certificates[0].subject.get_attributes_for_oid(x509.NameOID.COMMON_NAME)
        if not leaf_names or not emaid_matches(emaid, str(leaf_names[0].value)):
            return ContractStatus.CHAIN_ERROR  # the token is not this certificate's eMAID
        links = zip(path.certificates, path.certificates[1:], strict=False)
        queries = [(ocsp.query_for(c, issuer), issuer) for c, issuer in links]
        return await self._ask_all([(q, i) for q, i in queries if q is not None])

    async def _ask_all(
        self, queries: Sequence[tuple[OcspQuery, x509.Certificate | None]]
    ) -> ContractStatus:
        verdicts = await asyncio.gather(*(self._ask(q, issuer) for q, issuer in queries))
        for status in _SEVERITY:
            if status in verdicts:
                return status
        return ContractStatus.ACCEPTED

    async def _ask(self, query: OcspQuery, issuer: x509.Certificate | None) -> ContractStatus:
        return ocsp.verdict(await self.ocsp_response(query), query, issuer)
