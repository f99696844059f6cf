"""ISO 15118 contract certificates (Plug & Charge): what a contract check can conclude.

The check itself (chain, validity, OCSP) belongs to whichever feature offers the
``CONTRACTS`` port; this module only says how its verdict meets the one authorization rule.
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum

from forecourt.domain.tokens import AuthorizationResult, AuthorizationStatus


class ContractStatus(StrEnum):
    """The verdict on a contract certificate (2.0.1 AuthorizeCertificateStatusEnumType)."""

    ACCEPTED = "accepted"
    SIGNATURE_ERROR = "signature_error"  # a signature in the chain does not verify
    EXPIRED = "expired"  # the contract (or a CA above it) is outside its validity
    REVOKED = "revoked"  # the OCSP responder says revoked
    NO_CERTIFICATE = "no_certificate"  # neither a certificate nor hash data to check
    CHAIN_ERROR = "chain_error"  # it does not lead to a configured V2G / MO root
    CONTRACT_CANCELLED = "contract_cancelled"  # the eMAID does not match the certificate
    UNVERIFIED = "unverified"  # the OCSP responder could not be asked: no verdict


#: A failed contract check decides the answer before the token is looked at (C07.FR.02-06).
CONTRACT_REFUSAL: dict[ContractStatus, AuthorizationStatus] = {
    ContractStatus.SIGNATURE_ERROR: AuthorizationStatus.INVALID,
    ContractStatus.EXPIRED: AuthorizationStatus.EXPIRED,
    ContractStatus.REVOKED: AuthorizationStatus.BLOCKED,
    ContractStatus.NO_CERTIFICATE: AuthorizationStatus.INVALID,
    ContractStatus.CHAIN_ERROR: AuthorizationStatus.INVALID,
    ContractStatus.CONTRACT_CANCELLED: AuthorizationStatus.INVALID,
    ContractStatus.UNVERIFIED: AuthorizationStatus.UNKNOWN,
}


@dataclass(frozen=True, slots=True)
class OcspQuery:
    """One certificate to ask an OCSP responder about (2.0.1 OCSPRequestDataType).

    Hashes are lower-case hex; ``serial_number`` is hex without leading zeros.
    """

    hash_algorithm: str  # SHA256 | SHA384 | SHA512
    issuer_name_hash: str
    issuer_key_hash: str
    serial_number: str
    responder_url: str


def refused_by_contract(status: ContractStatus) -> AuthorizationResult | None:
    """The answer a failed contract check forces, or ``None`` when the token decides."""
    refusal = CONTRACT_REFUSAL.get(status)
    return None if refusal is None else AuthorizationResult(refusal)
