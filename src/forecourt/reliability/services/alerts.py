"""Alerts: routes (webhook or e-mail, per site and severity) and a transactional outbox.

Ticket changes enqueue alerts in the same unit of work that changed the ticket, so an alert
is never lost nor sent for a change that rolled back. A delivery loop sends what is due,
grouping per route and site (no storms) and backing off exponentially on failures.
"""

from __future__ import annotations

import asyncio
import contextlib
import json
import logging
from collections.abc import Sequence
from datetime import datetime, timedelta
from typing import Any

from forecourt.domain.errors import InvalidInput, NotFound
from forecourt.ports.delivery import AlertTransport, DeliveryFailed
from forecourt.ports.repositories import UnitOfWork
from forecourt.reliability.domain.alerts import (
    MAX_ATTEMPTS,
    SIGNATURE_HEADER,
    TIMESTAMP_HEADER,
    Alert,
    AlertRoute,
    AlertState,
    Channel,
    backoff_s,
    email_message,
    group_key,
    sign,
    webhook_payload,
)
from forecourt.reliability.ports import RELIABILITY_STORE
from forecourt.reliability.services.config import ReliabilityConfig
from forecourt.reliability.services.tickets import AlertTrigger
from forecourt.services.context import ServiceContext

log = logging.getLogger("forecourt.reliability")


