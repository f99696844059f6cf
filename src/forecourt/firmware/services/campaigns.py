"""Campaigns: create (targets and waves), pause, resume, cancel, roll back; read them."""

from __future__ import annotations

from dataclasses import dataclass, field, replace

from forecourt.domain.errors import Conflict, InvalidInput, NotFound
from forecourt.domain.stations import Station
from forecourt.firmware.domain.campaigns import (
    Campaign,
    CampaignStatus,
    NightWindow,
    Selection,
    Target,
    TargetStatus,
    assign_waves,
)
from forecourt.firmware.domain.images import FirmwareImage
from forecourt.firmware.ports import FIRMWARE_STORE
from forecourt.services.context import ServiceContext


@dataclass(frozen=True, slots=True)
class CampaignSpec:
    """What an operator asks for (validated here, whatever the edge)."""

    name: str
    image_id: int
    selection: Selection = field(default_factory=Selection)
    canary_percent: int = 10
    wave_size: int = 0
    max_attempts: int = 3
    retry_delay_s: int = 600
    failure_threshold: int = 0
    window: NightWindow | None = None
    progress_timeout_s: int = 7200


@dataclass(frozen=True, slots=True)
class CampaignDetail:
    campaign: Campaign
    image: FirmwareImage
    targets: list[Target]

    def count(self, status: TargetStatus) -> int:
        return sum(t.status is status for t in self.targets)


