"""The contract between the version-neutral station and one OCPP version, plus small
helpers shared by both dialects for reading CSMS payloads."""

from __future__ import annotations

from typing import Protocol, TypeVar

from forecourt.simulator.config import StationConfig
from forecourt.simulator.rpc import Answer, OcppCallError, Payload
from forecourt.simulator.session import ChargingSession, EvseState
from forecourt.simulator.uplink import LinkPeer

T = TypeVar("T")


class Dialect(LinkPeer, Protocol):
    """Renders neutral session events as one OCPP version's messages and answers that
    version's CSMS-initiated calls."""

    async def announce_status(self, evse: EvseState) -> None: ...
    async def authorize(self, session: ChargingSession) -> bool: ...
    async def plugged_in(self, session: ChargingSession) -> None: ...
    async def transaction_started(self, session: ChargingSession) -> None: ...
    async def meter_sample(self, session: ChargingSession) -> None: ...
    async def transaction_ended(self, session: ChargingSession) -> None: ...


def require(payload: Payload, key: str, kind: type[T]) -> T:
    """A required field of a CSMS call, or the CALLERROR the spec asks for."""
    if key not in payload:
        raise OcppCallError("OccurrenceConstraintViolation", f"'{key}' is required")
    return typed(payload, key, kind)


def optional(payload: Payload, key: str, kind: type[T]) -> T | None:
    return typed(payload, key, kind) if payload.get(key) is not None else None


def typed(payload: Payload, key: str, kind: type[T]) -> T:
    value: object = payload[key]
    if not isinstance(value, kind) or (kind is int and isinstance(value, bool)):
        raise OcppCallError("TypeConstraintViolation", f"'{key}' must be {kind.__name__}")
    return value


def data_transfer(config: StationConfig, payload: Payload) -> Answer:
    """DataTransfer: only our own vendor id is known; we echo its data back."""
    vendor_id = require(payload, "vendorId", str)
    if vendor_id != config.vendor:
        return Answer({"status": "UnknownVendorId"})
    answer: Payload = {"status": "Accepted"}
    if payload.get("data") is not None:
        answer["data"] = payload["data"]
    return Answer(answer)


def not_implemented(action: str) -> OcppCallError:
    return OcppCallError("NotImplemented", f"{action} is not implemented by this simulator")
