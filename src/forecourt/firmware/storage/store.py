"""The firmware slice's repository over its tables."""

from __future__ import annotations

import builtins
import dataclasses
from typing import Any

from sqlalchemy import Row, select, update

from forecourt.domain.errors import NotFound
from forecourt.firmware.domain.campaigns import (
    Campaign,
    CampaignStatus,
    NightWindow,
    Selection,
    Target,
    TargetStatus,
)
from forecourt.firmware.domain.images import FirmwareImage
from forecourt.firmware.storage.tables import campaign_targets, firmware_campaigns, firmware_images
from forecourt.storage.context import DbContext

_OPEN_TARGET = (TargetStatus.SENT, TargetStatus.IN_PROGRESS)


class SqlFirmwareRepository:
    def __init__(self, db: DbContext) -> None:
        self._db = db

    async def add_image(self, image: FirmwareImage) -> FirmwareImage:
        values = {k: v for k, v in dataclasses.asdict(image).items() if k != "id"}
        statement = firmware_images.insert().values(values).returning(firmware_images.c.id)
        image.id = (await self._db.execute(statement)).scalar_one()
        return image

    async def image(self, image_id: int) -> FirmwareImage | None:
        query = select(firmware_images).where(firmware_images.c.id == image_id)
        row = (await self._db.execute(query)).first()
        return None if row is None else FirmwareImage(**row._mapping)

    async def images(self) -> builtins.list[FirmwareImage]:
        rows = await self._db.execute(select(firmware_images).order_by(firmware_images.c.id.desc()))
        return [FirmwareImage(**row._mapping) for row in rows]

    async def add_campaign(self, campaign: Campaign) -> Campaign:
        statement = (
            firmware_campaigns.insert()
            .values(_campaign_values(campaign))
            .returning(firmware_campaigns.c.id)
        )
        campaign.id = (await self._db.execute(statement)).scalar_one()
        return campaign

    async def save_campaign(self, campaign: Campaign) -> None:
        statement = (
            update(firmware_campaigns)
            .where(firmware_campaigns.c.id == campaign.id)
            .values(_campaign_values(campaign))
        )
        if (await self._db.execute(statement)).rowcount == 0:
            raise NotFound("campaign", campaign.id)

    async def campaign(self, campaign_id: int) -> Campaign | None:
        query = select(firmware_campaigns).where(firmware_campaigns.c.id == campaign_id)
        row = (await self._db.execute(query)).first()
        return None if row is None else _campaign(row)

    async def campaigns(self, statuses: tuple[CampaignStatus, ...] = ()) -> builtins.list[Campaign]:
        query = select(firmware_campaigns).order_by(firmware_campaigns.c.id.desc())
        if statuses:
            query = query.where(firmware_campaigns.c.status.in_([s.value for s in statuses]))
        return [_campaign(row) for row in await self._db.execute(query)]

    async def add_targets(self, targets: builtins.list[Target]) -> None:
        if targets:
            await self._db.execute(
                campaign_targets.insert(), [dataclasses.asdict(t) for t in targets]
            )

    async def save_target(self, target: Target) -> None:
        values = dataclasses.asdict(target)
        statement = (
            update(campaign_targets)
            .where(campaign_targets.c.campaign_id == target.campaign_id)
            .where(campaign_targets.c.station_id == target.station_id)
            .values(values)
        )
        await self._db.execute(statement)

    async def targets(self, campaign_id: int) -> builtins.list[Target]:
        query = (
            select(campaign_targets)
            .where(campaign_targets.c.campaign_id == campaign_id)
            .order_by(campaign_targets.c.wave, campaign_targets.c.station_id)
        )
        return [Target(**row._mapping) for row in await self._db.execute(query)]

    async def open_targets_of(self, station_id: str) -> builtins.list[Target]:
        """The station's targets waiting for its progress, in any campaign."""
        query = (
            select(campaign_targets)
            .where(campaign_targets.c.station_id == station_id)
            .where(campaign_targets.c.status.in_([s.value for s in _OPEN_TARGET]))
        )
        return [Target(**row._mapping) for row in await self._db.execute(query)]


def _campaign_values(campaign: Campaign) -> dict[str, Any]:
    values = dataclasses.asdict(campaign)
    values.pop("id")
    values["selection"] = {
        **values["selection"],
        "station_ids": list(campaign.selection.station_ids),
    }
    return values


def _campaign(row: Row[Any]) -> Campaign:
    data = dict(row._mapping)
    selection = data.pop("selection")
    window = data.pop("window")
    return Campaign(
        **data,
        selection=Selection(**{**selection, "station_ids": tuple(selection["station_ids"])}),
        window=None if window is None else NightWindow(**window),
    )
