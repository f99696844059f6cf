"""Each station's side of the PKI: its security profile, its client certificate at the
handshake (profile 3), and the certificates it asks us to sign (A02/A03, 1.6 whitepaper)."""

from __future__ import annotations

import asyncio
import logging
from dataclasses import dataclass

from cryptography import x509

from forecourt.domain.certificates import CertificateSigned, CertificateUse, identity_mismatch
from forecourt.domain.commands import CommandRecord, ConfigKey, SetConfiguration
from forecourt.domain.errors import InvalidInput, NotFound
from forecourt.pki.domain.certificates import (
    ProfileState,
    check_profile_change,
    profile_refusal,
)
from forecourt.pki.ports import PKI_STORE
from forecourt.pki.services import crypto
from forecourt.pki.services.authority import CertificateAuthority
from forecourt.pki.services.config import PkiConfig
from forecourt.ports.station_certificates import CertificateAdmission, SigningOutcome, Verdict
from forecourt.services.context import ServiceContext
from forecourt.services.remote_control import RemoteControl

log = logging.getLogger("forecourt.pki")

#: Where a station keeps its profile (2.0.1 SecurityCtrlr.SecurityProfile; 1.6 whitepaper's
#: SecurityProfile configuration key, the variable alone).
SECURITY_CTRLR, SECURITY_PROFILE = "SecurityCtrlr", "SecurityProfile"


@dataclass(frozen=True, slots=True)
class ProfileSwitch:
    state: ProfileState  # as stored after the station answered
    command: CommandRecord


