"""The core's door to ISO 15118 Plug & Charge (C07, M01-M06), whoever checks contracts.

One implementation for every protocol version: the 2.0.1/2.1 messages and the 1.6 OCA
DataTransfer wrapper reach these calls. The contract verdict comes from the :data:`CONTRACTS`
port (bound by the composition root); the token decision stays the one authorization rule,
with the certificate's eMAID as the token.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass

from forecourt.domain.contracts import ContractStatus, OcspQuery
from forecourt.domain.tokens import AuthorizationResult, IdToken, TokenKind
from forecourt.ports.contracts import Contracts, EvCertificateAnswer
from forecourt.services.authorization import Authorization

PortLookup = Callable[[], Contracts | None]
NOT_INSTALLED = "no Plug & Charge feature is installed"


def _no_port() -> Contracts | None:
    return None


@dataclass(frozen=True, slots=True)
class ContractAuthorization:
    """The answer to an Authorize with contract data; ``contract`` is ``None`` when no
    certificate was checked (no data presented, or no feature to check it)."""

    result: AuthorizationResult
    contract: ContractStatus | None


class PlugAndCharge:
    def __init__(self, authorization: Authorization, port: PortLookup = _no_port) -> None:
        self._authorization = authorization
        self._port = port

    def bind(self, port: PortLookup) -> None:
        """Where the port comes from (the composition root, once features are known)."""
        self._port = port

    async def authorize(
        self,
        station_id: str,
        token: IdToken,
        certificate_pem: str | None,
        hash_data: Sequence[OcspQuery],
    ) -> ContractAuthorization:
        """C07: check the contract, then the eMAID through the one authorization rule."""
        port = self._port()
        if port is None or (certificate_pem is None and not hash_data):
            return ContractAuthorization(
                await self._authorization.authorize(station_id, token), None
            )
        status = await port.check(token.value, certificate_pem, hash_data)
        emaid = IdToken(token.value, TokenKind.EMAID)
        result = await self._authorization.authorize(station_id, emaid, contract=status)
        return ContractAuthorization(result, status)

    async def ocsp_response(self, query: OcspQuery) -> bytes | None:
        """M06 GetCertificateStatus: the responder's DER answer, ``None`` when unavailable."""
        port = self._port()
        return None if port is None else await port.ocsp_response(query)

    async def ev_certificate(
        self, schema_version: str, install: bool, exi_request: str
    ) -> EvCertificateAnswer:
        """M01/M02 Get15118EVCertificate through the contract-certificate pool."""
        port = self._port()
        if port is None:
            return EvCertificateAnswer(accepted=False, reason=NOT_INSTALLED)
        return await port.ev_certificate(schema_version, install, exi_request)
