"""The station PKI over HTTP: ``/api/pki/...`` (certificates, revocation, profiles, trust
stores). Setting the CA up is a CLI step (``forecourt pki init``): it writes files."""

from __future__ import annotations

from datetime import datetime
from typing import Annotated

from fastapi import APIRouter, Query, status
from pydantic import BaseModel, Field
from starlette.responses import PlainTextResponse

from forecourt.api.command_bodies import CommandRecordOut
from forecourt.api.deps import Admin, Context, Operator, Technician, Viewer, requester, role_of
from forecourt.api.problems import problem_responses
from forecourt.domain.certificates import CertificateHash, CertificateUse, TrustAnchor
from forecourt.pki.domain.certificates import IssuedCertificate
from forecourt.pki.keys import PKI
from forecourt.pki.services import Pki

router = APIRouter(prefix="/pki", tags=["pki"], responses=problem_responses(401, 403))

Pem = Annotated[str, Field(min_length=1, max_length=10_000, description="PEM text.")]


def _pki(context: Context) -> Pki:
    return context.services.feature(PKI)


class CertificateOut(BaseModel):
    serial: str
    station_id: str
    use: CertificateUse
    state: str = Field(description="valid, expired or revoked")
    not_before: datetime
    not_after: datetime
    issued_at: datetime
    revoked_at: datetime | None
    revocation_reason: str
    certificate_pem: str

    @classmethod
    def from_domain(cls, issued: IssuedCertificate, now: datetime) -> CertificateOut:
        return cls(
            serial=issued.serial,
            station_id=issued.station_id,
            use=issued.use,
            state=issued.state(now),
            not_before=issued.not_before,
            not_after=issued.not_after,
            issued_at=issued.issued_at,
            revoked_at=issued.revoked_at,
            revocation_reason=issued.revocation_reason,
            certificate_pem=issued.certificate_pem,
        )


class IssuedKeyPairOut(BaseModel):
    certificate: CertificateOut
    chain_pem: str
    private_key_pem: str = Field(description="Shown once; Forecourt does not keep it.")


class IssueBody(BaseModel):
    station_id: str = Field(min_length=1, max_length=48)
    days: int | None = Field(None, ge=1, le=3650)


class RevokeBody(BaseModel):
    reason: str = Field("", max_length=200)


class ProfileBody(BaseModel):
    security_profile: int = Field(ge=1, le=3)
    allow_downgrade: bool = False


class ProfileOut(BaseModel):
    station_id: str
    security_profile: int = Field(description="What the station must connect with now.")
    target_profile: int | None = Field(
        None, description="Switch sent; becomes the profile when the station reconnects on it."
    )
    command: CommandRecordOut | None = Field(None, description="The switch sent, if one was.")


class InstallBody(BaseModel):
    anchor: TrustAnchor
    certificate_pem: Pem


class HashBody(BaseModel):
    hash_algorithm: str = Field("SHA256", pattern="^SHA(256|384|512)$")
    issuer_name_hash: str = Field(min_length=1, max_length=128)
    issuer_key_hash: str = Field(min_length=1, max_length=128)
    serial_number: str = Field(min_length=1, max_length=40)


@router.get("/certificates", summary="Issued station certificates, newest first")
async def list_certificates(
    context: Context, _: Viewer, station_id: Annotated[str | None, Query(max_length=48)] = None
) -> list[CertificateOut]:
    pki = _pki(context)
    now = context.services.ctx.clock.now()
    issued = await pki.authority.certificates(station_id)
    return [CertificateOut.from_domain(c, now) for c in issued]


@router.post(
    "/certificates",
    summary="Issue a key pair and certificate for a station that cannot send a CSR",
    status_code=status.HTTP_201_CREATED,
    responses=problem_responses(404, 422),
)
async def issue_certificate(body: IssueBody, context: Context, _: Admin) -> IssuedKeyPairOut:
    issued = await _pki(context).authority.issue_key_pair(body.station_id, body.days)
    now = context.services.ctx.clock.now()
    return IssuedKeyPairOut(
        certificate=CertificateOut.from_domain(issued.certificate, now),
        chain_pem=issued.chain_pem,
        private_key_pem=issued.private_key_pem,
    )


