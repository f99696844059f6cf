"""The CSMS calls of local lists and reservations, per OCPP version, over one store."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from datetime import datetime
from functools import partial

from forecourt.simulator.dialect import optional, require
from forecourt.simulator.host import StationHost
from forecourt.simulator.local_auth import LocalAuthStore, SimReservation
from forecourt.simulator.rpc import Answer, OcppCallError, Payload

Handler = Callable[[Payload], Awaitable[Answer]]


def handlers_v16(station: StationHost, store: LocalAuthStore) -> dict[str, Handler]:
    return {
        "SendLocalList": partial(_send_local_list, store, "listVersion", "idTag", "idTagInfo"),
        "GetLocalListVersion": partial(_list_version, store, "listVersion"),
        "ReserveNow": partial(_reserve_v16, station, store),
        "CancelReservation": partial(_cancel, store),
        "ClearCache": partial(_clear_cache, store),
    }


def handlers_v201(station: StationHost, store: LocalAuthStore) -> dict[str, Handler]:
    return {
        "SendLocalList": partial(
            _send_local_list, store, "versionNumber", "idToken", "idTokenInfo"
        ),
        "GetLocalListVersion": partial(_list_version, store, "versionNumber"),
        "ReserveNow": partial(_reserve_v201, station, store),
        "CancelReservation": partial(_cancel, store),
        "ClearCache": partial(_clear_cache, store),
    }


async def _clear_cache(store: LocalAuthStore, _payload: Payload) -> Answer:
    store.cache.clear()
    return Answer({"status": "Accepted"})


async def _send_local_list(
    store: LocalAuthStore, version_key: str, token_key: str, info_key: str, payload: Payload
) -> Answer:
    version = require(payload, version_key, int)
    full = require(payload, "updateType", str) == "Full"
    items: list[tuple[str, str | None]] = []
    for item in optional(payload, "localAuthorizationList", list) or []:
        token = item[token_key]
        value = token["idToken"] if isinstance(token, dict) else token
        info = item.get(info_key)
        items.append((value, info["status"] if isinstance(info, dict) else None))
    return Answer({"status": store.update(version, full, items)})


async def _list_version(store: LocalAuthStore, version_key: str, _payload: Payload) -> Answer:
    return Answer({version_key: store.version})


async def _reserve_v16(station: StationHost, store: LocalAuthStore, payload: Payload) -> Answer:
    reservation = SimReservation(
        reservation_id=require(payload, "reservationId", int),
        evse_id=require(payload, "connectorId", int),
        id_token=require(payload, "idTag", str),
        group=optional(payload, "parentIdTag", str),
        expires_at=_instant(require(payload, "expiryDate", str)),
    )
    return Answer({"status": store.reserve(reservation, station.evses)})


async def _reserve_v201(station: StationHost, store: LocalAuthStore, payload: Payload) -> Answer:
    token = require(payload, "idToken", dict)
    group = optional(payload, "groupIdToken", dict)
    reservation = SimReservation(
        reservation_id=require(payload, "id", int),
        evse_id=optional(payload, "evseId", int) or 0,
        id_token=str(token.get("idToken", "")),
        group=str(group["idToken"]) if group else None,
        expires_at=_instant(require(payload, "expiryDateTime", str)),
    )
    return Answer({"status": store.reserve(reservation, station.evses)})


async def _cancel(store: LocalAuthStore, payload: Payload) -> Answer:
    found = store.cancel(require(payload, "reservationId", int))
    return Answer({"status": "Accepted" if found else "Rejected"})


def _instant(text: str) -> datetime:
    try:
        return datetime.fromisoformat(text)
    except ValueError as error:
        raise OcppCallError("FormatViolation", f"not a date-time: {text!r}") from error
