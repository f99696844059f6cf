"""The built-in contract-certificate pool: issues contracts from the test V2G PKI.

Production pools (a PKI platform's contract certificate pool) take the car's EXI-encoded
ISO 15118 CertificateInstallationReq and return the signed CertificateInstallationRes.
Forecourt has no EXI codec, so this test pool speaks a documented stand-in
(docs/plug-and-charge.md): ``exiRequest`` is the base64 of the car's OEM provisioning
certificate (PEM or DER); ``exiResponse`` is the base64 of a PEM bundle: the new contract
certificate, its MO sub-CAs and its private key. The flow over OCPP is the real one.
"""

from __future__ import annotations

import base64
import binascii
import hashlib
import json
from datetime import UTC, datetime
from pathlib import Path

from cryptography import x509

from forecourt.domain.contracts import ContractStatus
from forecourt.plug_and_charge.services.chain import build_path
from forecourt.plug_and_charge.testpki.certificates import Validity, issue, key_pem, load, pem
from forecourt.plug_and_charge.testpki.generator import MANIFEST, MO_ISSUER
from forecourt.ports.contracts import EvCertificateAnswer

CONTRACT_DAYS = 730


class TestContractPool:
    __test__ = False  # not a pytest class

    def __init__(self, directory: Path) -> None:
        self._directory = directory

    async def issue(
        self, schema_version: str, install: bool, exi_request: str
    ) -> EvCertificateAnswer:
        del schema_version, install  # the stand-in is the same for ISO 15118-2 and -20
        vehicle = _provisioning_certificate(exi_request)
        if vehicle is None:
            return EvCertificateAnswer(False, reason="exiRequest holds no certificate")
        oem = [load(self._directory, n).certificate for n in ("oem_sub", "oem_root")]
        path = build_path([vehicle, oem[0]], [oem[1]], datetime.now(UTC))
        if path.status is not ContractStatus.ACCEPTED:
            return EvCertificateAnswer(False, reason=f"provisioning certificate: {path.status}")
        manifest = json.loads((self._directory / MANIFEST).read_text())
        pcid = _common_name(vehicle)
        emaid = manifest["vehicle_emaid"] if pcid == manifest["vehicle_pcid"] else _emaid(pcid)
        sub2, sub1 = load(self._directory, MO_ISSUER), load(self._directory, "mo_sub1")
        validity = Validity.around(datetime.now(UTC), CONTRACT_DAYS)
        contract = issue(emaid, validity, issuer=sub2, ca=False, ocsp_url=manifest["ocsp_url"])
        bundle = b"".join(
            [pem(contract.certificate), pem(sub2.certificate), pem(sub1.certificate)]
        ) + key_pem(contract.key)
        return EvCertificateAnswer(True, base64.b64encode(bundle).decode())


def _provisioning_certificate(exi_request: str) -> x509.Certificate | None:
    try:
        raw = base64.b64decode(exi_request, validate=True)
    except (binascii.Error, ValueError):
        return None
    for loader in (x509.load_pem_x509_certificate, x509.load_der_x509_certificate):
        try:
            return loader(raw)
        except ValueError:
            continue
    return None


def _common_name(certificate: x509.Certificate) -> str:
    names = certificate.subject.get_attributes_for_oid(x509.NameOID.COMMON_NAME)
    return str(names[0].value) if names else ""


def _emaid(pcid: str) -> str:
    # A stable test eMAID per car: country DE, provider FCO, contract id from the PCID.
    return "DEFCOC" + hashlib.sha256(pcid.encode()).hexdigest()[:8].upper()
