"""OCPP 1.6 security extension (whitepaper, edition 3): SignCertificate from the station,
CertificateSigned, InstallCertificate, DeleteCertificate and GetInstalledCertificateIds to it."""

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
from forecourt.domain.errors import InvalidInput
from forecourt.ocpp.adapter import Link, Payload
from forecourt.ocpp.certificate_words import (
    certificate_status,
    hash_data,
    installed,
    neutral_hash,
)
from forecourt.ocpp.rendering import CertificateCommand, Rendered
from forecourt.ocpp.v16.wire_types.certificates import (
    CertificateHashDataType,
    CertificateSignedRequest,
    CertificateUseEnumType,
    DeleteCertificateRequest,
    GetInstalledCertificateIdsRequest,
    InstallCertificateRequest,
    SignCertificateRequest,
    SignCertificateResponse,
)

#: The trust anchors a 1.6 station keeps (whitepaper CertificateUseEnumType).
ANCHOR: dict[TrustAnchor, CertificateUseEnumType] = {
    TrustAnchor.CSMS_ROOT: "CentralSystemRootCertificate",
    TrustAnchor.MANUFACTURER_ROOT: "ManufacturerRootCertificate",
}


async def sign_certificate(link: Link, p: SignCertificateRequest) -> SignCertificateResponse:
    """Whitepaper 3.2 (A02/A03 in 2.0.1): the station's client certificate only; the chain
    follows in CertificateSigned."""
    outcome = await link.services.certificates.sign(
        link.station_id, p["csr"], CertificateUse.CHARGING_STATION
    )
    return SignCertificateResponse(status="Accepted" if outcome.accepted else "Rejected")


def render(command: CertificateCommand) -> Rendered:
    match command:
        case CertificateSigned():
            if command.use is not CertificateUse.CHARGING_STATION:
                raise InvalidInput("OCPP 1.6 carries only the station's own certificate")
            return "CertificateSigned", CertificateSignedRequest(certificateChain=command.chain_pem)
        case InstallCertificate():
            return "InstallCertificate", InstallCertificateRequest(
                certificateType=_anchor(command.anchor), certificate=command.certificate_pem
            )
        case DeleteCertificate():
            data = CertificateHashDataType(**hash_data(command.certificate))  # type: ignore[typeddict-item]
            return "DeleteCertificate", DeleteCertificateRequest(certificateHashData=data)
        case GetInstalledCertificateIds():
            if len(command.anchors) != 1:
                raise InvalidInput("OCPP 1.6 lists one kind of certificate at a time")
            return "GetInstalledCertificateIds", GetInstalledCertificateIdsRequest(
                certificateType=_anchor(command.anchors[0])
            )
        case _:
            assert_never(command)


def interpret(command: CertificateCommand, response: Payload) -> CommandResult:
    if not isinstance(command, GetInstalledCertificateIds):
        return certificate_status(response)
    anchor = command.anchors[0].value
    return installed(
        [{"anchor": anchor, **neutral_hash(h)} for h in response.get("certificateHashData", [])]
    )


def _anchor(anchor: TrustAnchor) -> CertificateUseEnumType:
    word = ANCHOR.get(anchor)
    if word is None:
        raise InvalidInput(f"OCPP 1.6 stations keep no {anchor.value} certificates")
    return word
