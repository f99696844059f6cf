"""Configuration drift: read back each station's configuration (after boot, periodically and
on demand), compare it with its model's desired configuration, and correct what differs.

Version-neutral: GetConfiguration / SetConfiguration are rendered as 1.6 GetConfiguration /
ChangeConfiguration or 2.0.1 GetVariables / SetVariables by the adapters. Keys a model
refuses to change (the vendor quirk table, handed in by the composition root) are shown as
drift but never corrected.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
from collections.abc import Callable

from forecourt.domain.commands import CommandRecord, ConfigKey, GetConfiguration, SetConfiguration
from forecourt.domain.drift import DesiredSetting, DriftCheck, compare
from forecourt.domain.errors import InvalidInput, NotFound
from forecourt.domain.events import DomainEvent
from forecourt.services.context import ServiceContext
from forecourt.services.remote_control import RemoteControl

log = logging.getLogger("forecourt.drift")

#: (vendor, model) -> configuration keys the model reports but refuses to change.
FixedKeys = Callable[[str, str], frozenset[str]]


def _no_fixed_keys(_vendor: str, _model: str) -> frozenset[str]:
    return frozenset()


class DriftWatch:
    def __init__(
        self,
        ctx: ServiceContext,
        remote: RemoteControl,
        fixed_keys: FixedKeys = _no_fixed_keys,
        interval_s: float = 3600.0,
    ) -> None:
        self._ctx = ctx
        self._remote = remote
        self._fixed_keys = fixed_keys
        self._interval_s = interval_s
        self._unsubscribe: Callable[[], None] | None = None
        self._loop: asyncio.Task[None] | None = None
        #: Models with a desired configuration: a boot of any other model costs nothing.
        self._models: frozenset[str] | None = None

    # -- desired configuration ---------------------------------------------------------------
    async def desired(self, model: str | None = None) -> list[DesiredSetting]:
        async with self._ctx.uow() as uow:
            return await uow.drift.desired(model)

    async def set_desired(self, model: str, key: str, value: str) -> DesiredSetting:
        if not model.strip() or not key.strip():
            raise InvalidInput("a desired setting needs a station model and a key")
        ConfigKey.parse(key)
        async with self._ctx.uow() as uow:
            setting = await uow.drift.put_desired(DesiredSetting(model, key, value))
            await uow.commit()
        self._models = None
        return setting

    async def remove_desired(self, setting_id: int) -> None:
        async with self._ctx.uow() as uow:
            if not await uow.drift.remove_desired(setting_id):
                raise NotFound("desired setting", setting_id)
            await uow.commit()
        self._models = None

    # -- checks --------------------------------------------------------------------------------
    async def latest(self, station_id: str) -> DriftCheck | None:
        async with self._ctx.uow() as uow:
            if await uow.stations.get(station_id) is None:
                raise NotFound("station", station_id)
            return await uow.drift.latest(station_id)

    async def all_latest(self) -> list[DriftCheck]:
        async with self._ctx.uow() as uow:
            return await uow.drift.all_latest()

    async def check(self, station_id: str, *, requested_by: str = "drift") -> DriftCheck:
        """Read the desired keys back from the station and store the comparison."""
        async with self._ctx.uow() as uow:
            station = await uow.stations.get(station_id)
            if station is None:
                raise NotFound("station", station_id)
            desired = await uow.drift.desired(station.model) if station.model else []
        check = DriftCheck(station_id, self._ctx.clock.now())
        if desired:
            keys = tuple(ConfigKey.parse(s.key) for s in desired)
            record = await self._remote.send(
                station_id, GetConfiguration(keys), requested_by=requested_by
            )
            if record.status.succeeded:
                actual = {str(v["key"]): _text(v.get("value")) for v in _known(record)}
                fixed = self._fixed_keys(station.vendor or "", station.model or "")
                check.items = compare(desired, actual, fixed)
            else:
                check.error = f"could not read the configuration: {record.status.value}"
                check.error += f" ({record.error})" if record.error else ""
        async with self._ctx.uow() as uow:
            await uow.drift.save(check)
            self._ctx.stage_event(
                uow, "drift.checked", station_id, drifted=len(check.drifted), error=check.error
            )
            await uow.commit()
        return check

    async def correct(
        self, station_id: str, *, requested_by: str = "drift"
    ) -> tuple[list[CommandRecord], DriftCheck]:
        """Set every correctable difference, then read back again."""
        check = await self.check(station_id, requested_by=requested_by)
        records = [
            await self._remote.send(
                station_id,
                SetConfiguration(ConfigKey.parse(item.key), item.desired),
                requested_by=requested_by,
            )
            for item in check.items
            if item.correctable
        ]
        if records:
            check = await self.check(station_id, requested_by=requested_by)
        return records, check

    # -- when to check -------------------------------------------------------------------------
    def start(self) -> None:
        """After every accepted boot, and every ``interval_s`` for connected stations."""
        if self._unsubscribe is None:
            self._unsubscribe = self._ctx.bus.subscribe("station.booted", self._booted)
            self._loop = asyncio.create_task(self._periodically(), name="periodic:clock-drift")

    async def stop(self) -> None:
        if self._unsubscribe is not None:
            self._unsubscribe()
            self._unsubscribe = None
        if self._loop is not None:
            self._loop.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await self._loop
            self._loop = None

    async def _booted(self, event: DomainEvent) -> None:
        if event.data.get("registration") != "accepted":
            return
        model = event.station.model if event.station is not None else None
        if model is None or model in await self._desired_models():
            await self.check(event.station_id)

    async def _desired_models(self) -> frozenset[str]:
        if self._models is None:
            self._models = frozenset(s.model for s in await self.desired())
        return self._models

    async def _periodically(self) -> None:
        while True:
            await asyncio.sleep(self._interval_s)
            try:
                if await self._ctx.leases("drift.checks").held():  # one node checks them all
                    await self.check_connected()
            except Exception:  # one bad round must not end the loop
                log.exception("drift round failed")

    async def check_connected(self) -> int:
        """Check every connected station whose model has a desired configuration."""
        self._models = None  # another process may have changed them
        models = await self._desired_models()
        async with self._ctx.uow() as uow:
            stations = await uow.stations.list()
        checked = 0
        for station in stations:
            if station.model in models and self._remote.connected(station.id):
                await self.check(station.id)
                checked += 1
        return checked


def _known(record: CommandRecord) -> list[dict[str, object]]:
    """Reported values: 1.6 lists known keys only; 2.0.1 marks unknown ones by status."""
    values: list[dict[str, object]] = record.result.get("values", [])
    return [v for v in values if v.get("status") in (None, "accepted")]


def _text(value: object) -> str | None:
    return None if value is None else str(value)
