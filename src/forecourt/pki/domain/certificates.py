"""The PKI's records and rules, pure: authorities, issued certificates, security profiles."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta
from enum import StrEnum

from forecourt.domain.certificates import CertificateUse
from forecourt.domain.errors import InvalidInput


class AuthorityRole(StrEnum):
    ROOT = "root"  # the CSMS root: signs the station CA (and the CSMS server certificate)
    STATION_CA = "station_ca"  # signs station (TLS client) certificates
    SECC_CA = "secc_ca"  # signs V2G SECC certificates; the station CA when none is configured


@dataclass(frozen=True, slots=True)
class Authority:
    role: AuthorityRole
    certificate_pem: str
    private_key_pem: str  # encrypted (PKCS#8) under the server's secret key
    created_at: datetime


@dataclass(slots=True)
class IssuedCertificate:
    serial: str  # hex, as OCPP's certificateHashData.serialNumber
    station_id: str
    use: CertificateUse
    not_before: datetime
    not_after: datetime
    certificate_pem: str
    issued_at: datetime
    revoked_at: datetime | None = None
    revocation_reason: str = ""

    def state(self, now: datetime) -> str:
        if self.revoked_at is not None:
            return "revoked"
        if now >= self.not_after:
            return "expired"
        return "valid"

    def due_for_renewal(self, now: datetime, ahead: timedelta) -> bool:
        return self.revoked_at is None and now < self.not_after <= now + ahead


#: Profiles (OCPP 2.0.1 A00 / 1.6 security whitepaper): 1 Basic auth, 2 TLS + Basic auth,
#: 3 TLS with a client certificate.
PROFILES = (1, 2, 3)


@dataclass(frozen=True, slots=True)
class ProfileState:
    """The profile a station must connect with, and the one it was told to switch to."""

    profile: int = 1  # 1 (Basic auth) when none is stored
    target: int | None = None  # an upgrade sent, reached when the station reconnects on it

    def reached_by(self, *, over_tls: bool, valid_certificate: bool) -> ProfileState | None:
        """The new state when this connection meets the target (A05: the station proved it
        switched), None when there is nothing to change."""
        if self.target is None:
            return None
        if profile_refusal(self.target, over_tls=over_tls, has_certificate=valid_certificate):
            return None
        return ProfileState(self.target)


def check_profile_change(current: int, wanted: int, *, allow_downgrade: bool) -> None:
    """A00.FR.207/ 1.6 whitepaper: a station's profile only goes up, unless an operator says
    it may come down (a downgrade weakens how the station proves who it is)."""
    if wanted not in PROFILES:
        raise InvalidInput(f"security profile {wanted} does not exist; use 1, 2 or 3")
    if wanted < current and not allow_downgrade:
        raise InvalidInput(
            f"profile {current} -> {wanted} is a downgrade; pass --allow-downgrade"
            " (API: allow_downgrade) if that is really meant"
        )


def profile_refusal(profile: int, *, over_tls: bool, has_certificate: bool) -> str:
    """Why a connection does not meet the station's profile, or "" when it does."""
    if profile >= 3 and not has_certificate:
        return "profile 3 requires a TLS client certificate"
    if profile >= 2 and not over_tls:
        return f"profile {profile} requires TLS"
    return ""