@router.post(
    "/certificates/{serial}/revocation",
    summary="Revoke a station certificate: the station cannot connect with it any more",
    responses=problem_responses(404, 409),
)
async def revoke_certificate(
    serial: str, body: RevokeBody, context: Context, _: Operator
) -> CertificateOut:
    revoked = await _pki(context).authority.revoke(serial, body.reason)
    return CertificateOut.from_domain(revoked, context.services.ctx.clock.now())


@router.get(
    "/crl",
    summary="The station CA's certificate revocation list (PEM)",
    response_class=PlainTextResponse,
    responses=problem_responses(404),
)
async def revocation_list(context: Context, _: Viewer) -> str:
    return await _pki(context).authority.revocation_list()


@router.get(
    "/trust-bundle",
    summary="The CA certificates station certificates are verified with (PEM)",
    response_class=PlainTextResponse,
)
async def trust_bundle(context: Context, _: Viewer) -> str:
    return await _pki(context).authority.trust_bundle()


@router.get("/stations/{station_id}/profile", summary="A station's security profile")
async def get_profile(station_id: str, context: Context, _: Viewer) -> ProfileOut:
    state = await _pki(context).stations.profile_state(station_id)
    return ProfileOut(
        station_id=station_id, security_profile=state.profile, target_profile=state.target
    )


@router.put(
    "/stations/{station_id}/profile",
    summary="Switch the station to a security profile (downgrades need allow_downgrade)",
    description="Sends the switch (1.6 ChangeConfiguration SecurityProfile, 2.0.1 SetVariables"
    " SecurityCtrlr.SecurityProfile). An upgrade the station accepted is a target until the"
    " station reconnects meeting it; `command.succeeded` false: the station did not accept.",
    responses=problem_responses(422),
)
async def switch_profile(
    station_id: str, body: ProfileBody, context: Context, caller: Operator
) -> ProfileOut:
    switch = await _pki(context).stations.switch_profile(
        station_id,
        body.security_profile,
        allow_downgrade=body.allow_downgrade,
        requested_by=requester(caller),
    )
    return ProfileOut(
        station_id=station_id,
        security_profile=switch.state.profile,
        target_profile=switch.state.target,
        command=CommandRecordOut.from_domain(switch.command, role_of(caller)),
    )


@router.get(
    "/stations/{station_id}/trust-store",
    summary="Ask the station which certificates it has installed (GetInstalledCertificateIds)",
    responses=problem_responses(422),
)
async def installed_certificates(
    station_id: str,
    context: Context,
    caller: Technician,
    anchor: Annotated[list[TrustAnchor] | None, Query()] = None,
) -> CommandRecordOut:
    record = await _pki(context).trust_stores.installed(
        station_id, tuple(anchor or ()), requested_by=requester(caller)
    )
    return CommandRecordOut.from_domain(record, role_of(caller))


@router.post(
    "/stations/{station_id}/trust-store",
    summary="Install a root certificate on the station (InstallCertificate)",
    responses=problem_responses(422),
)
async def install_certificate(
    station_id: str, body: InstallBody, context: Context, caller: Operator
) -> CommandRecordOut:
    record = await _pki(context).trust_stores.install(
        station_id, body.anchor, body.certificate_pem, requested_by=requester(caller)
    )
    return CommandRecordOut.from_domain(record, role_of(caller))


@router.post(
    "/stations/{station_id}/trust-store/deletion",
    summary="Delete an installed certificate from the station (DeleteCertificate)",
    responses=problem_responses(422),
)
async def delete_certificate(
    station_id: str, body: HashBody, context: Context, caller: Operator
) -> CommandRecordOut:
    certificate = CertificateHash(
        body.hash_algorithm, body.issuer_name_hash, body.issuer_key_hash, body.serial_number
    )
    record = await _pki(context).trust_stores.delete(
        station_id, certificate, requested_by=requester(caller)
    )
    return CommandRecordOut.from_domain(record, role_of(caller))