class StationCertificateService:
    """Implements ``forecourt.ports.station_certificates.StationCertificatePort``."""

    def __init__(
        self,
        ctx: ServiceContext,
        config: PkiConfig,
        authority: CertificateAuthority,
        remote: RemoteControl,
    ) -> None:
        self._ctx = ctx
        self._config = config
        self._authority = authority
        self._remote = remote
        self._deliveries: set[asyncio.Task[CommandRecord | None]] = set()

    # -- security profile -------------------------------------------------------------------
    async def profile_state(self, station_id: str) -> ProfileState:
        async with self._ctx.uow() as uow:
            stored = await uow.repository(PKI_STORE).profile(station_id)
        return stored or ProfileState()

    async def profile(self, station_id: str) -> int:
        """The profile stored for the station; 1 (Basic auth) when none is."""
        return (await self.profile_state(station_id)).profile

    async def set_profile(
        self, station_id: str, profile: int, *, allow_downgrade: bool = False
    ) -> int:
        """Require ``profile`` from now on, without telling the station (it already uses it)."""
        current = await self.profile(station_id)
        check_profile_change(current, profile, allow_downgrade=allow_downgrade)
        await self._store(station_id, current, ProfileState(profile))
        return profile

    async def switch_profile(
        self,
        station_id: str,
        profile: int,
        *,
        allow_downgrade: bool = False,
        requested_by: str = "",
    ) -> ProfileSwitch:
        """Tell the station to switch (1.6 ChangeConfiguration SecurityProfile, 2.0.1
        SetVariables SecurityCtrlr.SecurityProfile). An upgrade is only a target until the
        station reconnects meeting it (:meth:`admit`): requiring it at once would lock out a
        station that failed to switch. A downgrade the station accepted applies at once."""
        state = await self.profile_state(station_id)
        check_profile_change(state.profile, profile, allow_downgrade=allow_downgrade)
        command = SetConfiguration(ConfigKey(SECURITY_PROFILE, SECURITY_CTRLR), str(profile))
        record = await self._remote.send(station_id, command, requested_by=requested_by)
        if not record.status.succeeded:
            return ProfileSwitch(state, record)
        upgraded = profile > state.profile
        switched = ProfileState(state.profile, profile) if upgraded else ProfileState(profile)
        await self._store(station_id, state.profile, switched)
        return ProfileSwitch(switched, record)

    async def _store(self, station_id: str, previous: int, state: ProfileState) -> None:
        async with self._ctx.uow() as uow:
            await uow.repository(PKI_STORE).set_profile(station_id, state, self._ctx.clock.now())
            self._ctx.stage_event(
                uow,
                "pki.profile_changed",
                station_id,
                previous=previous,
                profile=state.profile,
                target=state.target,
            )
            await uow.commit()

    # -- the handshake ----------------------------------------------------------------------
    async def admit(
        self, station_id: str, certificate_pem: str | None, over_tls: bool
    ) -> CertificateAdmission:
        state = await self.profile_state(station_id)
        has_certificate = bool(certificate_pem)
        unmet = profile_refusal(state.profile, over_tls=over_tls, has_certificate=has_certificate)
        if unmet:
            return CertificateAdmission(Verdict.REFUSED, "profile_not_met", unmet)
        if certificate_pem is None:
            admission = CertificateAdmission(Verdict.NOT_PRESENTED)
        else:
            admission = await self._check_certificate(station_id, certificate_pem)
        if admission.verdict is not Verdict.REFUSED:
            valid = admission.verdict is Verdict.ACCEPTED
            reached = state.reached_by(over_tls=over_tls, valid_certificate=valid)
            if reached is not None:  # the station switched: from now on it must keep to it
                await self._store(station_id, state.profile, reached)
        return admission

    async def _check_certificate(
        self, station_id: str, certificate_pem: str
    ) -> CertificateAdmission:
        """The chain was verified by TLS (CA bundle, signatures); validity dates, revocation
        and the identity are ours to check, so each refusal becomes a security event."""
        certificate = crypto.load_certificate(certificate_pem)
        subject = crypto.subject_of(certificate.subject)
        mismatch = identity_mismatch(
            station_id, subject.common_name, subject.organization, self._config.organization
        )
        if mismatch:
            return CertificateAdmission(Verdict.REFUSED, "certificate_identity", mismatch)
        now = self._ctx.clock.now()
        if now < certificate.not_valid_before_utc:
            return CertificateAdmission(
                Verdict.REFUSED, "certificate_not_yet_valid", _dates(certificate)
            )
        if now >= certificate.not_valid_after_utc:
            return CertificateAdmission(Verdict.REFUSED, "certificate_expired", _dates(certificate))
        issued = await self._authority.certificate(crypto.serial_hex(certificate))
        if issued is not None and issued.revoked_at is not None:
            detail = f"certificate {issued.serial} revoked {issued.revoked_at.isoformat()}"
            return CertificateAdmission(Verdict.REFUSED, "certificate_revoked", detail)
        return CertificateAdmission(Verdict.ACCEPTED)

    # -- SignCertificate ----------------------------------------------------------------------
    async def sign(self, station_id: str, csr_pem: str, use: CertificateUse) -> SigningOutcome:
        """Check and sign now; the chain goes out in CertificateSigned once this answer is
        sent (a task, so the station's SignCertificate is answered first)."""
        try:
            csr = crypto.checked_csr(csr_pem, station_id, self._config.organization)
            subject = crypto.subject_of(csr.subject)
            issued, chain = await self._authority.sign(csr.public_key(), subject, use)
        except (InvalidInput, NotFound) as refused:  # NotFound: no CA set up yet
            log.warning("CSR rejected: %s", refused, extra={"station_id": station_id})
            return SigningOutcome(False, str(refused))
        log.info("certificate %s issued", issued.serial, extra={"station_id": station_id})
        task = asyncio.get_running_loop().create_task(self._deliver(station_id, chain, use))
        self._deliveries.add(task)
        task.add_done_callback(self._deliveries.discard)
        return SigningOutcome(True)

    async def _deliver(
        self, station_id: str, chain: str, use: CertificateUse
    ) -> CommandRecord | None:
        await asyncio.sleep(0)  # after the SignCertificate answer
        try:
            return await self._remote.send(
                station_id, CertificateSigned(chain, use), requested_by="pki"
            )
        except Exception:  # the command log keeps what went wrong; nothing to retry here
            log.exception("CertificateSigned not delivered", extra={"station_id": station_id})
            return None

    async def stop(self) -> None:
        for task in list(self._deliveries):
            task.cancel()
        await asyncio.gather(*self._deliveries, return_exceptions=True)


def _dates(certificate: x509.Certificate) -> str:
    return (
        f"valid {certificate.not_valid_before_utc.isoformat()}"
        f" to {certificate.not_valid_after_utc.isoformat()}"
    )
