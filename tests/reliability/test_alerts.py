"""Alerts over real local transports: an HTTP receiver (HMAC-signed webhooks) and an SMTP
server (aiosmtpd), both on 127.0.0.1; grouping, routing and back-off."""

from __future__ import annotations

import asyncio
import email
import json
from collections.abc import AsyncIterator
from dataclasses import dataclass, field
from datetime import timedelta
from pathlib import Path
from typing import Any

import pytest
import uvicorn
from aiosmtpd.controller import Controller
from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Route

from forecourt.domain.stations import Site
from forecourt.ports.delivery import SmtpSettings
from forecourt.reliability.domain.alerts import (
    SIGNATURE_HEADER,
    TIMESTAMP_HEADER,
    AlertRoute,
    AlertState,
    Channel,
    verify_signature,
)
from forecourt.reliability.domain.model import FaultKind, Finding, Severity
from forecourt.reliability.domain.thresholds import Thresholds
from forecourt.reliability.domain.watch import Decisions
from forecourt.reliability.keys import RELIABILITY
from forecourt.reliability.services.writer import Batch
from forecourt.services.core import Services
from tests.support.harness import SteppingClock, make_services
from tests.support.server import free_port

SECRET = "whsec-test-0123456789"


@dataclass
class Receiver:
    url: str
    received: list[tuple[dict[str, str], bytes]] = field(default_factory=list)
    status: int = 200


@pytest.fixture
async def receiver() -> AsyncIterator[Receiver]:
    port = free_port()
    box = Receiver(f"http://127.0.0.1:{port}/hook")

    async def hook(request: Request) -> Response:
        box.received.append((dict(request.headers), await request.body()))
        return Response(status_code=box.status)

    app = Starlette(routes=[Route("/hook", hook, methods=["POST"])])
    server = uvicorn.Server(uvicorn.Config(app, host="127.0.0.1", port=port, log_config=None))
    task = asyncio.create_task(server.serve())
    while not server.started:  # noqa: ASYNC110  (uvicorn offers a flag, not an event)
        await asyncio.sleep(0.01)
    yield box
    server.should_exit = True
    await task


class Inbox:
    def __init__(self) -> None:
        self.messages: list[email.message.Message] = []

    async def handle_DATA(self, _server: Any, _session: Any, envelope: Any) -> str:
        self.messages.append(email.message_from_bytes(envelope.content))
        return "250 OK"


@pytest.fixture
def inbox() -> AsyncIterator[tuple[Inbox, int]]:  # type: ignore[misc]
    handler, port = Inbox(), free_port()
    controller = Controller(handler, hostname="127.0.0.1", port=port)
    controller.start()
    yield handler, port
    controller.stop()


@dataclass
class Rig:
    services: Services
    clock: SteppingClock

    async def finding(self, station: str, kind: FaultKind, evse: int | None = 1) -> None:
        found = Finding(kind, station, evse, self.clock.now(), 0.9, f"{kind.value} at {station}")
        batch = Batch(
            station,
            "SITE-A" if station.startswith("A") else "SITE-B",
            Thresholds(),
            Decisions(findings=[found]),
        )
        self.services.feature(RELIABILITY).writer.submit(batch)
        await self.services.feature(RELIABILITY).settle()

    async def deliver_after_window(self) -> int:
        self.clock.advance(
            self.services.feature(RELIABILITY).config.current.pacing.group_window_s + 1
        )
        return await self.services.feature(RELIABILITY).alerts.deliver_due()


@pytest.fixture
async def rig(tmp_path: Path) -> AsyncIterator[Rig]:
    clock = SteppingClock()
    services, database = await make_services(tmp_path, clock=clock)
    for site in ("SITE-A", "SITE-B"):
        await services.network.add_site(Site(site, site))
    for station, site in (("A-1", "SITE-A"), ("A-2", "SITE-A"), ("B-1", "SITE-B")):
        await services.network.add_station(station, site_id=site)
    yield Rig(services, clock)
    await services.feature(RELIABILITY).stop()
    await database.dispose()


