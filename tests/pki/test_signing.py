"""Renewal through SignCertificate end to end, on 1.6 (security whitepaper) and 2.0.1 (A02):
the CSMS triggers it, the station sends a CSR, the signed chain comes back in
CertificateSigned, and the station connects with its new certificate."""

from __future__ import annotations

import asyncio
from pathlib import Path

import pytest
from cryptography import x509
from cryptography.hazmat.primitives import hashes
from cryptography.x509.oid import NameOID

from forecourt.pki.services import crypto
from tests.pki.conftest import ORGANIZATION, PkiServer, Station, station

PROTOCOLS = {"1.6": "ocpp1.6", "2.0.1": "ocpp2.0.1"}
TRIGGER = {"1.6": "ExtendedTriggerMessage", "2.0.1": "TriggerMessage"}


def csr_for(common_name: str, organization: str = ORGANIZATION) -> tuple[str, str]:
    """A station's CSR and its new key (PEM)."""
    key = crypto.new_key()
    subject = x509.Name(
        [
            x509.NameAttribute(NameOID.COMMON_NAME, common_name),
            x509.NameAttribute(NameOID.ORGANIZATION_NAME, organization),
        ]
    )
    request = (
        x509.CertificateSigningRequestBuilder().subject_name(subject).sign(key, hashes.SHA256())
    )
    return request.public_bytes(crypto.serialization.Encoding.PEM).decode(), crypto.plain_key(key)


async def _answer_trigger(peer: Station, version: str) -> None:
    message_id, action, payload = await peer.receive_call()
    assert action == TRIGGER[version]
    words = {"1.6": "SignChargePointCertificate", "2.0.1": "SignChargingStationCertificate"}
    assert payload["requestedMessage"] == words[version]
    await peer.answer(message_id, {"status": "Accepted"})


@pytest.mark.parametrize("version", ["1.6", "2.0.1"])
async def test_a_triggered_renewal_installs_a_new_certificate(
    pki_server: PkiServer, version: str, tmp_path: Path
) -> None:
    station_id = f"CS-RENEW-{version.replace('.', '')}"
    await pki_server.server.forecourt.services.network.add_station(station_id)
    await pki_server.pki.stations.set_profile(station_id, 3)
    chain, key = await pki_server.issue(station_id)
    tls = pki_server.client_tls(chain, key)
    async with (
        asyncio.timeout(30),
        pki_server.api() as api,
        station(pki_server, station_id, tls, PROTOCOLS[version]) as peer,
    ):
        body = {"kind": "trigger_message", "message": "sign_certificate"}
        triggered = asyncio.create_task(api.post(f"/api/stations/{station_id}/commands", json=body))
        await _answer_trigger(peer, version)
        assert (await triggered).json()["status"] == "accepted"
        csr, new_key = csr_for(station_id)
        assert (await peer.call("SignCertificate", {"csr": csr}))["status"] == "Accepted"
        message_id, action, payload = await peer.receive_call()
        assert action == "CertificateSigned"
        await peer.answer(message_id, {"status": "Accepted"})
    if version == "2.0.1":
        assert payload["certificateType"] == "ChargingStationCertificate"
    leaf = x509.load_pem_x509_certificates(payload["certificateChain"].encode())[0]
    assert leaf.subject.get_attributes_for_oid(NameOID.COMMON_NAME)[0].value == station_id
    certificates = await pki_server.cli.json("pki", "list", "--station", station_id)
    assert certificates[0]["serial"] == crypto.serial_hex(leaf)  # newest first
    assert len(certificates) == 2
    new_chain, new_key_file = tmp_path / "renewed.pem", tmp_path / "renewed.key"
    new_chain.write_text(payload["certificateChain"])
    new_key_file.write_text(new_key)
    renewed = pki_server.client_tls(new_chain, new_key_file)
    async with station(pki_server, station_id, renewed, PROTOCOLS[version]) as again:
        assert (await again.call("Heartbeat", {}))["currentTime"]


@pytest.mark.parametrize("version", ["1.6", "2.0.1"])
async def test_a_csr_naming_another_station_or_a_weak_key_is_rejected(
    pki_server: PkiServer, version: str
) -> None:
    station_id = f"CS-CSR-{version.replace('.', '')}"
    await pki_server.server.forecourt.services.network.add_station(station_id)
    chain, key = await pki_server.issue(station_id)
    async with station(
        pki_server, station_id, pki_server.client_tls(chain, key), PROTOCOLS[version]
    ) as peer:
        other, _ = csr_for("CS-SOMEONE-ELSE")
        wrong_org, _ = csr_for(station_id, organization="Another CPO")
        answers = [await peer.call("SignCertificate", {"csr": c}) for c in (other, wrong_org)]
        garbage = await peer.call("SignCertificate", {"csr": "-----BEGIN CERTIFICATE REQUEST-----"})
    assert [a["status"] for a in [*answers, garbage]] == ["Rejected"] * 3
    if version == "2.0.1":
        assert "is not the station identity" in answers[0]["statusInfo"]["additionalInfo"]
        assert "is not 'Forecourt Test CPO'" in answers[1]["statusInfo"]["additionalInfo"]
    assert len(await pki_server.cli.json("pki", "list", "--station", station_id)) == 1
