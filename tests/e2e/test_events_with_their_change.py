"""A change and its event are one commit (ADR 0012), through the real entry points: a
StatusNotification over a real websocket (``connector.status``) and reservations over the HTTP
API with a simulated station (``reservation.changed``).

At the moment a commit is durable (``database.on_committed``, before any subscriber hears of
it) the change's row and the event's outbox row are both in the database file; and when the
event cannot be stored (a trigger refuses its outbox row) the change is not stored either."""

from __future__ import annotations

import itertools
import json
import sqlite3
from collections.abc import AsyncIterator, Iterator, Sequence
from contextlib import asynccontextmanager, contextmanager
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

from websockets.asyncio.client import ClientConnection, connect

from forecourt.domain.events import DomainEvent
from tests.e2e.conftest import PASSWORD, STATION, TAG, basic_auth, simulated_station, technician_api
from tests.support.polling import eventually
from tests.support.server import RunningServer

_ids = itertools.count()
Row = tuple[Any, ...]


def db_file(server: RunningServer) -> Path:
    url = str(server.forecourt.database.engine.url)
    return Path(url.split("///", 1)[1])


def query(path: Path, sql: str, *params: object) -> list[Row]:
    with sqlite3.connect(path) as db:
        return db.execute(sql, params).fetchall()


@contextmanager
def at_commit(server: RunningServer, topic: str, sql: str) -> Iterator[list[tuple[str, Row]]]:
    """(event id, ``sql``'s row) for each ``topic`` event, read from the database file at
    the moment its unit of work's commit is durable, before the relay delivers it; the row is
    ``("no event",)`` when the event's outbox row is not there with it."""
    database, path = server.forecourt.database, db_file(server)
    relay = database.on_committed
    assert relay is not None
    seen: list[tuple[str, Row]] = []

    def check(events: Sequence[DomainEvent]) -> None:
        for event in events:
            if event.topic == topic:
                stored = query(path, "SELECT topic FROM event_outbox WHERE event_id = ?", event.id)
                (row,) = query(path, sql)
                seen.append((event.id, row if event.id and stored == [(topic,)] else ("no event",)))
        relay(events)

    database.on_committed = check
    try:
        yield seen
    finally:
        database.on_committed = relay


@contextmanager
def outbox_refuses(server: RunningServer, topic: str) -> Iterator[None]:
    """The database refuses to store ``topic`` events (as a full disk or a lost connection would
    fail the unit of work's commit)."""
    path = db_file(server)
    query(
        path,
        f"CREATE TRIGGER refuse_event BEFORE INSERT ON event_outbox WHEN NEW.topic = '{topic}'"
        " BEGIN SELECT RAISE(ABORT, 'event refused'); END",
    )
    try:
        yield
    finally:
        query(path, "DROP TRIGGER refuse_event")


def recorder(server: RunningServer, topic: str) -> list[DomainEvent]:
    seen: list[DomainEvent] = []

    async def record(event: DomainEvent) -> None:
        seen.append(event)

    server.forecourt.services.ctx.bus.subscribe(topic, record)
    return seen


# -- connector.status, over OCPP -----------------------------------------------------------------
@asynccontextmanager
async def booted_16(server: RunningServer) -> AsyncIterator[ClientConnection]:
    async with connect(
        f"{server.ws_url}/{STATION}",
        subprotocols=["ocpp1.6"],  # type: ignore[list-item]
        additional_headers=basic_auth(STATION, PASSWORD),
    ) as ws:
        boot = {"chargePointVendor": "Test", "chargePointModel": "E2E"}
        assert (await call(ws, "BootNotification", boot))[2]["status"] == "Accepted"
        yield ws


async def call(ws: ClientConnection, action: str, payload: dict[str, Any]) -> list[Any]:
    message_id = f"m{next(_ids)}"
    await ws.send(json.dumps([2, message_id, action, payload]))
    while True:
        frame: list[Any] = json.loads(await ws.recv())
        if frame[1] == message_id:
            return frame


