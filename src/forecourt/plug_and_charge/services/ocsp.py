"""OCSP for contract chains (RFC 6960): requests from certificates or from the station's
hash data, and what an answer says. The transport is the ``OcspClient`` port."""

from __future__ import annotations

from cryptography import x509
from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.asymmetric import ec, padding, rsa
from cryptography.hazmat.primitives.serialization import Encoding
from cryptography.x509 import ocsp
from cryptography.x509.oid import AuthorityInformationAccessOID

from forecourt.domain.contracts import ContractStatus, OcspQuery

#: OCSPRequestDataType.hashAlgorithm -> the hash it names.
HASHES: dict[str, type[hashes.HashAlgorithm]] = {
    "SHA256": hashes.SHA256,
    "SHA384": hashes.SHA384,
    "SHA512": hashes.SHA512,
}


def query_for(certificate: x509.Certificate, issuer: x509.Certificate) -> OcspQuery | None:
    """The query for one certificate of a path; ``None`` when it names no responder (AIA)."""
    url = responder_url(certificate)
    if url is None:
        return None
    request = ocsp.OCSPRequestBuilder().add_certificate(certificate, issuer, hashes.SHA256())
    built = request.build()
    return OcspQuery(
        hash_algorithm="SHA256",
        issuer_name_hash=built.issuer_name_hash.hex(),
        issuer_key_hash=built.issuer_key_hash.hex(),
        serial_number=f"{built.serial_number:x}",
        responder_url=url,
    )


def responder_url(certificate: x509.Certificate) -> str | None:
    try:
        access = certificate.extensions.get_extension_for_class(x509.AuthorityInformationAccess)
    except x509.ExtensionNotFound:
        return None
    for description in access.value:
        if description.access_method == AuthorityInformationAccessOID.OCSP:
            return str(description.access_location.value)
    return None


def request_der(query: OcspQuery) -> bytes | None:
    """The DER request for a query; ``None`` when its fields are not hex / a known hash."""
    algorithm = HASHES.get(query.hash_algorithm)
    if algorithm is None:
        return None
    try:
        builder = ocsp.OCSPRequestBuilder().add_certificate_by_hash(
            bytes.fromhex(query.issuer_name_hash),
            bytes.fromhex(query.issuer_key_hash),
            int(query.serial_number, 16),
            algorithm(),
        )
    except ValueError:  # not hex, or a hash of the wrong length
        return None
    return builder.build().public_bytes(Encoding.DER)


def verdict(
    answer: bytes | None, query: OcspQuery, issuer: x509.Certificate | None
) -> ContractStatus:
    """What the responder said about the queried certificate.

    ``issuer`` known (a chain was presented): the answer must be signed by it, or by a
    responder certificate it issued; otherwise the answer is not evidence (UNVERIFIED).
    A responder that does not know the issuer (``unauthorized``) means an unknown root.
    """
    if answer is None:
        return ContractStatus.UNVERIFIED
    try:
        response = ocsp.load_der_ocsp_response(answer)
    except ValueError:
        return ContractStatus.UNVERIFIED
    if response.response_status is ocsp.OCSPResponseStatus.UNAUTHORIZED:
        return ContractStatus.CHAIN_ERROR
    if response.response_status is not ocsp.OCSPResponseStatus.SUCCESSFUL:
        return ContractStatus.UNVERIFIED
    if f"{response.serial_number:x}" != query.serial_number:
        return ContractStatus.UNVERIFIED
    if issuer is not None and not _signed_by(response, issuer):
        return ContractStatus.UNVERIFIED
    return _STATUS[response.certificate_status]


_STATUS = {
    ocsp.OCSPCertStatus.GOOD: ContractStatus.ACCEPTED,
    ocsp.OCSPCertStatus.REVOKED: ContractStatus.REVOKED,
    ocsp.OCSPCertStatus.UNKNOWN: ContractStatus.UNVERIFIED,
}


def _signed_by(response: ocsp.OCSPResponse, issuer: x509.Certificate) -> bool:
    signer = issuer
    for delegated in response.certificates:  # an authorised responder certificate
        if delegated.issuer == issuer.subject:
            signer = delegated
    key = signer.public_key()
    algorithm = response.signature_hash_algorithm
    try:
        if isinstance(key, ec.EllipticCurvePublicKey) and algorithm is not None:
            key.verify(response.signature, response.tbs_response_bytes, ec.ECDSA(algorithm))
        elif isinstance(key, rsa.RSAPublicKey) and algorithm is not None:
            key.verify(
                response.signature, response.tbs_response_bytes, padding.PKCS1v15(), algorithm
            )
        else:
            return False
    except InvalidSignature:
        return False
    return signer is issuer or _issued_by(signer, issuer)


def _issued_by(certificate: x509.Certificate, issuer: x509.Certificate) -> bool:
    try:
        certificate.verify_directly_issued_by(issuer)
    except (InvalidSignature, ValueError, TypeError):
        return False
    return True
