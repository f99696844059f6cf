# mypy: allow-untyped-decorators, allow-subclassing-any, allow-untyped-calls
"""An independent central system built with the ``ocpp`` package (mobilityhouse), used to
test the simulator without Forecourt's own CSMS. It records every frame in both directions
so tests can assert on exactly what went over the wire."""

from __future__ import annotations

import asyncio
import contextlib
import itertools
import json
import re
from collections import Counter
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime
from decimal import Decimal
from typing import Any, Literal

import orjson
from ocpp.exceptions import NotImplementedError as OcppNotImplemented
from ocpp.messages import get_validator
from ocpp.routing import on
from ocpp.v16 import ChargePoint as ChargePoint16
from ocpp.v16 import call_result as result16
from ocpp.v16.datatypes import IdTagInfo
from ocpp.v16.enums import Action as Action16
from ocpp.v201 import ChargePoint as ChargePoint201
from ocpp.v201 import call_result as result201
from ocpp.v201.enums import Action as Action201
from websockets.asyncio.server import Server, ServerConnection, serve
from websockets.exceptions import ConnectionClosed
from websockets.typing import Subprotocol

Payload = dict[str, Any]
Direction = Literal["to_csms", "to_station"]


@dataclass
class Frame:
    station_id: str
    direction: Direction
    text: str
    connection: int  # 1 for the first websocket of this station, 2 after a reconnect, ...

    @property
    def message(self) -> list[Any]:
        """The parsed frame; [] for malformed text (sent on purpose by protocol tests)."""
        try:
            parsed = orjson.loads(self.text)
        except orjson.JSONDecodeError:
            return []
        return parsed if isinstance(parsed, list) and len(parsed) >= 3 else []


@dataclass
class Recorder:
    frames: list[Frame] = field(default_factory=list)
    changed: asyncio.Event = field(default_factory=asyncio.Event)

    def add(self, frame: Frame) -> None:
        self.frames.append(frame)
        self.changed.set()

    def calls(self, station_id: str, action: str | None = None) -> list[Payload]:
        """Payloads of the CALLs the station sent, oldest first."""
        found = []
        for frame in self.frames:
            if frame.station_id != station_id or frame.direction != "to_csms":
                continue
            message = frame.message
            if message and message[0] == 2 and (action is None or message[2] == action):
                found.append(message[3])
        return found

    def actions(self, station_id: str) -> list[str]:
        messages = [
            f.message
            for f in self.frames
            if f.station_id == station_id and f.direction == "to_csms"
        ]
        return [m[2] for m in messages if m and m[0] == 2]

    async def wait_for(
        self,
        station_id: str,
        action: str,
        predicate: Callable[[Payload], bool] = lambda _p: True,
        *,
        count: int = 1,
        timeout: float = 5.0,
    ) -> Payload:
        """Wait until the station has sent ``count`` matching CALLs; return the last one."""
        async with asyncio.timeout(timeout):
            while True:
                matching = [p for p in self.calls(station_id, action) if predicate(p)]
                if len(matching) >= count:
                    return matching[count - 1]
                self.changed.clear()
                await self.changed.wait()


class RecordingConnection:
    """The object the ``ocpp`` ChargePoint reads from and writes to."""

    def __init__(self, ws: ServerConnection, recorder: Recorder, station_id: str, nth: int):
        self._ws = ws
        self._recorder = recorder
        self._station_id = station_id
        self._nth = nth

    async def recv(self) -> str:
        text = await self._ws.recv()
        assert isinstance(text, str)
        self._recorder.add(Frame(self._station_id, "to_csms", text, self._nth))
        return text

    async def send(self, text: str) -> None:
        self._recorder.add(Frame(self._station_id, "to_station", text, self._nth))
        await self._ws.send(text)


def now_iso() -> str:
    return datetime.now(UTC).isoformat(timespec="milliseconds").replace("+00:00", "Z")


@dataclass
class CsmsPolicy:
    """How the test CSMS answers."""

    boot_statuses: list[str] = field(default_factory=list)  # consumed first; then Accepted
    interval: int = 1
    token_status: str = "Accepted"
    transaction_ids: itertools.count[int] = field(default_factory=lambda: itertools.count(1001))

    def next_boot_status(self) -> str:
        return self.boot_statuses.pop(0) if self.boot_statuses else "Accepted"


