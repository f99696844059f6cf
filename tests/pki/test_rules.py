"""The PKI's pure rules and CSR checks, and `forecourt pki init` importing an operator's CA."""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path

import pytest
from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec, rsa
from cryptography.hazmat.primitives.asymmetric.types import CertificateIssuerPrivateKeyTypes
from cryptography.x509.oid import NameOID

from forecourt.domain.certificates import identity_mismatch
from forecourt.domain.errors import InvalidInput
from forecourt.pki.domain.certificates import check_profile_change, profile_refusal
from forecourt.pki.services import crypto
from tests.pki.conftest import PkiCli


def _csr(key: CertificateIssuerPrivateKeyTypes, cn: str = "CS-1", org: str = "CPO") -> str:
    subject = x509.Name(
        [
            x509.NameAttribute(NameOID.COMMON_NAME, cn),
            x509.NameAttribute(NameOID.ORGANIZATION_NAME, org),
        ]
    )
    csr = x509.CertificateSigningRequestBuilder().subject_name(subject).sign(key, hashes.SHA256())
    return csr.public_bytes(serialization.Encoding.PEM).decode()


def test_profiles_go_up_freely_and_down_only_when_allowed() -> None:
    check_profile_change(1, 3, allow_downgrade=False)
    with pytest.raises(InvalidInput, match="downgrade"):
        check_profile_change(3, 1, allow_downgrade=False)
    check_profile_change(3, 1, allow_downgrade=True)
    with pytest.raises(InvalidInput, match="does not exist"):
        check_profile_change(1, 4, allow_downgrade=False)


def test_what_each_profile_requires_at_the_handshake() -> None:
    assert profile_refusal(1, over_tls=False, has_certificate=False) == ""
    assert profile_refusal(2, over_tls=False, has_certificate=False) == "profile 2 requires TLS"
    assert "client certificate" in profile_refusal(3, over_tls=True, has_certificate=False)
    assert profile_refusal(3, over_tls=True, has_certificate=True) == ""


def test_the_subject_names_the_station_and_the_operator() -> None:
    assert identity_mismatch("CS-1", "CS-1", "CPO", "CPO") == ""
    assert identity_mismatch("CS-1", "CS-1", "Other", "") == ""  # no organization configured
    assert "CN 'cs-1'" in identity_mismatch("CS-1", "cs-1", "CPO", "CPO")  # exact, case too
    assert "O 'Other'" in identity_mismatch("CS-1", "CS-1", "Other", "CPO")


def test_weak_keys_and_forged_csrs_are_refused() -> None:
    assert crypto.checked_csr(_csr(ec.generate_private_key(ec.SECP256R1())), "CS-1", "CPO")
    assert crypto.checked_csr(_csr(rsa.generate_private_key(65537, 2048)), "CS-1", "CPO")
    with pytest.raises(InvalidInput, match="RSA key of 1024 bits"):
        crypto.checked_csr(_csr(rsa.generate_private_key(65537, 1024)), "CS-1", "CPO")
    with pytest.raises(InvalidInput, match="EC key of 192 bits"):
        crypto.checked_csr(_csr(ec.generate_private_key(ec.SECP192R1())), "CS-1", "CPO")
    with pytest.raises(InvalidInput, match="not a PEM certificate signing request"):
        crypto.checked_csr("garbage", "CS-1", "CPO")


async def test_init_imports_an_operator_ca_once(pki_cli: PkiCli, tmp_path: Path) -> None:
    operator = crypto.new_authority(
        crypto.Subject("Operator CA", "CPO"), datetime.now(UTC), 30, b"k"
    )
    key = serialization.load_pem_private_key(operator.private_key_pem.encode(), b"k")
    (tmp_path / "ca.pem").write_text(operator.certificate_pem)
    (tmp_path / "ca.key").write_text(crypto.plain_key(key))  # type: ignore[arg-type]
    (tmp_path / "other.key").write_text(crypto.plain_key(crypto.new_key()))
    bundle = tmp_path / "bundle.pem"
    init = ("pki", "init", "--bundle", str(bundle), "--ca-certificate", str(tmp_path / "ca.pem"))
    mismatch = await pki_cli(*init, "--ca-key", str(tmp_path / "other.key"))
    assert mismatch.exit_code == 2
    assert "does not belong to the CA certificate" in mismatch.stderr
    assert (await pki_cli.json(*init, "--ca-key", str(tmp_path / "ca.key")))["imported"] is True
    assert bundle.read_text() == operator.certificate_pem  # our station CA is the operator's
    again = await pki_cli("pki", "init")
    assert again.exit_code == 1
    assert "already set up" in again.stderr
    issued = await pki_cli.json("pki", "issue", "CS-9", "--out", str(tmp_path / "out"))
    chain = x509.load_pem_x509_certificates((tmp_path / "out" / "CS-9.pem").read_bytes())
    assert (
        chain[0].issuer
        == chain[1].subject
        == x509.load_pem_x509_certificate(operator.certificate_pem.encode()).subject
    )
    assert issued["state"] == "valid"
    assert oct((tmp_path / "out" / "CS-9.key").stat().st_mode & 0o777) == "0o600"
