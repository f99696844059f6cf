"""OCPP 2.0.1 blocks A (A02/A03 certificate signing) and M (M03-M05 trust store):
SignCertificate from the station; CertificateSigned, InstallCertificate, DeleteCertificate
and GetInstalledCertificateIds to it."""

from __future__ import annotations

from typing import assert_never

from forecourt.domain.certificates import (
    CertificateSigned,
    CertificateUse,
    DeleteCertificate,
    GetInstalledCertificateIds,
    InstallCertificate,
    TrustAnchor,
)
from forecourt.domain.commands import CommandResult
from forecourt.ocpp.adapter import Link, Payload
from forecourt.ocpp.certificate_words import (
    certificate_status,
    hash_data,
    installed,
    neutral_hash,
)
from forecourt.ocpp.rendering import CertificateCommand, Rendered
from forecourt.ocpp.v201.wire_types.certificates import (
    CertificateSignedRequest,
    CertificateSigningUseEnumType,
    DeleteCertificateRequest,
    GetCertificateIdUseEnumType,
    GetInstalledCertificateIdsRequest,
    InstallCertificateRequest,
    InstallCertificateUseEnumType,
    SignCertificateRequest,
    SignCertificateResponse,
)
from forecourt.ocpp.v201.wire_types.common import CertificateHashDataType, StatusInfoType

USE: dict[CertificateUse, CertificateSigningUseEnumType] = {
    CertificateUse.CHARGING_STATION: "ChargingStationCertificate",
    CertificateUse.V2G: "V2GCertificate",
}
_USE_BACK = {word: use for use, word in USE.items()}

ANCHOR: dict[TrustAnchor, InstallCertificateUseEnumType] = {
    TrustAnchor.CSMS_ROOT: "CSMSRootCertificate",
    TrustAnchor.MANUFACTURER_ROOT: "ManufacturerRootCertificate",
    TrustAnchor.V2G_ROOT: "V2GRootCertificate",
    TrustAnchor.MO_ROOT: "MORootCertificate",
}
_ANCHOR_BACK: dict[str, str] = {word: anchor.value for anchor, word in ANCHOR.items()}


async def sign_certificate(link: Link, p: SignCertificateRequest) -> SignCertificateResponse:
    """A02/A03: no certificateType means the station's own certificate (A02.FR.04)."""
    use = _USE_BACK[p.get("certificateType", "ChargingStationCertificate")]
    outcome = await link.services.certificates.sign(link.station_id, p["csr"], use)
    if outcome.accepted:
        return SignCertificateResponse(status="Accepted")
    info = StatusInfoType(reasonCode="InvalidCSR", additionalInfo=outcome.reason[:512])
    return SignCertificateResponse(status="Rejected", statusInfo=info)


def render(command: CertificateCommand) -> Rendered:
    match command:
        case CertificateSigned():  # A02.FR.06 / A03
            return "CertificateSigned", CertificateSignedRequest(
                certificateChain=command.chain_pem, certificateType=USE[command.use]
            )
        case InstallCertificate():  # M05
            return "InstallCertificate", InstallCertificateRequest(
                certificateType=ANCHOR[command.anchor], certificate=command.certificate_pem
            )
        case DeleteCertificate():  # M04
            data = CertificateHashDataType(**hash_data(command.certificate))  # type: ignore[typeddict-item]
            return "DeleteCertificate", DeleteCertificateRequest(certificateHashData=data)
        case GetInstalledCertificateIds():  # M03
            request = GetInstalledCertificateIdsRequest()
            if command.anchors:
                words: list[GetCertificateIdUseEnumType] = [ANCHOR[a] for a in command.anchors]
                request["certificateType"] = words
            return "GetInstalledCertificateIds", request
        case _:
            assert_never(command)


def interpret(command: CertificateCommand, response: Payload) -> CommandResult:
    if not isinstance(command, GetInstalledCertificateIds):
        return certificate_status(response)
    chains = response.get("certificateHashDataChain", [])
    return installed(
        [
            {
                "anchor": _ANCHOR_BACK.get(chain["certificateType"], chain["certificateType"]),
                **neutral_hash(chain["certificateHashData"]),
            }
            for chain in chains
        ]
    )
