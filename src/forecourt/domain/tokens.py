"""Identification tokens (RFID cards, app ids, eMAIDs, MAC addresses) and how they authorise."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from enum import StrEnum


class TokenKind(StrEnum):
    RFID = "rfid"  # ISO 14443 / ISO 15693 cards
    CENTRAL = "central"  # issued by the CSMS (remote start, scan-to-pay)
    EMAID = "emaid"  # ISO 15118 contract (Plug & Charge)
    MAC_ADDRESS = "mac_address"  # Autocharge EVCCID
    KEY_CODE = "key_code"
    LOCAL = "local"
    NO_AUTHORIZATION = "no_authorization"
    PAYMENT = "payment"  # a card pre-authorisation reference at the dispenser


class AuthorizationStatus(StrEnum):
    ACCEPTED = "accepted"
    BLOCKED = "blocked"
    EXPIRED = "expired"
    INVALID = "invalid"
    UNKNOWN = "unknown"
    CONCURRENT_TX = "concurrent_tx"  # already charging elsewhere and the token forbids that
    RESERVED = "reserved"  # the connector is reserved for another token


@dataclass(frozen=True, slots=True)
class IdToken:
    value: str
    kind: TokenKind = TokenKind.RFID


#: Autocharge on 1.6: stations send the car's EVCCID (its MAC) as idTag "VID:<hex>", the
#: convention of the field (2.0.1 has the MacAddress idToken type for it).
AUTOCHARGE_PREFIX = "VID:"
_MAC_SEPARATORS = str.maketrans("", "", ":-. ")


def mac_token_value(text: str) -> str:
    """One spelling of an EVCCID, however a station writes it: 12 upper-case hex digits
    ("VID:00-1a-2b..." and "00:1A:2B..." are the same car)."""
    if text[: len(AUTOCHARGE_PREFIX)].upper() == AUTOCHARGE_PREFIX:
        text = text[len(AUTOCHARGE_PREFIX) :]
    return text.translate(_MAC_SEPARATORS).upper()


def token_of(value: str, kind: TokenKind) -> IdToken:
    """A presented token in its stored spelling (Autocharge MACs are normalised)."""
    if kind is TokenKind.MAC_ADDRESS:
        return IdToken(mac_token_value(value), kind)
    return IdToken(value, kind)


def id_tag_token(id_tag: str) -> IdToken:
    """A 1.6 idTag: an RFID card, or an Autocharge car when it reads "VID:..."."""
    if id_tag[: len(AUTOCHARGE_PREFIX)].upper() == AUTOCHARGE_PREFIX:
        return token_of(id_tag, TokenKind.MAC_ADDRESS)
    return IdToken(id_tag, TokenKind.RFID)


@dataclass(slots=True)
class TokenRecord:
    """A token the operator knows about."""

    value: str
    kind: TokenKind = TokenKind.RFID
    blocked: bool = False
    expires_at: datetime | None = None
    group: str | None = None  # tokens in one group share a concurrency budget (fleet cards)
    allow_concurrent: bool = False
    label: str = ""


@dataclass(frozen=True, slots=True)
class AuthorizationResult:
    status: AuthorizationStatus
    expires_at: datetime | None = None
    group: str | None = None
    kind: TokenKind | None = None  # as the operator registered it (1.6 carries no kind)

    @property
    def accepted(self) -> bool:
        return self.status is AuthorizationStatus.ACCEPTED


def evaluate_token(
    record: TokenRecord | None,
    now: datetime,
    *,
    active_elsewhere: bool,
    reserved_for_other: bool = False,
) -> AuthorizationResult:
    """The one authorization rule, shared by every protocol version.

    Order matters: a blocked token stays blocked even when it has also expired; an EVSE
    reserved for another token (or group) admits nobody else while the reservation holds.
    """
    if record is None:
        return AuthorizationResult(AuthorizationStatus.UNKNOWN)
    if record.blocked:
        status = AuthorizationStatus.BLOCKED
    elif record.expires_at is not None and record.expires_at <= now:
        status = AuthorizationStatus.EXPIRED
    elif reserved_for_other:
        status = AuthorizationStatus.RESERVED
    elif active_elsewhere and not record.allow_concurrent:
        status = AuthorizationStatus.CONCURRENT_TX
    else:
        status = AuthorizationStatus.ACCEPTED
    return AuthorizationResult(status, record.expires_at, record.group, record.kind)
