"""What OCPP 1.6 (security extension) and 2.0.1 say alike about certificates: the hash data
that names an installed certificate and the statuses of the certificate messages."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from forecourt.domain.certificates import CertificateHash
from forecourt.domain.commands import CommandResult, CommandStatus

#: CertificateSigned, InstallCertificate, DeleteCertificate, GetInstalledCertificateIds.
CERTIFICATE_STATUS: dict[str, CommandStatus] = {
    "Accepted": CommandStatus.ACCEPTED,
    "Rejected": CommandStatus.REJECTED,
    "Failed": CommandStatus.FAILED,
    "NotFound": CommandStatus.REJECTED,  # DeleteCertificate: no such certificate installed
}


def hash_data(certificate: CertificateHash) -> dict[str, str]:
    return {
        "hashAlgorithm": certificate.hash_algorithm,
        "issuerNameHash": certificate.issuer_name_hash,
        "issuerKeyHash": certificate.issuer_key_hash,
        "serialNumber": certificate.serial_number,
    }


def neutral_hash(data: Mapping[str, Any]) -> dict[str, str]:
    return {
        "hash_algorithm": str(data.get("hashAlgorithm", "")),
        "issuer_name_hash": str(data.get("issuerNameHash", "")),
        "issuer_key_hash": str(data.get("issuerKeyHash", "")),
        "serial_number": str(data.get("serialNumber", "")),
    }


def certificate_status(response: Mapping[str, Any]) -> CommandResult:
    raw = response.get("status", "")
    return CommandResult(CERTIFICATE_STATUS.get(raw, CommandStatus.REJECTED), {"status": raw})


def installed(certificates: list[dict[str, str]]) -> CommandResult:
    """GetInstalledCertificateIds: NotFound is an empty trust store, not a failure."""
    return CommandResult(CommandStatus.ACCEPTED, {"certificates": certificates})
