"""Golden frames of the certificate messages, 1.6 security extension and 2.0.1 blocks A/M:
each neutral command rendered by both versions, and their answers read back."""

from __future__ import annotations

from typing import Any

import pytest

from forecourt.domain.certificates import (
    CertificateHash,
    CertificateSigned,
    CertificateUse,
    DeleteCertificate,
    GetInstalledCertificateIds,
    InstallCertificate,
    TrustAnchor,
)
from forecourt.domain.commands import Command, CommandStatus
from forecourt.domain.errors import InvalidInput
from forecourt.ocpp.v16 import ADAPTER as V16
from forecourt.ocpp.v201 import ADAPTER as V201
from forecourt.ocpp.validation import validator_for
from forecourt.ocpp.versions import OcppVersion

STATION_CERT = {"certificateType": "ChargingStationCertificate"}
CSMS_ROOT_16 = {"certificateType": "CentralSystemRootCertificate"}
PEM = "-----BEGIN CERTIFICATE-----\nMIIB\n-----END CERTIFICATE-----\n"
HASH = CertificateHash("SHA256", "aa", "bb", "1f")
HASH_WIRE = {
    "hashAlgorithm": "SHA256",
    "issuerNameHash": "aa",
    "issuerKeyHash": "bb",
    "serialNumber": "1f",
}

#: (command, 1.6 action, 1.6 payload, 2.0.1 action, 2.0.1 payload)
CERTIFICATE_RENDERED: list[tuple[Command, str, dict[str, Any], str, dict[str, Any]]] = [
    (
        CertificateSigned(PEM),
        "CertificateSigned", {"certificateChain": PEM},
        "CertificateSigned", {"certificateChain": PEM, **STATION_CERT},
    ),
    (
        InstallCertificate(TrustAnchor.CSMS_ROOT, PEM),
        "InstallCertificate", {**CSMS_ROOT_16, "certificate": PEM},
        "InstallCertificate", {"certificateType": "CSMSRootCertificate", "certificate": PEM},
    ),
    (
        DeleteCertificate(HASH),
        "DeleteCertificate", {"certificateHashData": HASH_WIRE},
        "DeleteCertificate", {"certificateHashData": HASH_WIRE},
    ),
    (
        GetInstalledCertificateIds((TrustAnchor.MANUFACTURER_ROOT,)),
        "GetInstalledCertificateIds", {"certificateType": "ManufacturerRootCertificate"},
        "GetInstalledCertificateIds", {"certificateType": ["ManufacturerRootCertificate"]},
    ),
]  # fmt: skip


@pytest.mark.parametrize(
    ("command", "action16", "payload16", "action201", "payload201"), CERTIFICATE_RENDERED
)
def test_both_versions_render_the_certificate_commands(
    command: Command,
    action16: str,
    payload16: dict[str, Any],
    action201: str,
    payload201: dict[str, Any],
) -> None:
    assert V16.render(command) == (action16, payload16)
    assert V201.render(command) == (action201, payload201)
    validator_for(OcppVersion.V16).validate_request(action16, payload16)
    validator_for(OcppVersion.V201).validate_request(action201, payload201)


def test_what_16_cannot_carry_is_refused_before_it_is_sent() -> None:
    for command in (
        CertificateSigned(PEM, CertificateUse.V2G),
        InstallCertificate(TrustAnchor.V2G_ROOT, PEM),
        GetInstalledCertificateIds(),
    ):
        with pytest.raises(InvalidInput):
            V16.render(command)
    assert (
        V201.render(CertificateSigned(PEM, CertificateUse.V2G))[1]["certificateType"]
        == "V2GCertificate"
    )
    assert V201.render(GetInstalledCertificateIds()) == ("GetInstalledCertificateIds", {})


def test_installed_certificates_are_read_back_in_neutral_words() -> None:
    answer16 = V16.interpret(
        GetInstalledCertificateIds((TrustAnchor.CSMS_ROOT,)),
        {"status": "Accepted", "certificateHashData": [HASH_WIRE]},
    )
    answer201 = V201.interpret(
        GetInstalledCertificateIds(),
        {
            "status": "Accepted",
            "certificateHashDataChain": [
                {"certificateType": "CSMSRootCertificate", "certificateHashData": HASH_WIRE}
            ],
        },
    )
    expected = {
        "anchor": "csms_root",
        "hash_algorithm": "SHA256",
        "issuer_name_hash": "aa",
        "issuer_key_hash": "bb",
        "serial_number": "1f",
    }
    assert answer16.data == answer201.data == {"certificates": [expected]}
    empty = V201.interpret(GetInstalledCertificateIds(), {"status": "NotFound"})
    assert (empty.status, empty.data) == (CommandStatus.ACCEPTED, {"certificates": []})


@pytest.mark.parametrize(
    ("word", "status"),
    [
        ("Accepted", CommandStatus.ACCEPTED),
        ("Rejected", CommandStatus.REJECTED),
        ("Failed", CommandStatus.FAILED),
    ],
)
def test_certificate_answers(word: str, status: CommandStatus) -> None:
    for adapter in (V16, V201):
        assert (
            adapter.interpret(
                InstallCertificate(TrustAnchor.CSMS_ROOT, PEM), {"status": word}
            ).status
            is status
        )
    assert V201.interpret(DeleteCertificate(HASH), {"status": "NotFound"}).data == {
        "status": "NotFound"
    }
