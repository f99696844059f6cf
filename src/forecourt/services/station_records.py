"""Station-originated records: security events, firmware/log status, reports, data transfer."""

from __future__ import annotations

from typing import Any

from forecourt.domain.events import StationEvent, StationEventKind
from forecourt.domain.payloads import bounded_payload
from forecourt.services.context import ServiceContext

#: Vendors whose DataTransfer messages Forecourt understands. Others get UnknownVendorId.
KNOWN_VENDORS: frozenset[str] = frozenset({"org.openchargealliance.costmsg"})


class StationRecords:
    def __init__(self, ctx: ServiceContext) -> None:
        self._ctx = ctx

    async def record(self, station_id: str, kind: StationEventKind, data: dict[str, Any]) -> None:
        """Keep a station's payload for operators, bounded (FORECOURT_MAX_STORED_PAYLOAD_BYTES).

        The bounded copy is also what is published: live dashboards get no megabytes either.
        """
        data = bounded_payload(data, self._ctx.policy.max_stored_payload_bytes)
        now = self._ctx.clock.now()
        async with self._ctx.uow() as uow:
            await uow.events.add(StationEvent(station_id, kind, now, data))
            # data is the station's (bounded) payload: one mapping, its keys are not ours
            self._ctx.stage(uow, station_id, [(f"station.{kind.value}", data)], at=now)
            await uow.commit()

    async def data_transfer(
        self, station_id: str, vendor_id: str, message_id: str | None, data: str | None
    ) -> bool:
        """Record every transfer; say whether we know the vendor (else UnknownVendorId)."""
        payload = {"vendor_id": vendor_id, "message_id": message_id, "data": data}
        await self.record(station_id, StationEventKind.DATA_TRANSFER, payload)
        return vendor_id in KNOWN_VENDORS
