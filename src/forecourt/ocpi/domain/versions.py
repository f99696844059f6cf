"""The OCPI versions we speak, and what differs between them (one place)."""

from __future__ import annotations

from enum import StrEnum


class Version(StrEnum):
    V2_2_1 = "2.2.1"
    V2_3_0 = "2.3.0"

    @property
    def token_base64(self) -> bool:
        """2.2.1 and 2.3.0 both send ``Authorization: Token <base64(token)>`` (2.2.1
        transport_and_format §4.1.3); we also accept a plain token, as the spec's note on
        2.1.1-era peers allows, since a few 2.2 implementations still send it."""
        return True


#: Newest first: what a peer and we both speak is chosen from the top.
SUPPORTED: tuple[Version, ...] = (Version.V2_3_0, Version.V2_2_1)


class Module(StrEnum):
    CREDENTIALS = "credentials"
    LOCATIONS = "locations"
    TARIFFS = "tariffs"
    TOKENS = "tokens"
    COMMANDS = "commands"
    PAYMENTS = "payments"  # 2.3.0 only (mod_payments)
    SESSIONS = "sessions"
    CDRS = "cdrs"


class InterfaceRole(StrEnum):
    SENDER = "SENDER"
    RECEIVER = "RECEIVER"


_COMMON = (
    (Module.CREDENTIALS, InterfaceRole.SENDER),
    (Module.LOCATIONS, InterfaceRole.SENDER),
    (Module.TOKENS, InterfaceRole.RECEIVER),
    (Module.COMMANDS, InterfaceRole.RECEIVER),
    (Module.TARIFFS, InterfaceRole.SENDER),
    (Module.SESSIONS, InterfaceRole.SENDER),
    (Module.CDRS, InterfaceRole.SENDER),
)

#: What we offer per version: (module, our interface role). Credentials has no real "role"
#: but 2.2.1 requires one per endpoint; the spec's examples give it SENDER. Payments is new
#: in 2.3.0: the CPO implements its receiver interface (terminals, financial advice).
OUR_ENDPOINTS: dict[Version, tuple[tuple[Module, InterfaceRole], ...]] = {
    Version.V2_3_0: (*_COMMON, (Module.PAYMENTS, InterfaceRole.RECEIVER)),
    Version.V2_2_1: _COMMON,
}


def offers(version: Version, module: Module) -> bool:
    return any(m is module for m, _ in OUR_ENDPOINTS[version])


def parse_version(text: str) -> Version | None:
    try:
        return Version(text)
    except ValueError:
        return None


def best_common(theirs: list[str]) -> Version | None:
    """The newest version both parties speak (credentials §7.1: the highest common one)."""
    return next((v for v in SUPPORTED if v.value in theirs), None)
