"""Contract certificate chains: from the car's leaf to a configured V2G / MO root.

A path is built from the presented chain (leaf first, sub-CAs after, in any order) to one of
the trusted roots; every link's signature and every certificate's validity are checked.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime

from cryptography import x509
from cryptography.exceptions import InvalidSignature

from forecourt.domain.contracts import ContractStatus

#: A longer path than root + two sub-CAs + leaf is not an ISO 15118 contract chain.
MAX_PATH = 5


@dataclass(frozen=True, slots=True)
class ChainPath:
    """Leaf first, the trusted root last; ``status`` is ACCEPTED when it holds."""

    certificates: tuple[x509.Certificate, ...]
    status: ContractStatus


def parse_chain(text: str) -> list[x509.Certificate]:
    """A PEM chain as the station sent it; empty when it holds no certificate."""
    try:
        return x509.load_pem_x509_certificates(text.encode())
    except ValueError:
        return []


def build_path(
    chain: Sequence[x509.Certificate], roots: Sequence[x509.Certificate], now: datetime
) -> ChainPath:
    """The path from ``chain[0]`` to a root, or why there is none."""
    path = [chain[0]]
    candidates = list(chain[1:])
    while len(path) <= MAX_PATH:
        current = path[-1]
        root = _issuer_in(current, roots)
        if isinstance(root, ContractStatus):
            return ChainPath(tuple(path), root)
        if root is not None:
            path.append(root)
            return ChainPath(tuple(path), _validity(path, now))
        issuer = _issuer_in(current, candidates)
        if issuer is None or isinstance(issuer, ContractStatus):
            return ChainPath(tuple(path), issuer or ContractStatus.CHAIN_ERROR)
        candidates.remove(issuer)
        path.append(issuer)
    return ChainPath(tuple(path), ContractStatus.CHAIN_ERROR)


def _issuer_in(
    certificate: x509.Certificate, pool: Sequence[x509.Certificate]
) -> x509.Certificate | ContractStatus | None:
    """The certificate in ``pool`` that signed ``certificate``; SIGNATURE_ERROR when one
    carries the issuer's name but its key did not sign it."""
    named = [c for c in pool if c.subject == certificate.issuer]
    for candidate in named:
        try:
            certificate.verify_directly_issued_by(candidate)
        except (InvalidSignature, ValueError, TypeError):
            continue
        return candidate
    return ContractStatus.SIGNATURE_ERROR if named else None


def _validity(path: Sequence[x509.Certificate], now: datetime) -> ContractStatus:
    for certificate in path:
        if not certificate.not_valid_before_utc <= now <= certificate.not_valid_after_utc:
            return ContractStatus.EXPIRED
    return ContractStatus.ACCEPTED
