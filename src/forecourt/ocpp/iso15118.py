"""ISO 15118 Plug & Charge messages, shared by 2.0.1/2.1 and the 1.6 OCA wrapper.

The OCA "Using ISO 15118 Plug & Charge with OCPP 1.6" carries the 2.0.1 payloads unchanged
inside DataTransfer (vendorId :data:`PNC_VENDOR`, messageId = the 2.0.1 action, data = the
payload as JSON text). So both adapters hand the same 2.0.1-shaped dictionaries to these
handlers, which make one service call each: one implementation behind both versions.
"""

from __future__ import annotations

import base64
from collections.abc import Mapping
from types import MappingProxyType
from typing import Any, Final

from forecourt.domain.contracts import ContractStatus, OcspQuery
from forecourt.domain.tokens import AuthorizationResult, AuthorizationStatus, IdToken
from forecourt.ocpp.adapter import Link
from forecourt.ocpp.timestamps import format_timestamp

#: The DataTransfer vendor of the OCA Plug & Charge wrapper for 1.6.
PNC_VENDOR: Final = "org.openchargealliance.iso15118pnc"

#: IdTokenType.idToken is string[36]; a longer group id cannot be sent as groupIdToken.
MAX_ID_TOKEN_LENGTH = 36

#: AuthorizationStatus -> 2.0.1 AuthorizationStatusEnumType (also the wrapper's words).
ID_TOKEN_STATUS: Final[Mapping[AuthorizationStatus, str]] = MappingProxyType(
    {
        AuthorizationStatus.ACCEPTED: "Accepted",
        AuthorizationStatus.BLOCKED: "Blocked",
        AuthorizationStatus.EXPIRED: "Expired",
        AuthorizationStatus.INVALID: "Invalid",
        AuthorizationStatus.UNKNOWN: "Unknown",
        AuthorizationStatus.CONCURRENT_TX: "ConcurrentTx",
        AuthorizationStatus.RESERVED: "NotAtThisTime",  # the EVSE is reserved for another
    }
)

#: ContractStatus -> AuthorizeCertificateStatusEnumType; UNVERIFIED has no word: omitted.
CERTIFICATE_STATUS: Final[Mapping[ContractStatus, str]] = MappingProxyType(
    {
        ContractStatus.ACCEPTED: "Accepted",
        ContractStatus.SIGNATURE_ERROR: "SignatureError",
        ContractStatus.EXPIRED: "CertificateExpired",
        ContractStatus.REVOKED: "CertificateRevoked",
        ContractStatus.NO_CERTIFICATE: "NoCertificateAvailable",
        ContractStatus.CHAIN_ERROR: "CertChainError",
        ContractStatus.CONTRACT_CANCELLED: "ContractCancelled",
    }
)

#: Get15118EVCertificate.action -> install (True) or update (False).
EV_CERTIFICATE_ACTION: Final[Mapping[str, bool]] = MappingProxyType(
    {"Install": True, "Update": False}
)


def id_token_info(result: AuthorizationResult) -> dict[str, Any]:
    """AuthorizationResult -> 2.0.1 IdTokenInfoType."""
    info: dict[str, Any] = {"status": ID_TOKEN_STATUS[result.status]}
    if result.expires_at is not None:
        info["cacheExpiryDateTime"] = format_timestamp(result.expires_at)
    if result.group and len(result.group) <= MAX_ID_TOKEN_LENGTH:
        info["groupIdToken"] = {"idToken": result.group, "type": "Central"}
    return info


def ocsp_query(raw: Mapping[str, Any]) -> OcspQuery:
    """OCSPRequestDataType -> OcspQuery (hex normalised to lower case)."""
    return OcspQuery(
        hash_algorithm=raw["hashAlgorithm"],
        issuer_name_hash=raw["issuerNameHash"].lower(),
        issuer_key_hash=raw["issuerKeyHash"].lower(),
        serial_number=raw["serialNumber"].lower().lstrip("0") or "0",
        responder_url=raw["responderURL"],
    )


async def authorize(link: Link, token: IdToken, p: Mapping[str, Any]) -> dict[str, Any]:
    """C07 (and C01 without certificate data): AuthorizeResponse."""
    hashes = [ocsp_query(h) for h in p.get("iso15118CertificateHashData", [])]
    answer = await link.services.plug_and_charge.authorize(
        link.station_id, token, p.get("certificate"), hashes
    )
    response: dict[str, Any] = {"idTokenInfo": id_token_info(answer.result)}
    word = None if answer.contract is None else CERTIFICATE_STATUS.get(answer.contract)
    if word is not None:
        response["certificateStatus"] = word
    return response


async def get_15118_ev_certificate(link: Link, p: Mapping[str, Any]) -> dict[str, Any]:
    """M01/M02: forward the car's EXI request to the contract-certificate pool."""
    answer = await link.services.plug_and_charge.ev_certificate(
        p["iso15118SchemaVersion"], EV_CERTIFICATE_ACTION[p["action"]], p["exiRequest"]
    )
    response: dict[str, Any] = {
        "status": "Accepted" if answer.accepted else "Failed",
        "exiResponse": answer.exi_response,
    }
    if answer.reason:
        response["statusInfo"] = {"reasonCode": "Failed", "additionalInfo": answer.reason[:512]}
    return response


async def get_certificate_status(link: Link, p: Mapping[str, Any]) -> dict[str, Any]:
    """M06: the OCSP response (base64 DER) for one certificate of the car's chain."""
    der = await link.services.plug_and_charge.ocsp_response(ocsp_query(p["ocspRequestData"]))
    if der is None:
        return {"status": "Failed"}
    return {"status": "Accepted", "ocspResult": base64.b64encode(der).decode()}
