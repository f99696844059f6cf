"""Two server certificates, ECDSA and RSA, so both TLS 1.2 cipher families of OCPP 2.0.1
A00.FR.318 work (issue 16): real TLS clients each force one family."""

from __future__ import annotations

import json
import ssl
from pathlib import Path

import pytest
from cryptography import x509
from cryptography.hazmat.primitives.asymmetric import ec, rsa
from cryptography.hazmat.primitives.asymmetric.types import CertificateIssuerPrivateKeyTypes
from pydantic import ValidationError
from websockets.asyncio.client import connect

from forecourt.settings import Settings
from tests.e2e.conftest import basic_auth
from tests.support.certificates import self_signed
from tests.support.server import running_server

BOOT = {"chargePointVendor": "V", "chargePointModel": "M"}
ECDSA_SUITE = "ECDHE-ECDSA-AES128-GCM-SHA256"  # TLS_ECDHE_ECDSA_WITH_AES_128_GCM_SHA256
RSA_SUITE = "ECDHE-RSA-AES128-GCM-SHA256"  # TLS_ECDHE_RSA_WITH_AES_128_GCM_SHA256


def certificate(
    tmp_path: Path, name: str, key: CertificateIssuerPrivateKeyTypes
) -> tuple[Path, Path]:
    return self_signed(key, f"127.0.0.1 {name}", tmp_path / f"{name}.pem", tmp_path / f"{name}.key")


def tls12_client(suite: str, *trusted: Path) -> ssl.SSLContext:
    context = ssl.create_default_context()
    for cert in trusted:
        context.load_verify_locations(cafile=str(cert))
    context.minimum_version = context.maximum_version = ssl.TLSVersion.TLSv1_2
    context.set_ciphers(suite)
    return context


async def test_ecdsa_and_rsa_suites_both_connect(tmp_path: Path) -> None:
    ec_cert, ec_key = certificate(tmp_path, "ecdsa", ec.generate_private_key(ec.SECP256R1()))
    rsa_key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    rsa_cert, rsa_key_path = certificate(tmp_path, "rsa", rsa_key)
    async with running_server(
        tmp_path,
        tls_certfile=ec_cert,
        tls_keyfile=ec_key,
        tls_second_certfile=rsa_cert,
        tls_second_keyfile=rsa_key_path,
    ) as server:
        await server.forecourt.services.network.add_station("TLS-2", password="tls-password-123")
        url = f"wss://127.0.0.1:{server.port}/ocpp/TLS-2"
        for suite, served in ((ECDSA_SUITE, "ecdsa"), (RSA_SUITE, "rsa")):
            async with connect(
                url,
                ssl=tls12_client(suite, ec_cert, rsa_cert),
                subprotocols=["ocpp1.6"],  # type: ignore[list-item]
                additional_headers=basic_auth("TLS-2", "tls-password-123"),
            ) as ws:
                tls_object = ws.transport.get_extra_info("ssl_object")
                assert tls_object.cipher()[0] == suite
                assert tls_object.version() == "TLSv1.2"
                peer = x509.load_der_x509_certificate(tls_object.getpeercert(binary_form=True))
                assert peer.subject.rfc4514_string() == f"CN=127.0.0.1 {served}"
                await ws.send(json.dumps([2, "1", "BootNotification", BOOT]))
                assert json.loads(await ws.recv())[2]["status"] == "Accepted"


async def test_one_certificate_serves_one_family_only(tmp_path: Path) -> None:
    ec_cert, ec_key = certificate(tmp_path, "ecdsa", ec.generate_private_key(ec.SECP256R1()))
    async with running_server(tmp_path, tls_certfile=ec_cert, tls_keyfile=ec_key) as server:
        url = f"wss://127.0.0.1:{server.port}/ocpp/TLS-3"
        # no shared cipher: an SSL alert, or the handshake reset
        with pytest.raises((ssl.SSLError, ConnectionResetError)):
            async with connect(url, ssl=tls12_client(RSA_SUITE, ec_cert)):
                pass


def test_the_second_certificate_needs_its_key_and_a_first_one(tmp_path: Path) -> None:
    with pytest.raises(ValidationError, match="go together"):
        Settings(tls_second_certfile=tmp_path / "rsa.pem")
    with pytest.raises(ValidationError, match="needs tls_certfile"):
        Settings(tls_second_certfile=tmp_path / "c.pem", tls_second_keyfile=tmp_path / "k.pem")
