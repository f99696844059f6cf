"""Certificate work with ``cryptography``: authorities, CSR checks, signing, revocation lists.

Keys are ECDSA P-256 (OCPP 2.0.1 A00.FR.318 allows it for TLS 1.2 and it is what ISO 15118
uses); stations may send RSA (>= 2048 bits) or EC (>= 256 bits) CSRs (A00.FR.406/ 1.6
whitepaper: key strength), anything weaker is refused.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta

from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec, rsa
from cryptography.hazmat.primitives.asymmetric.types import (
    CertificateIssuerPrivateKeyTypes,
    CertificatePublicKeyTypes,
)
from cryptography.x509.oid import ExtendedKeyUsageOID, NameOID

from forecourt.domain.certificates import CertificateHash, CertificateUse, identity_mismatch
from forecourt.domain.errors import InvalidInput

MIN_RSA_BITS = 2048
MIN_EC_BITS = 256
_BACKDATE = timedelta(minutes=5)  # a station clock a little behind still accepts it


@dataclass(frozen=True, slots=True)
class KeyPair:
    certificate_pem: str
    private_key_pem: str  # encrypted under the passphrase given


@dataclass(frozen=True, slots=True)
class Subject:
    common_name: str
    organization: str


def new_key() -> ec.EllipticCurvePrivateKey:
    return ec.generate_private_key(ec.SECP256R1())


def name(common_name: str, organization: str) -> x509.Name:
    parts = [x509.NameAttribute(NameOID.COMMON_NAME, common_name)]
    if organization:
        parts.append(x509.NameAttribute(NameOID.ORGANIZATION_NAME, organization))
    return x509.Name(parts)


def new_authority(
    subject: Subject,
    now: datetime,
    days: int,
    passphrase: bytes,
    issuer: KeyPair | None = None,
) -> KeyPair:
    """A CA: self-signed when ``issuer`` is None (the root), else signed by it (path length 0)."""
    key = new_key()
    issuer_cert, issuer_key = (None, key) if issuer is None else load_pair(issuer, passphrase)
    builder = (
        _builder(name(subject.common_name, subject.organization), key.public_key(), now, days)
        .issuer_name(issuer_cert.subject if issuer_cert else name(*_fields(subject)))
        .add_extension(
            x509.BasicConstraints(ca=True, path_length=None if issuer is None else 0),
            critical=True,
        )
        .add_extension(_ca_usage(), critical=True)
    )
    certificate = builder.sign(issuer_key, hashes.SHA256())
    return KeyPair(pem(certificate), encrypt_key(key, passphrase))


def issue(
    public_key: CertificatePublicKeyTypes,
    subject: Subject,
    use: CertificateUse,
    authority: KeyPair,
    passphrase: bytes,
    now: datetime,
    days: int,
) -> x509.Certificate:
    """An end-entity certificate for a station (client auth) or its SECC (server auth)."""
    issuer_cert, issuer_key = load_pair(authority, passphrase)
    usage = (
        ExtendedKeyUsageOID.CLIENT_AUTH
        if use is CertificateUse.CHARGING_STATION
        else ExtendedKeyUsageOID.SERVER_AUTH
    )
    builder = (
        _builder(name(subject.common_name, subject.organization), public_key, now, days)
        .issuer_name(issuer_cert.subject)
        .add_extension(x509.BasicConstraints(ca=False, path_length=None), critical=True)
        .add_extension(x509.ExtendedKeyUsage([usage]), critical=False)
        .add_extension(
            x509.AuthorityKeyIdentifier.from_issuer_public_key(issuer_cert.public_key()),  # type: ignore[arg-type]
            critical=False,
        )
    )
    return builder.sign(issuer_key, hashes.SHA256())


def checked_csr(csr_pem: str, station_id: str, organization: str) -> x509.CertificateSigningRequest:
    """A CSR we may sign for ``station_id``: well-formed, self-signed by its key, strong
    enough, and naming this station (A02.FR.05/ A03.FR.05: else Rejected)."""
    try:
        csr = x509.load_pem_x509_csr(csr_pem.encode())
    except ValueError:
        raise InvalidInput("not a PEM certificate signing request") from None
    if not csr.is_signature_valid:
        raise InvalidInput("the CSR's signature does not match its key")
    key_problem = weak_key(csr.public_key())
    if key_problem:
        raise InvalidInput(key_problem)
    found = subject_of(csr.subject)
    mismatch = identity_mismatch(station_id, found.common_name, found.organization, organization)
    if mismatch:
        raise InvalidInput(mismatch)
    return csr


def weak_key(key: CertificatePublicKeyTypes) -> str:
    if isinstance(key, rsa.RSAPublicKey):
        return "" if key.key_size >= MIN_RSA_BITS else f"RSA key of {key.key_size} bits (< 2048)"
    if isinstance(key, ec.EllipticCurvePublicKey):
        size = key.curve.key_size
        return "" if size >= MIN_EC_BITS else f"EC key of {size} bits (< 256)"
    return f"unsupported key type {type(key).__name__}"


def subject_of(subject: x509.Name) -> Subject:
    return Subject(
        _attribute(subject, NameOID.COMMON_NAME), _attribute(subject, NameOID.ORGANIZATION_NAME)
    )


def load_certificate(text: str) -> x509.Certificate:
    try:
        return x509.load_pem_x509_certificate(text.encode())
    except ValueError:
        raise InvalidInput("not a PEM certificate") from None


def load_pair(
    pair: KeyPair, passphrase: bytes
) -> tuple[x509.Certificate, CertificateIssuerPrivateKeyTypes]:
    key = serialization.load_pem_private_key(pair.private_key_pem.encode(), passphrase)
    if not isinstance(key, ec.EllipticCurvePrivateKey | rsa.RSAPrivateKey):
        raise InvalidInput("the CA key must be an EC or RSA key")
    return load_certificate(pair.certificate_pem), key


def encrypt_key(key: CertificateIssuerPrivateKeyTypes, passphrase: bytes) -> str:
    return key.private_bytes(
        serialization.Encoding.PEM,
        serialization.PrivateFormat.PKCS8,
        serialization.BestAvailableEncryption(passphrase),
    ).decode()


def plain_key(key: CertificateIssuerPrivateKeyTypes) -> str:
    return key.private_bytes(
        serialization.Encoding.PEM,
        serialization.PrivateFormat.PKCS8,
        serialization.NoEncryption(),
    ).decode()


def pem(certificate: x509.Certificate) -> str:
    return certificate.public_bytes(serialization.Encoding.PEM).decode()


def serial_hex(certificate: x509.Certificate) -> str:
    return format(certificate.serial_number, "x")


def hash_data(certificate: x509.Certificate, issuer: x509.Certificate) -> CertificateHash:
    """OCPP CertificateHashDataType (SHA256) of ``certificate``, issued by ``issuer``."""
    issuer_key = issuer.public_key().public_bytes(
        serialization.Encoding.DER, serialization.PublicFormat.SubjectPublicKeyInfo
    )
    return CertificateHash(
        "SHA256",
        _sha256(certificate.issuer.public_bytes()),
        _sha256(_subject_public_key(issuer_key)),
        serial_hex(certificate),
    )


def revocation_list(
    authority: KeyPair, passphrase: bytes, revoked: list[tuple[str, datetime]], now: datetime
) -> str:
    """A CRL of the station CA (PEM), for stations and for operators' own tooling."""
    issuer_cert, issuer_key = load_pair(authority, passphrase)
    builder = (
        x509.CertificateRevocationListBuilder()
        .issuer_name(issuer_cert.subject)
        .last_update(now)
        .next_update(now + timedelta(days=1))
    )
    for serial, at in revoked:
        entry = x509.RevokedCertificateBuilder().serial_number(int(serial, 16)).revocation_date(at)
        builder = builder.add_revoked_certificate(entry.build())
    return (
        builder.sign(issuer_key, hashes.SHA256()).public_bytes(serialization.Encoding.PEM).decode()
    )


