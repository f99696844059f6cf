"""A station publishing a firmware image to its neighbours (2.0.1 L03/L04), version-neutral.

Each change of a publication is kept as a station event (``publish_status``, neutral data:
the request's checksum and source travel with every status) and published on the bus as
``firmware.publish_status``; the newest event is the station's current publication.
"""

from __future__ import annotations

from dataclasses import asdict, replace

from forecourt.domain.commands import CommandRecord
from forecourt.domain.errors import NotFound
from forecourt.domain.events import StationEvent, StationEventKind
from forecourt.domain.firmware_publishing import (
    Publication,
    PublishFirmware,
    PublishReport,
    PublishState,
    UnpublishFirmware,
    md5_checksum,
)
from forecourt.services.context import ServiceContext
from forecourt.services.remote_control import RemoteControl

_KIND = StationEventKind.PUBLISH_STATUS


class FirmwarePublishing:
    def __init__(self, ctx: ServiceContext, remote: RemoteControl) -> None:
        self._ctx = ctx
        self._remote = remote

    async def publish(
        self,
        station_id: str,
        location: str,
        checksum: str,
        *,
        retries: int | None = None,
        retry_interval_s: int | None = None,
        requested_by: str = "",
    ) -> tuple[CommandRecord, Publication]:
        """Send PublishFirmware; the publication becomes ``requested`` (or ``rejected``)."""
        checksum = md5_checksum(checksum)
        last = await self.publication(station_id)
        publication = Publication(
            PublishState.REQUESTED, (last.request_id if last else 0) + 1, checksum, location
        )
        await self._save(station_id, publication)
        command = PublishFirmware(
            location=location,
            checksum=checksum,
            request_id=publication.request_id,
            retries=retries,
            retry_interval_s=retry_interval_s,
        )
        record = await self._remote.send(station_id, command, requested_by=requested_by)
        if not record.status.succeeded:
            publication = replace(publication, state=PublishState.REJECTED)
            await self._save(station_id, publication)
        return record, publication

    async def unpublish(
        self, station_id: str, checksum: str, *, requested_by: str = ""
    ) -> CommandRecord:
        """Send UnpublishFirmware; on Unpublished the matching publication ends."""
        checksum = md5_checksum(checksum)
        last = await self.publication(station_id)
        command = UnpublishFirmware(checksum=checksum)
        record = await self._remote.send(station_id, command, requested_by=requested_by)
        if record.status.succeeded and last is not None and last.checksum == checksum:
            await self._save(
                station_id, replace(last, state=PublishState.UNPUBLISHED, locations=[])
            )
        return record

    async def publish_status(self, station_id: str, report: PublishReport) -> None:
        """A PublishFirmwareStatusNotification: the request it names gets the new state."""
        last = await self.publication(station_id)
        request_id = report.request_id if report.request_id is not None else 0
        if last is not None and (report.request_id is None or last.request_id == request_id):
            publication = replace(last, state=report.state, locations=list(report.locations))
        else:  # a request we do not know (e.g. from another CSMS): keep what it says
            publication = Publication(report.state, request_id, "", "", list(report.locations))
        await self._save(station_id, publication)

    async def publication(self, station_id: str) -> Publication | None:
        """The station's newest publication, if it was ever asked to publish."""
        async with self._ctx.uow() as uow:
            if await uow.stations.get(station_id) is None:
                raise NotFound("station", station_id)
            events = await uow.events.list(station_id, _KIND, limit=1)
        if not events:
            return None
        data = events[0].data
        return Publication(
            PublishState(data["state"]),
            int(data["request_id"]),
            str(data["checksum"]),
            str(data["location"]),
            [str(uri) for uri in data.get("locations", [])],
        )

    async def _save(self, station_id: str, publication: Publication) -> None:
        now = self._ctx.clock.now()
        data = asdict(publication)
        async with self._ctx.uow() as uow:
            await uow.events.add(StationEvent(station_id, _KIND, now, data))
            self._ctx.stage_event(
                uow,
                "firmware.publish_status",
                station_id,
                state=publication.state.value,
                request_id=publication.request_id,
                checksum=publication.checksum,
                locations=publication.locations,
                failed=publication.state.failed,
            )
            await uow.commit()