class Csms16(ChargePoint16):
    def __init__(self, station_id: str, connection: RecordingConnection, policy: CsmsPolicy):
        super().__init__(station_id, connection, response_timeout=3)
        self.policy = policy

    @on(Action16.boot_notification)
    def on_boot(self, **_: Any) -> Any:
        status = self.policy.next_boot_status()
        return result16.BootNotification(now_iso(), self.policy.interval, status)

    @on(Action16.heartbeat)
    def on_heartbeat(self, **_: Any) -> Any:
        return result16.Heartbeat(now_iso())

    @on(Action16.status_notification)
    def on_status(self, **_: Any) -> Any:
        return result16.StatusNotification()

    @on(Action16.authorize)
    def on_authorize(self, **_: Any) -> Any:
        return result16.Authorize(IdTagInfo(status=self.policy.token_status))

    @on(Action16.start_transaction)
    def on_start(self, **_: Any) -> Any:
        tx_id = next(self.policy.transaction_ids)
        return result16.StartTransaction(tx_id, IdTagInfo(status=self.policy.token_status))

    @on(Action16.stop_transaction)
    def on_stop(self, **_: Any) -> Any:
        return result16.StopTransaction()

    @on(Action16.meter_values)
    def on_meter_values(self, **_: Any) -> Any:
        return result16.MeterValues()

    @on(Action16.diagnostics_status_notification)
    def on_diagnostics(self, **_: Any) -> Any:
        return result16.DiagnosticsStatusNotification()

    @on(Action16.firmware_status_notification)
    def on_firmware(self, **_: Any) -> Any:
        return result16.FirmwareStatusNotification()


class Csms201(ChargePoint201):
    def __init__(self, station_id: str, connection: RecordingConnection, policy: CsmsPolicy):
        super().__init__(station_id, connection, response_timeout=3)
        self.policy = policy

    @on(Action201.boot_notification)
    def on_boot(self, **_: Any) -> Any:
        status = self.policy.next_boot_status()
        return result201.BootNotification(now_iso(), self.policy.interval, status)

    @on(Action201.heartbeat)
    def on_heartbeat(self, **_: Any) -> Any:
        return result201.Heartbeat(now_iso())

    @on(Action201.status_notification)
    def on_status(self, **_: Any) -> Any:
        return result201.StatusNotification()

    @on(Action201.authorize)
    def on_authorize(self, **_: Any) -> Any:
        return result201.Authorize(id_token_info={"status": self.policy.token_status})

    @on(Action201.transaction_event)
    def on_transaction_event(self, **kwargs: Any) -> Any:
        if kwargs.get("id_token"):
            return result201.TransactionEvent(id_token_info={"status": self.policy.token_status})
        return result201.TransactionEvent()

    @on(Action201.meter_values)
    def on_meter_values(self, **_: Any) -> Any:
        return result201.MeterValues()

    @on(Action201.notify_report)
    def on_notify_report(self, **_: Any) -> Any:
        return result201.NotifyReport()


class Csms21(Csms201):
    """The 2.0.1 test CSMS answering 2.1 stations: the same answers, checked (both ways) against
    the 2.1 schemas, as a 2.1 station speaks 2.0.1's messages plus 2.1's."""

    _ocpp_version = "2.1"

    async def _handle_call(self, msg: Any) -> None:
        # ocpp 2.1.0 answers nothing to an action without a handler on 2.1 (its
        # _raise_key_error knows 1.6 and 2.0.1 only): answer it as on 2.0.1.
        if msg.action not in self.route_map:
            raise OcppNotImplemented(details={"cause": f"No handler for {msg.action}."})
        await super()._handle_call(msg)


