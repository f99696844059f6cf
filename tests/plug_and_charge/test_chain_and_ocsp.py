"""Chain building and OCSP verdicts on certificates made here (no network)."""

from __future__ import annotations

from dataclasses import replace
from datetime import UTC, datetime, timedelta

from cryptography.hazmat.primitives import hashes, serialization
from cryptography.x509 import ocsp

from forecourt.domain.contracts import ContractStatus
from forecourt.plug_and_charge.services.chain import build_path, parse_chain
from forecourt.plug_and_charge.services.ocsp import query_for, request_der, verdict
from forecourt.plug_and_charge.testpki.certificates import Issued, Validity, issue

NOW = datetime(2026, 12, 7, 12, tzinfo=UTC)
LONG = Validity.around(NOW, 365)


def _hierarchy() -> tuple[Issued, Issued, Issued]:
    root = issue("MO Root CA", LONG, issuer=None, ca=True)
    sub = issue("MO Sub-CA", LONG, issuer=root, ca=True)
    leaf = issue("DEFCOC0000009Z", LONG, issuer=sub, ca=False, ocsp_url="http://r/ocsp")
    return root, sub, leaf


def test_a_path_to_a_trusted_root() -> None:
    root, sub, leaf = _hierarchy()
    path = build_path([leaf.certificate, sub.certificate], [root.certificate], NOW)
    assert path.status is ContractStatus.ACCEPTED
    assert path.certificates == (leaf.certificate, sub.certificate, root.certificate)


def test_a_look_alike_root_is_a_signature_error_and_a_missing_sub_ca_a_chain_error() -> None:
    root, sub, leaf = _hierarchy()
    impostor = issue("MO Root CA", LONG, issuer=None, ca=True)  # same name, another key
    forged = build_path([leaf.certificate, sub.certificate], [impostor.certificate], NOW)
    assert forged.status is ContractStatus.SIGNATURE_ERROR
    missing = build_path([leaf.certificate], [root.certificate], NOW)
    assert missing.status is ContractStatus.CHAIN_ERROR


def test_a_sub_ca_out_of_validity_expires_the_contract() -> None:
    root = issue("MO Root CA", LONG, issuer=None, ca=True)
    old = Validity(NOW - timedelta(days=300), NOW - timedelta(days=1))
    sub = issue("MO Sub-CA", old, issuer=root, ca=True)
    leaf = issue("DEFCOC0000009Z", LONG, issuer=sub, ca=False)
    path = build_path([leaf.certificate, sub.certificate], [root.certificate], NOW)
    assert path.status is ContractStatus.EXPIRED


def test_garbage_is_no_chain() -> None:
    assert parse_chain("-----BEGIN CERTIFICATE-----\nnope\n") == []


def _response(leaf: Issued, issuer: Issued, signer: Issued, status: ocsp.OCSPCertStatus) -> bytes:
    builder = ocsp.OCSPResponseBuilder().add_response(
        cert=leaf.certificate, issuer=issuer.certificate, algorithm=hashes.SHA256(),
        cert_status=status, this_update=NOW, next_update=NOW + timedelta(hours=1),
        revocation_time=NOW if status is ocsp.OCSPCertStatus.REVOKED else None,
        revocation_reason=None,
    )  # fmt: skip
    builder = builder.responder_id(ocsp.OCSPResponderEncoding.HASH, signer.certificate)
    return builder.sign(signer.key, hashes.SHA256()).public_bytes(serialization.Encoding.DER)


def test_verdicts_need_the_issuers_signature() -> None:
    _, sub, leaf = _hierarchy()
    query = query_for(leaf.certificate, sub.certificate)
    assert query is not None
    assert query.responder_url == "http://r/ocsp"
    assert request_der(query) is not None
    good = _response(leaf, sub, sub, ocsp.OCSPCertStatus.GOOD)
    revoked = _response(leaf, sub, sub, ocsp.OCSPCertStatus.REVOKED)
    stranger = issue("Someone", LONG, issuer=None, ca=True)
    forged = _response(leaf, sub, stranger, ocsp.OCSPCertStatus.GOOD)
    assert verdict(good, query, sub.certificate) is ContractStatus.ACCEPTED
    assert verdict(revoked, query, sub.certificate) is ContractStatus.REVOKED
    assert verdict(forged, query, sub.certificate) is ContractStatus.UNVERIFIED
    assert verdict(None, query, sub.certificate) is ContractStatus.UNVERIFIED
    assert verdict(b"not DER", query, sub.certificate) is ContractStatus.UNVERIFIED
    unauthorized = ocsp.OCSPResponseBuilder.build_unsuccessful(
        ocsp.OCSPResponseStatus.UNAUTHORIZED
    ).public_bytes(serialization.Encoding.DER)
    assert verdict(unauthorized, query, None) is ContractStatus.CHAIN_ERROR


def test_bad_hash_data_builds_no_request() -> None:
    _, sub, leaf = _hierarchy()
    query = query_for(leaf.certificate, sub.certificate)
    assert query is not None
    assert request_der(replace(query, hash_algorithm="MD5")) is None
    assert request_der(replace(query, issuer_name_hash="zz")) is None