async def test_signed_webhook_groups_a_sites_tickets_into_one_alert(
    rig: Rig, receiver: Receiver
) -> None:
    alerts = rig.services.feature(RELIABILITY).alerts
    await alerts.add_route(AlertRoute(Channel.WEBHOOK, receiver.url, "SITE-A", secret=SECRET))
    await rig.finding("A-1", FaultKind.DERATED)
    await rig.finding("A-2", FaultKind.CONNECTOR)
    await rig.finding("A-1", FaultKind.CONNECTOR)  # joins A-1's ticket: no new alert item
    await rig.finding("B-1", FaultKind.CONNECTOR)  # another site: not this route
    assert await alerts.deliver_due() == 0  # still inside the grouping window
    assert await rig.deliver_after_window() == 1
    ((headers, body),) = receiver.received
    assert verify_signature(
        SECRET, headers[TIMESTAMP_HEADER.lower()], body, headers[SIGNATURE_HEADER.lower()]
    )
    assert not verify_signature(
        "wrong", headers[TIMESTAMP_HEADER.lower()], body, headers[SIGNATURE_HEADER.lower()]
    )
    payload = json.loads(body)
    assert payload["type"] == "forecourt.reliability.alert"
    assert [t["station_id"] for t in payload["tickets"]] == ["A-1", "A-2"]
    assert payload["tickets"][0]["explanations"] == ["derated at A-1"]
    assert await rig.deliver_after_window() == 0  # sent once


async def test_email_alert_via_smtp(rig: Rig, inbox: tuple[Inbox, int]) -> None:
    mails, port = inbox
    config = rig.services.feature(RELIABILITY).config
    await config.set_smtp(SmtpSettings("127.0.0.1", port, "alerts@forecourt.test"))
    alerts = rig.services.feature(RELIABILITY).alerts
    await alerts.add_route(AlertRoute(Channel.EMAIL, "ops@example.com", None, Severity.CRITICAL))
    await rig.finding("B-1", FaultKind.CONNECTOR)  # major: below this route's severity
    await rig.finding("A-1", FaultKind.OFFLINE, evse=None)  # critical
    assert await rig.deliver_after_window() == 1
    (message,) = mails.messages
    assert message["To"] == "ops@example.com"
    assert message["From"] == "alerts@forecourt.test"
    assert message["Subject"] == "[Forecourt] critical: 1 ticket(s) at SITE-A"
    assert "offline at A-1" in message.get_payload()


async def test_failed_deliveries_back_off_then_succeed(rig: Rig, receiver: Receiver) -> None:
    alerts = rig.services.feature(RELIABILITY).alerts
    await alerts.add_route(AlertRoute(Channel.WEBHOOK, receiver.url))
    receiver.status = 503
    await rig.finding("A-1", FaultKind.DERATED)
    assert await rig.deliver_after_window() == 0
    (alert,) = await alerts.outbox()
    assert alert.attempts == 1
    assert "503" in alert.error
    assert alert.next_attempt_at == rig.clock.now() + timedelta(seconds=30)
    rig.clock.advance(10)
    assert await alerts.deliver_due() == 0  # backing off: not even tried
    assert len(receiver.received) == 1
    receiver.status = 200
    rig.clock.advance(21)
    assert await alerts.deliver_due() == 1
    (alert,) = await alerts.outbox()
    assert alert.state is AlertState.SENT
    assert alert.attempts == 2


async def test_an_escalation_alerts_again_but_more_findings_do_not(
    rig: Rig, receiver: Receiver
) -> None:
    alerts = rig.services.feature(RELIABILITY).alerts
    await alerts.add_route(AlertRoute(Channel.WEBHOOK, receiver.url))
    await rig.finding("A-1", FaultKind.CLOCK_DRIFT, evse=None)  # minor
    assert await rig.deliver_after_window() == 1
    for _ in range(3):
        await rig.finding("A-1", FaultKind.CLOCK_DRIFT, evse=None)
    assert await rig.deliver_after_window() == 0
    await rig.finding("A-1", FaultKind.SILENT_OUTAGE)  # critical: the ticket got worse
    assert await rig.deliver_after_window() == 1
    reasons = [json.loads(body)["tickets"][0]["reason"] for _, body in receiver.received]
    assert reasons == ["opened", "escalated"]


async def test_routes_are_validated(rig: Rig) -> None:
    from forecourt.domain.errors import InvalidInput, NotFound

    alerts = rig.services.feature(RELIABILITY).alerts
    with pytest.raises(InvalidInput):
        await alerts.add_route(AlertRoute(Channel.WEBHOOK, "ftp://nope"))
    with pytest.raises(InvalidInput):
        await alerts.add_route(AlertRoute(Channel.EMAIL, "not-an-address"))
    with pytest.raises(NotFound):
        await alerts.add_route(AlertRoute(Channel.EMAIL, "a@b.c", site_id="NOPE"))
