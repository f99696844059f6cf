"""The OCPP-J versions Forecourt speaks.

Its own module, below both ``errors`` and ``rpc``: the error table is keyed by version and
the framing takes a version, so neither may own it without an import cycle.
"""

from __future__ import annotations

from enum import StrEnum


class OcppVersion(StrEnum):
    """An OCPP-J version; the value is its websocket subprotocol name."""

    V16 = "ocpp1.6"
    V201 = "ocpp2.0.1"
    V21 = "ocpp2.1"