class CsmsServer:
    """``async with CsmsServer() as csms:`` serves ws://127.0.0.1:{port}/ocpp/{station}."""

    def __init__(self) -> None:
        self.policy = CsmsPolicy()
        self.recorder = Recorder()
        self.stations: dict[str, ChargePoint16 | ChargePoint201] = {}
        self.connections: Counter[str] = Counter()
        self.auth_headers: dict[str, str | None] = {}
        self.sockets: dict[str, ServerConnection] = {}
        self.url = ""
        self.exempt_message_ids: set[str] = set()  # frames a test sent malformed on purpose
        self.exempt_stations: set[str] = set()  # stations that are non-compliant on purpose
        self._server: Server | None = None

    async def __aenter__(self) -> CsmsServer:
        self._server = await serve(
            self._serve, "127.0.0.1", 0, select_subprotocol=_select_subprotocol
        )
        port = next(iter(self._server.sockets)).getsockname()[1]
        self.url = f"ws://127.0.0.1:{port}/ocpp"
        return self

    async def __aexit__(self, *_: object) -> None:
        if self._server:
            self._server.close()
            await self._server.wait_closed()

    async def _serve(self, ws: ServerConnection) -> None:
        assert ws.request is not None
        station_id = ws.request.path.rsplit("/", 1)[-1]
        self.connections[station_id] += 1
        self.auth_headers[station_id] = ws.request.headers.get("Authorization")
        self.sockets[station_id] = ws
        connection = RecordingConnection(
            ws, self.recorder, station_id, self.connections[station_id]
        )
        kinds: dict[str | None, type[Csms16 | Csms201]] = {
            "ocpp2.0.1": Csms201,
            "ocpp2.1": Csms21,
        }
        kind = kinds.get(ws.subprotocol, Csms16)  # none: assume 1.6
        charge_point = kind(station_id, connection, self.policy)
        self.stations[station_id] = charge_point
        with contextlib.suppress(ConnectionClosed):
            await charge_point.start()

    async def call(self, station_id: str, payload: Any) -> Any:
        """Send one CSMS-initiated CALL; a CALLERROR raises the ``ocpp`` exception."""
        return await self.stations[station_id].call(payload, suppress=False)

    def schema_errors(self) -> list[str]:
        errors = []
        for station_id, station in self.stations.items():
            if station_id in self.exempt_stations:
                continue
            version = "1.6" if isinstance(station, ChargePoint16) else station._ocpp_version
            frames = [f for f in self.recorder.frames if f.station_id == station_id]
            errors += schema_errors(frames, version, self.exempt_message_ids)
        return errors


def _select_subprotocol(
    _connection: ServerConnection, offered: Sequence[Subprotocol]
) -> Subprotocol | None:
    """Prefer the newest; tolerate a handshake without any subprotocol (a common 1.6 quirk)."""
    for wanted in ("ocpp2.1", "ocpp2.0.1", "ocpp1.6"):
        if wanted in offered:
            return Subprotocol(wanted)
    return None


def schema_errors(frames: list[Frame], version: str, exempt: set[str] | None = None) -> list[str]:
    """Validate every frame a station sent (CALLs and CALLRESULTs) against the OCA JSON
    schemas bundled with the ``ocpp`` package; return readable errors."""
    csms_actions: dict[str, str] = {}
    errors: list[str] = []
    for frame in frames:
        message = frame.message
        if not message or message[1] in (exempt or set()):
            continue
        if frame.direction == "to_station":
            if message[0] == 2:
                csms_actions[message[1]] = message[2]
            continue
        if message[0] == 2:
            validator = get_validator(2, message[2], version)
            payload, action = message[3], message[2]
        elif message[0] == 3 and message[1] in csms_actions:
            action = csms_actions[message[1]]
            validator = get_validator(3, action, version)
            payload = message[2]
        else:
            continue
        # the schemas' multipleOf (charging limits: 0.1) is checked on Decimals, as ocpp does
        payload = json.loads(json.dumps(payload), parse_float=Decimal)
        errors += [f"{action}: {error.message}" for error in validator.iter_errors(payload)]
        errors += [f"{action}: bad timestamp {t}" for t in _timestamps(payload) if not _UTC_MS(t)]
    return errors


_UTC_MS = re.compile(r"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z").fullmatch


def _timestamps(value: object) -> list[str]:
    """Every ``timestamp`` in a payload: the simulator promises UTC with milliseconds."""
    if isinstance(value, list):
        return [t for item in value for t in _timestamps(item)]
    if not isinstance(value, dict):
        return []
    found = [v for k, v in value.items() if k == "timestamp" and isinstance(v, str)]
    return found + [t for v in value.values() for t in _timestamps(v)]


def readings(payloads: list[Payload], measurand: str) -> list[tuple[str, str, float]]:
    """(timestamp, context, value) of one measurand in MeterValues / TransactionEvent /
    StopTransaction payloads of either version, in order."""
    found = []
    for payload in payloads:
        meter_values = payload.get("meterValue") or payload.get("transactionData") or []
        for meter_value in meter_values:
            for sampled in meter_value["sampledValue"]:
                if sampled.get("measurand") == measurand:
                    value = float(sampled["value"])
                    found.append((meter_value["timestamp"], sampled.get("context", ""), value))
    return found


def parse_timestamp(text: str) -> datetime:
    assert text.endswith("Z"), text
    return datetime.fromisoformat(text.replace("Z", "+00:00"))
