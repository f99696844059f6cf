"""The CA: set up (new or an operator's imported), issue, revoke, list, revocation list."""

from __future__ import annotations

import builtins
from dataclasses import dataclass
from datetime import datetime

from cryptography import x509
from cryptography.hazmat.primitives.asymmetric.types import CertificatePublicKeyTypes
from cryptography.hazmat.primitives.serialization import load_pem_private_key

from forecourt.domain.certificates import CertificateUse
from forecourt.domain.errors import Conflict, InvalidInput, NotFound
from forecourt.pki.domain.certificates import Authority, AuthorityRole, IssuedCertificate
from forecourt.pki.ports import PKI_STORE
from forecourt.pki.services import crypto
from forecourt.pki.services.config import PkiConfig
from forecourt.services.context import ServiceContext


@dataclass(frozen=True, slots=True)
class StationKeyPair:
    """What ``pki issue`` hands an operator for a station that cannot make a CSR itself."""

    certificate: IssuedCertificate
    chain_pem: str  # leaf + station CA
    private_key_pem: str  # unencrypted: to be installed on the station, then discarded


class CertificateAuthority:
    def __init__(self, ctx: ServiceContext, config: PkiConfig) -> None:
        self._ctx = ctx
        self._config = config

    async def init(
        self, organization: str, imported: crypto.KeyPair | None = None
    ) -> list[Authority]:
        """A CSMS root and a station CA under it; or the operator's CA (certificate and
        unencrypted key) as the station CA, with no root of ours."""
        if await self.authorities():
            raise Conflict("the PKI is already set up (forecourt pki list shows it)")
        now = self._ctx.clock.now()
        secret = self._config.passphrase
        if imported is None:
            root = crypto.new_authority(
                crypto.Subject(f"{organization or 'Forecourt'} CSMS Root", organization),
                now,
                self._config.ca_days,
                secret,
            )
            station_ca = crypto.new_authority(
                crypto.Subject(f"{organization or 'Forecourt'} Station CA", organization),
                now,
                self._config.ca_days,
                secret,
                issuer=root,
            )
            pairs = {AuthorityRole.ROOT: root, AuthorityRole.STATION_CA: station_ca}
        else:
            pairs = {AuthorityRole.STATION_CA: _reencrypted(imported, secret)}
        authorities = [
            Authority(r, p.certificate_pem, p.private_key_pem, now) for r, p in pairs.items()
        ]
        async with self._ctx.uow() as uow:
            for authority in authorities:
                await uow.repository(PKI_STORE).add_authority(authority)
            await uow.commit()
        return authorities

    async def authorities(self) -> builtins.list[Authority]:
        async with self._ctx.uow() as uow:
            return await uow.repository(PKI_STORE).authorities()

    async def trust_bundle(self) -> str:
        """The certificates a TLS server verifies station certificates with
        (``FORECOURT_TLS_CLIENT_CA_FILE``): every authority of ours."""
        return "".join(a.certificate_pem for a in await self.authorities())

    async def signer(self, use: CertificateUse) -> crypto.KeyPair:
        """The station CA; for V2G certificates the SECC CA when one is configured."""
        roles = [AuthorityRole.STATION_CA]
        if use is CertificateUse.V2G:
            roles.insert(0, AuthorityRole.SECC_CA)
        async with self._ctx.uow() as uow:
            for role in roles:
                found = await uow.repository(PKI_STORE).authority(role)
                if found is not None:
                    return crypto.KeyPair(found.certificate_pem, found.private_key_pem)
        raise NotFound("certificate authority", "station_ca (run forecourt pki init)")

    async def issue_key_pair(self, station_id: str, days: int | None = None) -> StationKeyPair:
        key = crypto.new_key()
        subject = crypto.Subject(station_id, self._config.organization)
        issued, chain = await self.sign(
            key.public_key(), subject, CertificateUse.CHARGING_STATION, days
        )
        return StationKeyPair(issued, chain, crypto.plain_key(key))

    async def sign(
        self,
        public_key: CertificatePublicKeyTypes,
        subject: crypto.Subject,
        use: CertificateUse,
        days: int | None = None,
    ) -> tuple[IssuedCertificate, str]:
        """Issue, record, and return the certificate and its chain (leaf, then the CA)."""
        authority = await self.signer(use)
        now = self._ctx.clock.now()
        certificate = crypto.issue(
            public_key,
            subject,
            use,
            authority,
            self._config.passphrase,
            now,
            days or self._config.certificate_days,
        )
        issued = _record(certificate, subject.common_name, use, now)
        async with self._ctx.uow() as uow:
            await uow.repository(PKI_STORE).add_certificate(issued)
            news = {"serial": issued.serial, "use": use.value}
            self._ctx.stage(uow, issued.station_id, [("pki.certificate_issued", news)])
            await uow.commit()
        return issued, issued.certificate_pem + authority.certificate_pem

    async def revoke(self, serial: str, reason: str = "") -> IssuedCertificate:
        serial = serial.lower().removeprefix("0x")
        async with self._ctx.uow() as uow:
            store = uow.repository(PKI_STORE)
            found = await store.certificate(serial)
            if found is None:
                raise NotFound("certificate", serial)
            if not await store.revoke(serial, self._ctx.clock.now(), reason):
                raise Conflict(f"certificate {serial} is already revoked")
            self._ctx.stage_event(uow, "pki.certificate_revoked", found.station_id, serial=serial)
            await uow.commit()
            revoked = await store.certificate(serial)
        assert revoked is not None
        return revoked

    async def certificates(self, station_id: str | None = None) -> builtins.list[IssuedCertificate]:
        async with self._ctx.uow() as uow:
            return await uow.repository(PKI_STORE).certificates(station_id)

    async def certificate(self, serial: str) -> IssuedCertificate | None:
        async with self._ctx.uow() as uow:
            return await uow.repository(PKI_STORE).certificate(serial)

    async def revocation_list(self) -> str:
        authority = await self.signer(CertificateUse.CHARGING_STATION)
        revoked = [
            (c.serial, c.revoked_at) for c in await self.certificates() if c.revoked_at is not None
        ]
        return crypto.revocation_list(
            authority, self._config.passphrase, revoked, self._ctx.clock.now()
        )


def _record(
    certificate: x509.Certificate, station_id: str, use: CertificateUse, now: datetime
) -> IssuedCertificate:
    return IssuedCertificate(
        serial=crypto.serial_hex(certificate),
        station_id=station_id,
        use=use,
        not_before=certificate.not_valid_before_utc,
        not_after=certificate.not_valid_after_utc,
        certificate_pem=crypto.pem(certificate),
        issued_at=now,
    )


def _reencrypted(imported: crypto.KeyPair, passphrase: bytes) -> crypto.KeyPair:
    """The operator's CA: its key must belong to its certificate; stored encrypted."""
    certificate = crypto.load_certificate(imported.certificate_pem)
    try:
        key = load_pem_private_key(imported.private_key_pem.encode(), None)
    except (ValueError, TypeError) as bad:
        raise InvalidInput(f"the CA key is not an unencrypted PEM private key: {bad}") from None
    if key.public_key() != certificate.public_key():
        raise InvalidInput("the CA key does not belong to the CA certificate")
    constraints = certificate.extensions.get_extension_for_class(x509.BasicConstraints).value
    if not constraints.ca:
        raise InvalidInput("the imported certificate is not a CA certificate")
    return crypto.KeyPair(imported.certificate_pem, crypto.encrypt_key(key, passphrase))  # type: ignore[arg-type]
