"""Station certificates in neutral terms: the commands that manage a station's certificates
and trust store (OCPP 1.6 security extension; 2.0.1/2.1 blocks A and M), and the identity rule
of security profile 3."""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum


class CertificateUse(StrEnum):
    """What a certificate a station asks us to sign is for (2.0.1 CertificateSigningUseEnumType)."""

    CHARGING_STATION = "charging_station"  # its TLS client certificate (profile 3)
    V2G = "v2g"  # its ISO 15118 SECC certificate


class TrustAnchor(StrEnum):
    """Kinds of root certificate a station keeps in its trust store."""

    CSMS_ROOT = "csms_root"  # 1.6 CentralSystemRootCertificate
    MANUFACTURER_ROOT = "manufacturer_root"
    V2G_ROOT = "v2g_root"  # 2.0.1 only
    MO_ROOT = "mo_root"  # 2.0.1 only


@dataclass(frozen=True, slots=True)
class CertificateHash:
    """How OCPP names an installed certificate (CertificateHashDataType)."""

    hash_algorithm: str  # SHA256, SHA384, SHA512
    issuer_name_hash: str
    issuer_key_hash: str
    serial_number: str


@dataclass(frozen=True, slots=True)
class CertificateSigned:
    """Send a signed certificate chain (leaf first) to the station."""

    chain_pem: str
    use: CertificateUse = CertificateUse.CHARGING_STATION


@dataclass(frozen=True, slots=True)
class InstallCertificate:
    anchor: TrustAnchor
    certificate_pem: str


@dataclass(frozen=True, slots=True)
class DeleteCertificate:
    certificate: CertificateHash


@dataclass(frozen=True, slots=True)
class GetInstalledCertificateIds:
    """``data``: ``certificates``, a list of {anchor, hash_algorithm, ..., serial_number}."""

    anchors: tuple[TrustAnchor, ...] = ()  # empty: every kind (1.6 asks one kind at a time)


def identity_mismatch(
    station_id: str, common_name: str, organization: str, expected_organization: str
) -> str:
    """Why a certificate subject does not name this station, or "" when it does.

    OCPP 2.0.1 A00.FR.412/413 and the 1.6 security whitepaper: the CN is the station's
    identity (its serial number), the O the operator's organization name."""
    if common_name != station_id:
        return f"certificate CN {common_name!r} is not the station identity {station_id!r}"
    if expected_organization and organization != expected_organization:
        return f"certificate O {organization!r} is not {expected_organization!r}"
    return ""
