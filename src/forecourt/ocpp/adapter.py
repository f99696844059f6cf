"""The contract every OCPP version adapter fulfils, and the dispatcher that enforces shared rules.

An adapter only translates: decode a payload, map it with explicit tables, make ONE service
call, map the answer back. Business rules live in ``forecourt.services``.
"""

from __future__ import annotations

import logging
from collections.abc import Awaitable, Callable, Mapping
from dataclasses import dataclass, field
from typing import Any, Protocol

from forecourt.domain.commands import Command, CommandResult
from forecourt.domain.stations import BootDecision, BootInfo, ProtocolVersion, RegistrationStatus
from forecourt.ocpp.deferred_connect import DeferredConnect
from forecourt.ocpp.errors import ErrorKind, OcppError
from forecourt.ocpp.quirks import Quirks, quirks_for
from forecourt.ocpp.session import Handler
from forecourt.ocpp.versions import OcppVersion
from forecourt.services.core import CoreServices

log = logging.getLogger("forecourt.ocpp")

Payload = dict[str, Any]


@dataclass(slots=True)
class Link:
    """What a handler knows about the connection it serves."""

    station_id: str
    services: CoreServices
    registration: RegistrationStatus | None = None
    quirks: Quirks = field(default_factory=Quirks)
    on_quirks: Callable[[Quirks], None] | None = None  # the gateway applies them to the session
    connect: DeferredConnect | None = None  # "connected" not yet written (the gateway's)

    async def boot(self, info: BootInfo) -> BootDecision:
        """The one boot call of every version: it writes a deferred "connected" in the
        same unit of work (one commit per reconnect)."""
        deferred = self.connect
        note = None if deferred is None else deferred.claim()
        if deferred is not None and note is None:
            await deferred.settle()  # a write under way: the boot comes after it
        try:
            decision = await self.services.provisioning.boot(self.station_id, info, note)
        except BaseException:
            if deferred is not None and note is not None:
                deferred.release(note)
            raise
        if deferred is not None and note is not None:
            deferred.written()
        return decision

    async def connect_written(self) -> None:
        """Before any other CALL: the station's writes come after its "connected"."""
        if self.connect is not None and not self.connect.settled:
            await self.connect.settle()

    def identified(self, vendor: str, model: str) -> None:
        """The station said who it is (boot): from now on its model's quirks apply."""
        self.quirks = quirks_for(vendor, model)
        if self.on_quirks is not None:
            self.on_quirks(self.quirks)


#: A station -> CSMS handler. Its request parameter is the version's generated TypedDict
#: (``wire_types``); the session has checked the payload against the same schema first, so
#: the table of handlers can accept them all (``Any``) without a cast in each handler.
InboundHandler = Callable[[Link, Any], Awaitable[Mapping[str, object]]]


class VersionAdapter(Protocol):
    @property
    def version(self) -> OcppVersion: ...
    @property
    def protocol(self) -> ProtocolVersion: ...
    @property
    def handlers(self) -> Mapping[str, InboundHandler]: ...

    def render(self, command: Command) -> tuple[str, Payload]: ...
    # ^ raises forecourt.domain.errors.CommandNotSupported when the version lacks the command
    def interpret(self, command: Command, response: Payload) -> CommandResult: ...


#: Until the CSMS accepts a station it may only boot (OCPP 2.0.1 B02.FR.09 answers the rest with
#: SecurityError; 1.6 §4.2.1 forbids them and we apply the same answer).
ALLOWED_BEFORE_ACCEPTANCE = frozenset({"BootNotification"})


def dispatcher(adapter: VersionAdapter, link: Link) -> Handler:
    """Build the session handler for one connection.

    Exceptions are not translated here (ADR 0002): an ``OcppError`` a handler raises on
    purpose keeps its code, and anything else (a domain error or a bug in a service) reaches
    the session, which answers InternalError with the spec's generic text. A handler that
    wants a specific code for a cause it knows raises ``OcppError`` itself.
    """

    async def handle(action: str, payload: Payload) -> Payload:
        if (
            link.registration is not RegistrationStatus.ACCEPTED
            and action not in ALLOWED_BEFORE_ACCEPTANCE
        ):
            raise OcppError(ErrorKind.SECURITY, "station is not accepted; send BootNotification")
        handler = adapter.handlers.get(action)
        if handler is None:
            raise OcppError(ErrorKind.NOT_SUPPORTED, f"{action} is not supported by this CSMS")
        if action != "BootNotification":
            await link.connect_written()
        return dict(await handler(link, payload))

    return handle


def invert(table: Mapping[Any, Any]) -> dict[Any, Any]:
    """Reverse a one-to-one mapping table (tests assert the tables are one-to-one where used)."""
    return {v: k for k, v in table.items()}
