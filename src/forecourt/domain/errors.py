"""Errors of the domain and services, independent of transport (OCPP, HTTP, CLI)."""

from __future__ import annotations


class ForecourtError(Exception):
    """Base class; ``str(error)`` is a message safe to show an operator."""


class NotFound(ForecourtError):
    def __init__(self, what: str, key: object) -> None:
        super().__init__(f"{what} {key!r} not found")
        self.what = what
        self.key = key


class Conflict(ForecourtError):
    """The request contradicts current state (duplicate id, transaction still running...)."""


class InvalidInput(ForecourtError):
    """A value is well-formed but not acceptable (unknown connector type, negative rating...)."""


class TooLarge(ForecourtError):
    """An upload is larger than the operator allows (``limit`` bytes)."""

    def __init__(self, what: str, limit: int) -> None:
        super().__init__(f"{what} is larger than the limit of {limit} bytes")
        self.limit = limit


class StationOffline(ForecourtError):
    def __init__(self, station_id: str) -> None:
        super().__init__(f"station {station_id!r} is not connected")
        self.station_id = station_id


class CommandNotSupported(ForecourtError):
    """The station's protocol version has no such command."""