class AlertDispatcher:
    def __init__(
        self, ctx: ServiceContext, config: ReliabilityConfig, transport: AlertTransport | None
    ) -> None:
        self._ctx = ctx
        self._config = config
        self._transport = transport
        self._wake = asyncio.Event()
        self._task: asyncio.Task[None] | None = None

    # -- routes ----------------------------------------------------------------------------------
    async def add_route(self, route: AlertRoute) -> AlertRoute:
        if route.channel is Channel.WEBHOOK and not route.target.startswith(
            ("http://", "https://")
        ):
            raise InvalidInput("a webhook target must be an http(s) URL")
        if route.channel is Channel.EMAIL and "@" not in route.target:
            raise InvalidInput("an e-mail target must be an address")
        async with self._ctx.uow() as uow:
            if route.site_id is not None and await uow.sites.get(route.site_id) is None:
                raise NotFound("site", route.site_id)
            route = await uow.repository(RELIABILITY_STORE).alerts.add_route(route)
            await uow.commit()
        return route

    async def routes(self) -> list[AlertRoute]:
        async with self._ctx.uow() as uow:
            return await uow.repository(RELIABILITY_STORE).alerts.routes()

    async def delete_route(self, route_id: int) -> None:
        async with self._ctx.uow() as uow:
            if not await uow.repository(RELIABILITY_STORE).alerts.delete_route(route_id):
                raise NotFound("alert route", route_id)
            await uow.commit()

    async def outbox(self, limit: int = 100) -> list[Alert]:
        async with self._ctx.uow() as uow:
            return await uow.repository(RELIABILITY_STORE).alerts.list(limit)

    # -- enqueueing (inside the writer's unit of work) ----------------------------------------
    async def enqueue(
        self, uow: UnitOfWork, triggers: Sequence[AlertTrigger], now: datetime
    ) -> int:
        if not triggers:
            return 0
        repo = uow.repository(RELIABILITY_STORE).alerts
        routes = await repo.routes()
        window = timedelta(seconds=self._config.current.pacing.group_window_s)
        added = 0
        for trigger in triggers:
            ticket = trigger.ticket
            item = await _item(uow, trigger)
            for route in routes:
                if not route.matches(ticket.site_id, ticket.severity):
                    continue
                key = group_key(route.id, ticket.site_id, ticket.station_id)
                pending = await repo.pending_group(key, now)
                if pending is not None:
                    pending.items = [i for i in pending.items if i["ticket_id"] != ticket.id]
                    pending.items.append(item)
                    await repo.save(pending)
                else:
                    await repo.add(Alert(route.id, key, now, now + window, [item]))
                added += 1
        return added

    def wake(self) -> None:
        self._wake.set()

    # -- delivery ---------------------------------------------------------------------------------
    def start(self) -> None:
        if self._task is None:
            self._task = asyncio.create_task(self._loop(), name="periodic:alerts")

    async def stop(self) -> None:
        if self._task is not None:
            self._task.cancel()
            await asyncio.gather(self._task, return_exceptions=True)
            self._task = None

    async def _loop(self) -> None:
        while True:
            pacing = self._config.current.pacing
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(self._wake.wait(), pacing.poll_s)
            self._wake.clear()
            try:
                if await self._ctx.leases("reliability.alerts").held():  # one node sends
                    await self.deliver_due()
            except Exception:  # the loop must survive a broken database moment
                log.exception("alert delivery round failed")

    async def deliver_due(self) -> int:
        """Send every alert that is due; returns how many were sent."""
        now = self._ctx.clock.now()
        async with self._ctx.uow() as uow:
            due = await uow.repository(RELIABILITY_STORE).alerts.due(now)
            routes = {r.id: r for r in await uow.repository(RELIABILITY_STORE).alerts.routes()}
        sent = 0
        for alert in due:
            route = routes.get(alert.route_id)
            if route is None:
                continue
            sent += await self._attempt(alert, route)
        return sent

    async def _attempt(self, alert: Alert, route: AlertRoute) -> int:
        alert.attempts += 1
        try:
            await self._send(alert, route)
        except DeliveryFailed as exc:
            alert.error = str(exc)[:500]
            now = self._ctx.clock.now()
            if alert.attempts >= MAX_ATTEMPTS:
                alert.state = AlertState.FAILED
            delay = backoff_s(alert.attempts, self._config.current.pacing.backoff_base_s)
            alert.next_attempt_at = now + timedelta(seconds=delay)
            log.warning("alert %s to %s failed: %s", alert.id, route.target, alert.error)
        else:
            alert.state, alert.sent_at, alert.error = AlertState.SENT, self._ctx.clock.now(), ""
        async with self._ctx.uow() as uow:
            await uow.repository(RELIABILITY_STORE).alerts.save(alert)
            await uow.commit()
        return int(alert.state is AlertState.SENT)

    async def _send(self, alert: Alert, route: AlertRoute) -> None:
        if self._transport is None:
            raise DeliveryFailed("no alert transport configured")
        timeout = self._config.current.pacing.timeout_s
        if route.channel is Channel.WEBHOOK:
            body = json.dumps(webhook_payload(alert), separators=(",", ":")).encode()
            stamp = str(int(self._ctx.clock.now().timestamp()))
            headers = {"Content-Type": "application/json", TIMESTAMP_HEADER: stamp}
            if route.secret:
                headers[SIGNATURE_HEADER] = sign(route.secret, stamp, body)
            await self._transport.post_webhook(route.target, body, headers, timeout)
            return
        smtp = self._config.current.smtp
        if smtp is None:
            raise DeliveryFailed("no SMTP server configured (forecourt alerts smtp)")
        subject, text = email_message(alert)
        await self._transport.send_email(smtp, route.target, subject, text)


async def _item(uow: UnitOfWork, trigger: AlertTrigger) -> dict[str, Any]:
    ticket = trigger.ticket
    faults = (
        await uow.repository(RELIABILITY_STORE).faults.for_ticket(ticket.id) if ticket.id else []
    )
    return {
        "ticket_id": ticket.id,
        "reason": trigger.reason.value,
        "station_id": ticket.station_id,
        "site_id": ticket.site_id,
        "title": ticket.title,
        "severity": ticket.severity.value,
        "state": ticket.state.value,
        "kinds": list(ticket.kinds),
        "ports": list(ticket.ports),
        "opened_at": ticket.opened_at.isoformat(),
        "explanations": [f.explanation for f in faults if f.active][-5:],
    }