class Campaigns:
    def __init__(self, ctx: ServiceContext) -> None:
        self._ctx = ctx

    async def create(
        self, spec: CampaignSpec, *, created_by: str = "", rollback_of: int | None = None
    ) -> Campaign:
        _validate(spec)
        now = self._ctx.clock.now()
        async with self._ctx.uow() as uow:
            store = uow.repository(FIRMWARE_STORE)
            if await store.image(spec.image_id) is None:
                raise NotFound("firmware image", spec.image_id)
            stations = _selected(await uow.stations.list(spec.selection.site_id or None), spec)
            if not stations:
                raise InvalidInput("no station matches the campaign's selection")
            campaign = await store.add_campaign(
                Campaign(
                    name=spec.name,
                    image_id=spec.image_id,
                    created_at=now,
                    selection=spec.selection,
                    canary_percent=spec.canary_percent,
                    wave_size=spec.wave_size,
                    max_attempts=spec.max_attempts,
                    retry_delay_s=spec.retry_delay_s,
                    failure_threshold=spec.failure_threshold,
                    window=spec.window,
                    progress_timeout_s=spec.progress_timeout_s,
                    rollback_of=rollback_of,
                    created_by=created_by,
                )
            )
            ids = [s.id for s in stations]
            waves = assign_waves(ids, spec.canary_percent, spec.wave_size)
            await store.add_targets(
                [
                    Target(
                        campaign.id, sid, wave, previous_version=s.firmware_version, updated_at=now
                    )
                    for sid, wave, s in zip(ids, waves, stations, strict=True)
                ]
            )
            self._ctx.stage_event(
                uow, "firmware.campaign", "", campaign_id=campaign.id, status="created"
            )
            await uow.commit()
        return campaign

    async def all(self) -> list[Campaign]:
        async with self._ctx.uow() as uow:
            return await uow.repository(FIRMWARE_STORE).campaigns()

    async def detail(self, campaign_id: int) -> CampaignDetail:
        async with self._ctx.uow() as uow:
            store = uow.repository(FIRMWARE_STORE)
            campaign = await store.campaign(campaign_id)
            if campaign is None:
                raise NotFound("campaign", campaign_id)
            image = await store.image(campaign.image_id)
            targets = await store.targets(campaign_id)
        assert image is not None  # a foreign key keeps it
        return CampaignDetail(campaign, image, targets)

    async def pause(self, campaign_id: int, reason: str = "paused by an operator") -> Campaign:
        return await self._move(
            campaign_id, (CampaignStatus.RUNNING,), CampaignStatus.PAUSED, reason
        )

    async def resume(self, campaign_id: int) -> Campaign:
        return await self._move(campaign_id, (CampaignStatus.PAUSED,), CampaignStatus.RUNNING, "")

    async def cancel(self, campaign_id: int) -> Campaign:
        """Stations not sent yet are skipped; an update a station already runs goes on."""
        campaign = await self._move(
            campaign_id,
            (CampaignStatus.RUNNING, CampaignStatus.PAUSED),
            CampaignStatus.CANCELLED,
            "cancelled by an operator",
        )
        async with self._ctx.uow() as uow:
            store = uow.repository(FIRMWARE_STORE)
            for target in await store.targets(campaign_id):
                if target.status.waiting_to_send:
                    target.status = TargetStatus.SKIPPED
                    target.updated_at = self._ctx.clock.now()
                    await store.save_target(target)
            await uow.commit()
        return campaign

    async def rollback(self, campaign_id: int, *, created_by: str = "") -> list[Campaign]:
        """A campaign back to each previous version the stations ran (its image must exist)."""
        detail = await self.detail(campaign_id)
        touched = [t for t in detail.targets if t.attempts > 0 and t.previous_version]
        if not touched:
            raise Conflict("no station of this campaign was updated: nothing to roll back")
        by_version: dict[str, list[str]] = {}
        for target in touched:
            by_version.setdefault(target.previous_version, []).append(target.station_id)
        images = {i.version: i for i in await self._images()}
        missing = sorted(v for v in by_version if v not in images)
        if missing:
            raise Conflict(f"add an image of version {', '.join(missing)} first, then roll back")
        created = []
        for version, station_ids in sorted(by_version.items()):
            spec = CampaignSpec(
                name=f"Roll back {detail.campaign.name} to {version}",
                image_id=images[version].id,
                selection=Selection(station_ids=tuple(station_ids)),
                canary_percent=0,
                max_attempts=detail.campaign.max_attempts,
                retry_delay_s=detail.campaign.retry_delay_s,
                failure_threshold=len(station_ids),
            )
            created.append(await self.create(spec, created_by=created_by, rollback_of=campaign_id))
        return created

    async def _images(self) -> list[FirmwareImage]:
        async with self._ctx.uow() as uow:
            return await uow.repository(FIRMWARE_STORE).images()

    async def _move(
        self,
        campaign_id: int,
        allowed: tuple[CampaignStatus, ...],
        to: CampaignStatus,
        reason: str,
    ) -> Campaign:
        async with self._ctx.uow() as uow:
            store = uow.repository(FIRMWARE_STORE)
            campaign = await store.campaign(campaign_id)
            if campaign is None:
                raise NotFound("campaign", campaign_id)
            if campaign.status not in allowed:
                raise Conflict(
                    f"campaign {campaign_id} is {campaign.status.value}: cannot {to.value}"
                )
            campaign = replace(campaign, status=to, status_reason=reason)
            await store.save_campaign(campaign)
            self._ctx.stage_event(
                uow, "firmware.campaign", "", campaign_id=campaign_id, status=to.value
            )
            await uow.commit()
        return campaign


def _validate(spec: CampaignSpec) -> None:
    problems = []
    if not spec.name.strip() or len(spec.name) > 200:
        problems.append("a name of 1 to 200 characters")
    if not 0 <= spec.canary_percent <= 100:
        problems.append("canary_percent between 0 and 100")
    if spec.wave_size < 0 or spec.max_attempts < 1 or spec.retry_delay_s < 0:
        problems.append("wave_size >= 0, max_attempts >= 1, retry_delay_s >= 0")
    if spec.failure_threshold < 0:
        problems.append("failure_threshold >= 0")
    if spec.progress_timeout_s < 60:
        problems.append("progress_timeout_s >= 60")
    window = spec.window
    if window is not None and not (0 <= window.start_hour < 24 and 0 <= window.end_hour < 24):
        problems.append("window hours between 0 and 23")
    if problems:
        raise InvalidInput("a campaign needs " + "; ".join(problems))


def _selected(stations: list[Station], spec: CampaignSpec) -> list[Station]:
    wanted = spec.selection
    ids = set(wanted.station_ids)
    return [
        s
        for s in stations
        if (not wanted.model or s.model == wanted.model)
        and (not wanted.current_version or s.firmware_version == wanted.current_version)
        and (not ids or s.id in ids)
    ]
