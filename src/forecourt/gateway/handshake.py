"""Handshake decisions: which subprotocol, and who is knocking (security profiles 1 to 3)."""

from __future__ import annotations

import base64
import binascii
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any


@dataclass(frozen=True, slots=True)
class BasicCredentials:
    username: str
    password: str


def choose_subprotocol(offered: Sequence[str], preference: Sequence[str]) -> str | None:
    """Our preference order wins among what the station offers (OCPP-J §3.1 / 2.0.1 Part 4)."""
    return next((p for p in preference if p in offered), None)


def parse_basic_auth(header: str | None) -> BasicCredentials | None:
    """``Authorization: Basic base64(id:password)``; None when absent or malformed."""
    if not header:
        return None
    scheme, _, encoded = header.partition(" ")
    if scheme.lower() != "basic" or not encoded:
        return None
    try:
        decoded = base64.b64decode(encoded.strip(), validate=True).decode("utf-8")
    except (binascii.Error, UnicodeDecodeError):
        return None
    username, sep, password = decoded.partition(":")
    return BasicCredentials(username, password) if sep else None


def client_certificate(scope: Mapping[str, Any]) -> str | None:
    """The station's TLS client certificate (PEM), from the ASGI TLS extension the edge fills
    (``gateway/edge.py``); None without TLS or without a certificate."""
    chain = scope.get("extensions", {}).get("tls", {}).get("client_cert_chain") or []
    return str(chain[0]) if chain else None