def _builder(
    subject: x509.Name, key: CertificatePublicKeyTypes, now: datetime, days: int
) -> x509.CertificateBuilder:
    return (
        x509.CertificateBuilder()
        .subject_name(subject)
        .public_key(key)
        .serial_number(x509.random_serial_number())
        .not_valid_before(now - _BACKDATE)
        .not_valid_after(now + timedelta(days=days))
        .add_extension(x509.SubjectKeyIdentifier.from_public_key(key), critical=False)
    )


def _ca_usage() -> x509.KeyUsage:
    return x509.KeyUsage(
        digital_signature=True,
        content_commitment=False,
        key_encipherment=False,
        data_encipherment=False,
        key_agreement=False,
        key_cert_sign=True,
        crl_sign=True,
        encipher_only=False,
        decipher_only=False,
    )


def _fields(subject: Subject) -> tuple[str, str]:
    return subject.common_name, subject.organization


def _attribute(subject: x509.Name, oid: x509.ObjectIdentifier) -> str:
    values = subject.get_attributes_for_oid(oid)
    return str(values[0].value) if values else ""


def _sha256(data: bytes) -> str:
    digest = hashes.Hash(hashes.SHA256())
    digest.update(data)
    return digest.finalize().hex()


def _subject_public_key(spki_der: bytes) -> bytes:
    """The BIT STRING of a SubjectPublicKeyInfo: what OCPP's issuerKeyHash hashes."""
    from cryptography.hazmat.primitives.serialization import load_der_public_key

    key = load_der_public_key(spki_der)
    if isinstance(key, ec.EllipticCurvePublicKey):
        return key.public_bytes(
            serialization.Encoding.X962, serialization.PublicFormat.UncompressedPoint
        )
    return key.public_bytes(serialization.Encoding.DER, serialization.PublicFormat.PKCS1)
