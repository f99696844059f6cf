"""Plug & Charge end to end on OCPP 2.0.1 with an independent client (the `ocpp` package):
contract checks against the configured roots with a real OCSP responder, the install flow
through the contract pool, GetCertificateStatus, and Autocharge MAC tokens."""

from __future__ import annotations

import asyncio
import base64
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from typing import Any

import pytest
from cryptography import x509
from cryptography.hazmat.primitives import hashes
from cryptography.x509 import ocsp
from ocpp.v201 import ChargePoint, call
from websockets.asyncio.client import connect

from forecourt.plug_and_charge.testpki.generator import CONTRACTS, VEHICLE_EMAID, GeneratedPki
from tests.e2e.conftest import PASSWORD, STATION, basic_auth
from tests.plug_and_charge.conftest import VERDICTS
from tests.support.server import RunningServer


@asynccontextmanager
async def station(server: RunningServer) -> AsyncIterator[ChargePoint]:
    async with connect(
        f"{server.ws_url}/{STATION}",
        subprotocols=["ocpp2.0.1"],  # type: ignore[list-item]
        additional_headers=basic_auth(STATION, PASSWORD),
    ) as ws:
        cp = ChargePoint(STATION, ws)
        runner = asyncio.create_task(cp.start())
        try:
            boot = call.BootNotification(
                charging_station={"model": "PnC", "vendor_name": "Test"}, reason="PowerUp"
            )
            assert (await cp.call(boot)).status == "Accepted"
            yield cp
        finally:
            runner.cancel()


def emaid_token(emaid: str) -> dict[str, str]:
    return {"id_token": emaid, "type": "eMAID"}


def hash_data(pki: GeneratedPki, name: str) -> dict[str, str]:
    """OCSPRequestDataType for a contract, as a station computes it from the car's chain."""
    leaf, issuer = x509.load_pem_x509_certificates(pki.contract_chain(name).encode())[:2]
    built = ocsp.OCSPRequestBuilder().add_certificate(leaf, issuer, hashes.SHA256()).build()
    return {
        "hash_algorithm": "SHA256",
        "issuer_name_hash": built.issuer_name_hash.hex(),
        "issuer_key_hash": built.issuer_key_hash.hex(),
        "serial_number": f"{built.serial_number:x}",
        "responder_url": pki.ocsp_url,
    }


@pytest.mark.parametrize(
    ("contract", "status", "certificate_status"),
    VERDICTS,
)
async def test_authorize_with_contract_chain(
    server: RunningServer, pki: GeneratedPki, contract: str, status: str, certificate_status: str
) -> None:
    async with station(server) as cp:
        answer = await cp.call(
            call.Authorize(
                id_token=emaid_token(CONTRACTS[contract]),
                certificate=pki.contract_chain(contract),
            )
        )
    assert answer.id_token_info["status"] == status
    assert answer.certificate_status == certificate_status


@pytest.mark.parametrize(
    ("contract", "status", "certificate_status"),
    [("valid", "Accepted", "Accepted"), ("revoked", "Blocked", "CertificateRevoked")],
)
async def test_authorize_with_hash_data_only(
    server: RunningServer, pki: GeneratedPki, contract: str, status: str, certificate_status: str
) -> None:
    """C07.FR.05: the station validated the chain; the responder in the hash data decides."""
    async with station(server) as cp:
        answer = await cp.call(
            call.Authorize(
                id_token=emaid_token(CONTRACTS[contract]),
                iso15118_certificate_hash_data=[hash_data(pki, contract)],
            )
        )
    assert answer.id_token_info["status"] == status
    assert answer.certificate_status == certificate_status


async def test_a_chain_for_another_emaid_is_invalid(
    server: RunningServer, pki: GeneratedPki
) -> None:
    async with station(server) as cp:
        answer = await cp.call(
            call.Authorize(
                id_token=emaid_token(CONTRACTS["revoked"]),
                certificate=pki.contract_chain("valid"),
            )
        )
    assert answer.id_token_info["status"] == "Invalid"


async def test_unreachable_responder_leaves_the_token_unknown(
    server: RunningServer, pki: GeneratedPki
) -> None:
    async with station(server) as cp:
        answer = await cp.call(
            call.Authorize(
                id_token=emaid_token(CONTRACTS["valid"]),
                iso15118_certificate_hash_data=[
                    {**hash_data(pki, "valid"), "responder_url": "http://127.0.0.1:9/ocsp"}
                ],
            )
        )
    assert answer.id_token_info["status"] == "Unknown"
    assert answer.certificate_status is None


async def test_install_a_contract_then_plug_and_charge(
    server: RunningServer, pki: GeneratedPki
) -> None:
    """M01 through the built-in pool, then the issued contract authorises (C07)."""
    provisioning = (pki.directory / "oem_provisioning.pem").read_bytes()
    async with station(server) as cp:
        installed = await cp.call(
            call.Get15118EVCertificate(
                iso15118_schema_version="urn:iso:15118:2:2013:MsgDef",
                action="Install",
                exi_request=base64.b64encode(provisioning).decode(),
            )
        )
        assert installed.status == "Accepted"
        bundle = base64.b64decode(installed.exi_response).decode()
        chain = bundle[: bundle.index("-----BEGIN PRIVATE KEY-----")]
        leaf = x509.load_pem_x509_certificates(chain.encode())[0]
        assert f"CN={VEHICLE_EMAID}" in leaf.subject.rfc4514_string()
        answer = await cp.call(
            call.Authorize(id_token=emaid_token(VEHICLE_EMAID), certificate=chain)
        )
        refused = await cp.call(
            call.Get15118EVCertificate(
                iso15118_schema_version="urn:iso:15118:2:2013:MsgDef",
                action="Update",
                exi_request=base64.b64encode(b"not a certificate").decode(),
            )
        )
    assert answer.id_token_info["status"] == "Accepted"
    assert answer.certificate_status == "Accepted"
    assert refused.status == "Failed"


async def test_get_certificate_status_relays_the_responder(
    server: RunningServer, pki: GeneratedPki
) -> None:
    """M06: the station gets the DER OCSP response (base64) for a certificate."""
    async with station(server) as cp:
        good = await cp.call(call.GetCertificateStatus(ocsp_request_data=hash_data(pki, "valid")))
        revoked = await cp.call(
            call.GetCertificateStatus(ocsp_request_data=hash_data(pki, "revoked"))
        )
    statuses = [
        ocsp.load_der_ocsp_response(base64.b64decode(a.ocsp_result)).certificate_status
        for a in (good, revoked)
    ]
    assert (good.status, revoked.status) == ("Accepted", "Accepted")
    assert statuses == [ocsp.OCSPCertStatus.GOOD, ocsp.OCSPCertStatus.REVOKED]


@pytest.mark.parametrize(
    ("spelling", "status"),
    [("00:1a:2b:3c:4d:5e", "Accepted"), ("00:1a:2b:3c:4d:5f", "Unknown")],
)
async def test_autocharge_mac_address_token(
    server: RunningServer, spelling: str, status: str
) -> None:
    """Autocharge is opt-in: only a registered EVCCID authorises, however it is spelled."""
    async with station(server) as cp:
        answer: Any = await cp.call(
            call.Authorize(id_token={"id_token": spelling, "type": "MacAddress"})
        )
    assert answer.id_token_info["status"] == status
