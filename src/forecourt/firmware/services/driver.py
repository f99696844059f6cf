"""The campaign driver: ``tick(now)`` sends what is due; firmware-status events move targets.

A serving process runs ``tick`` every ``tick_interval_s`` and subscribes to the core's
``firmware.status`` events (``start``/``stop``); tests call ``tick`` with the times they
choose. A station is sent its update only when no session runs on it and, when the campaign
has a night window, when the site's local hour is inside it.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
from collections.abc import Callable
from datetime import datetime
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from forecourt.domain.commands import CommandStatus
from forecourt.domain.events import DomainEvent
from forecourt.domain.maintenance import FirmwareState
from forecourt.domain.transactions import TransactionState
from forecourt.firmware.domain.campaigns import (
    Campaign,
    CampaignStatus,
    Target,
    TargetStatus,
    after_failure,
    plan,
)
from forecourt.firmware.ports import FIRMWARE_STORE
from forecourt.firmware.services.images import ImageLibrary
from forecourt.ports.repositories import TransactionFilter
from forecourt.services.context import ServiceContext
from forecourt.services.maintenance import FirmwareRequest, Maintenance

log = logging.getLogger(__name__)


class CampaignDriver:
    def __init__(self, ctx: ServiceContext, maintenance: Maintenance, images: ImageLibrary) -> None:
        self._ctx = ctx
        self._maintenance = maintenance
        self._images = images
        self._task: asyncio.Task[None] | None = None
        self._unsubscribe: Callable[[], None] | None = None

    async def tick(self, now: datetime) -> None:
        """One pass over every running campaign."""
        async with self._ctx.uow() as uow:
            running = await uow.repository(FIRMWARE_STORE).campaigns((CampaignStatus.RUNNING,))
        for campaign in sorted(running, key=lambda c: c.id):
            await self._drive(campaign, now)

    async def on_firmware_status(self, event: DomainEvent) -> None:
        """A station's progress moves its open target(s) with the same request id."""
        state = FirmwareState(event.data["state"])
        async with self._ctx.uow() as uow:
            store = uow.repository(FIRMWARE_STORE)
            for target in await store.open_targets_of(event.station_id):
                if target.request_id != event.data.get("request_id"):
                    continue
                campaign = await store.campaign(target.campaign_id)
                assert campaign is not None  # a foreign key keeps it
                _progress(campaign, target, state, event.at)
                await store.save_target(target)
            await uow.commit()

    async def start(self) -> None:
        self._unsubscribe = self._ctx.bus.subscribe("firmware.status", self.on_firmware_status)
        self._task = asyncio.create_task(self._loop(), name="periodic:firmware-campaigns")

    async def stop(self) -> None:
        if self._unsubscribe is not None:
            self._unsubscribe()
        if self._task is not None:
            self._task.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await self._task

    async def _loop(self) -> None:
        while True:
            try:
                if await self._ctx.leases("firmware.campaigns").held():  # one node drives
                    await self.tick(self._ctx.clock.now())
            except Exception:  # one bad pass must not stop campaigns for good
                log.exception("firmware campaign pass failed")
            await asyncio.sleep(self._images.config.tick_interval_s)

    async def _drive(self, campaign: Campaign, now: datetime) -> None:
        async with self._ctx.uow() as uow:
            targets = await uow.repository(FIRMWARE_STORE).targets(campaign.id)
        decision = plan(campaign, targets, now)
        if decision.pause_reason or decision.complete:
            await self._finish(campaign, decision.pause_reason)
            return
        by_station = {t.station_id: t for t in targets}
        for station_id in decision.silent:
            await self._silent(campaign, by_station[station_id], now)
        for station_id in decision.send:
            target = by_station[station_id]
            if await self._may_send(campaign, station_id, now):
                await self._send(campaign, target, now)

    async def _silent(self, campaign: Campaign, target: Target, now: datetime) -> None:
        detail = f"no progress reported for {campaign.progress_timeout_s} s"
        after_failure(campaign, target, now, detail)
        async with self._ctx.uow() as uow:
            await uow.repository(FIRMWARE_STORE).save_target(target)
            await uow.commit()

    async def _finish(self, campaign: Campaign, pause_reason: str) -> None:
        campaign.status = CampaignStatus.PAUSED if pause_reason else CampaignStatus.COMPLETED
        campaign.status_reason = pause_reason
        async with self._ctx.uow() as uow:
            await uow.repository(FIRMWARE_STORE).save_campaign(campaign)
            self._ctx.stage_event(
                uow,
                "firmware.campaign",
                "",
                campaign_id=campaign.id,
                status=campaign.status.value,
                reason=pause_reason,
            )
            await uow.commit()

    async def _may_send(self, campaign: Campaign, station_id: str, now: datetime) -> bool:
        async with self._ctx.uow() as uow:
            active = await uow.transactions.list(
                TransactionFilter(station_id=station_id, state=TransactionState.ACTIVE, limit=1)
            )
            if active:
                return False  # never during a session
            if campaign.window is None:
                return True
            station = await uow.stations.get(station_id)
            site = (
                None
                if station is None or not station.site_id
                else await uow.sites.get(station.site_id)
            )
        hour = now.astimezone(_zone(site.timezone if site else "UTC")).hour
        return campaign.window.contains(hour)

    async def _send(self, campaign: Campaign, target: Target, now: datetime) -> None:
        image = await self._images.image(campaign.image_id)
        request = FirmwareRequest(
            location=self._images.location(image),
            version=image.version,
            retries=1,
            signing_certificate=image.signing_certificate or None,
            signature=image.signature or None,
        )
        record, firmware = await self._maintenance.update_firmware(
            target.station_id, request, requested_by=f"campaign:{campaign.id}"
        )
        target.updated_at = now
        if record.status is CommandStatus.OFFLINE:
            target.detail = "station offline: will try again"
        elif record.status.succeeded:
            target.attempts += 1
            target.status = TargetStatus.SENT
            target.request_id = firmware.request_id
            target.firmware_state = firmware.state.value
            target.detail = ""
        else:
            target.attempts += 1
            after_failure(campaign, target, now, f"UpdateFirmware: {record.status.value}")
        async with self._ctx.uow() as uow:
            await uow.repository(FIRMWARE_STORE).save_target(target)
            await uow.commit()


def _progress(campaign: Campaign, target: Target, state: FirmwareState, at: datetime) -> None:
    target.firmware_state = state.value
    target.updated_at = at
    if state is FirmwareState.INSTALLED:
        target.status = TargetStatus.SUCCEEDED
        target.detail = ""
    elif state.failed:
        after_failure(campaign, target, at, state.value)
    elif state is not FirmwareState.IDLE:
        target.status = TargetStatus.IN_PROGRESS


def _zone(name: str) -> ZoneInfo:
    try:
        return ZoneInfo(name)
    except (ZoneInfoNotFoundError, ValueError):
        return ZoneInfo("UTC")
