"""The parties we roam with: one row per peer platform, with the tokens of the handshake.

Tokens (credentials §7): we hand out token A out of band; the peer calls our credentials
endpoint with it and gives us its token B; we answer with token C, which replaces A. We call
the peer with B; the peer calls us with C.
"""

from __future__ import annotations

import re
import secrets
from dataclasses import dataclass, field, replace
from datetime import datetime
from enum import StrEnum

from forecourt.ocpi.domain.status import invalid
from forecourt.ocpi.domain.versions import Version

_COUNTRY = re.compile(r"^[A-Z]{2}$")
_PARTY = re.compile(r"^[A-Z0-9]{3}$")


class Role(StrEnum):
    """credentials §7.4.1 (2.2.1 and 2.3.0; PTP is 2.3.0's Payment Terminal Provider)."""

    CPO = "CPO"
    EMSP = "EMSP"
    HUB = "HUB"
    NAP = "NAP"
    NSP = "NSP"
    OTHER = "OTHER"
    SCSP = "SCSP"
    PTP = "PTP"


class PartyState(StrEnum):
    PENDING = "pending"  # token A issued, handshake not done
    REGISTERED = "registered"
    UNREGISTERED = "unregistered"


@dataclass(frozen=True, slots=True)
class PartyRef:
    country_code: str
    party_id: str

    def __post_init__(self) -> None:
        if not _COUNTRY.match(self.country_code):
            raise invalid(f"country_code {self.country_code!r} is not ISO 3166 alpha-2")
        if not _PARTY.match(self.party_id):
            raise invalid(f"party_id {self.party_id!r} is not 3 characters [A-Z0-9]")

    def __str__(self) -> str:
        return f"{self.country_code}-{self.party_id}"


@dataclass(frozen=True, slots=True)
class PartyRole:
    role: Role
    ref: PartyRef
    name: str = ""


@dataclass(frozen=True, slots=True)
class Party:
    id: int
    name: str
    state: PartyState
    #: The token the peer uses to call us (A before the handshake, C after).
    token_in: str
    #: The token we use to call the peer (B), and its versions URL.
    token_out: str = ""
    versions_url: str = ""
    version: Version | None = None
    #: Their endpoints for the chosen version: module identifier -> URL (RECEIVER side).
    endpoints: dict[str, str] = field(default_factory=dict)
    roles: tuple[PartyRole, ...] = ()
    hub_party_id: str = ""  # set when the peer is a hub acting for others
    created_at: datetime | None = None
    last_sync_at: datetime | None = None

    def has_role(self, role: Role) -> bool:
        """Whether the peer's credentials name this role (e.g. PTP: it may send terminals)."""
        return any(r.role is role for r in self.roles)

    def registered(
        self,
        token_in: str,
        token_out: str,
        versions_url: str,
        version: Version,
        endpoints: dict[str, str],
        roles: tuple[PartyRole, ...],
        at: datetime,
    ) -> Party:
        hub = next((r for r in roles if r.role is Role.HUB), None)
        return replace(
            self,
            state=PartyState.REGISTERED,
            token_in=token_in,
            token_out=token_out,
            versions_url=versions_url,
            version=version,
            endpoints=endpoints,
            roles=roles,
            hub_party_id=str(hub.ref) if hub else "",
            last_sync_at=at,
        )

    def unregistered(self) -> Party:
        return replace(self, state=PartyState.UNREGISTERED, token_out="", endpoints={})


def new_token() -> str:
    """Printable, non-whitespace ASCII (credentials §7.4: U+0021..U+007E), 43 characters."""
    return secrets.token_urlsafe(32)


@dataclass(frozen=True, slots=True)
class Us:
    """Who we are in OCPI: our party, name and the base URL our endpoints live under."""

    ref: PartyRef
    name: str
    base_url: str  # e.g. https://csms.example/ocpi

    @property
    def versions_url(self) -> str:
        return f"{self.base_url}/versions"


@dataclass(frozen=True, slots=True)
class PeerCredentials:
    """A credentials object received (credentials §7.3.1), in neutral terms."""

    token: str
    url: str  # their versions URL
    roles: tuple[PartyRole, ...]