def status(value: str) -> dict[str, Any]:
    now = datetime.now(UTC).isoformat(timespec="milliseconds").replace("+00:00", "Z")
    return {"connectorId": 1, "errorCode": "NoError", "status": value, "timestamp": now}


LAST_STATUS = "SELECT status, count(*) FROM status_history WHERE station_id = 'CP-E2E-1'"


async def test_a_status_notification_and_its_event_are_one_commit(server: RunningServer) -> None:
    delivered = recorder(server, "connector.status")
    async with booted_16(server) as ws:
        with at_commit(server, "connector.status", LAST_STATUS) as committed:
            answer = await call(ws, "StatusNotification", status("Faulted"))
        assert answer[0] == 3, answer

    (event_id, row), *_ = committed
    assert row == ("faulted", 1)  # the status and its event, in the same commit
    await eventually(lambda: _async(any(e.id == event_id for e in delivered)))
    (event,) = [e for e in delivered if e.id == event_id]
    assert (event.data["status"], event.data["connector_id"]) == ("faulted", 1)


async def test_a_status_whose_event_cannot_be_stored_is_not_stored_either(
    server: RunningServer,
) -> None:
    delivered = recorder(server, "connector.status")
    path = db_file(server)
    async with booted_16(server) as ws:
        with outbox_refuses(server, "connector.status"):
            refused = await call(ws, "StatusNotification", status("Faulted"))
        assert refused[0] == 4, refused  # a CALLERROR: the station sends it again
        assert query(path, LAST_STATUS) == [(None, 0)]  # the unit of work rolled back whole

        again = await call(ws, "StatusNotification", status("Faulted"))  # the station retries
        assert again[0] == 3, again
    assert query(path, LAST_STATUS) == [("faulted", 1)]
    await eventually(lambda: _async([e.data["status"] for e in delivered] == ["faulted"]))


# -- reservation.changed, over the HTTP API ------------------------------------------------------
RESERVATION = "SELECT state FROM reservations ORDER BY id DESC LIMIT 1"


async def test_reservations_and_their_events_are_one_commit(server: RunningServer) -> None:
    delivered = recorder(server, "reservation.changed")
    until = (datetime.now(UTC) + timedelta(minutes=10)).isoformat()
    body = {"station_id": STATION, "id_token": TAG, "expires_at": until, "evse_id": 1}
    async with simulated_station(server, "1.6", seed=5), technician_api(server) as api:
        with at_commit(server, "reservation.changed", RESERVATION) as committed:
            made = await api.post("/api/reservations", json=body)
            assert made.status_code == 201, made.text
            assert made.json()["state"] == "active"
            cancelled = await api.post(f"/api/reservations/{made.json()['id']}/cancel")
            assert cancelled.status_code == 200, cancelled.text
    assert [row for _, row in committed] == [("active",), ("cancelled",)]
    ids = [event_id for event_id, _ in committed]
    await eventually(lambda: _async(sorted(e.id for e in delivered) == sorted(ids)))
    states = {e.id: e.data["state"] for e in delivered}
    assert [states[i] for i in ids] == ["active", "cancelled"]


async def test_a_cancel_whose_event_cannot_be_stored_leaves_the_reservation_held(
    server: RunningServer,
) -> None:
    until = (datetime.now(UTC) + timedelta(minutes=10)).isoformat()
    body = {"station_id": STATION, "id_token": TAG, "expires_at": until, "evse_id": 1}
    path = db_file(server)
    async with simulated_station(server, "1.6", seed=6), technician_api(server) as api:
        made = await api.post("/api/reservations", json=body)
        assert made.json()["state"] == "active", made.text
        with outbox_refuses(server, "reservation.changed"):
            failed = await api.post(f"/api/reservations/{made.json()['id']}/cancel")
        assert failed.is_error, failed.text  # a problem answer, not the cancelled reservation
        assert query(path, RESERVATION) == [("active",)]  # neither the change nor its event
        held = await api.get(f"/api/reservations/{made.json()['id']}")
        assert held.json()["state"] == "active"


async def _async(value: bool) -> bool | None:
    return value or None
