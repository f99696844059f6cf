"""Prices and costs on the station's own screen, where the station can show them.

Before a session: 2.0.1 SetDisplayMessage per EVSE (shown while idle); 1.6 the OCA California
Pricing ``DefaultPrice`` configuration key. When a driver identifies: 1.6 ``SetUserPrice``.
During the session: running cost (2.0.1 CostUpdated, 1.6 ``RunningCost``); at the end the
final cost (2.0.1 CostUpdated, 1.6 ``FinalCost`` with the receipt link as QR code).

Best effort: a station that answers "not supported" is not asked again until it reboots.
"""

from __future__ import annotations

import logging
from datetime import datetime

from forecourt.domain.commands import (
    Command,
    CommandKind,
    CommandStatus,
    CostUpdate,
    DisplayPrice,
    StationPrice,
    kind_of,
)
from forecourt.domain.errors import ForecourtError
from forecourt.domain.events import DomainEvent
from forecourt.domain.stations import ProtocolVersion, Station
from forecourt.domain.transactions import Transaction
from forecourt.payments.domain.costing import CostBreakdown
from forecourt.payments.domain.tariffs import Tariff
from forecourt.payments.services.policy import PaymentPolicy
from forecourt.payments.services.pricing import SessionCost, price_text, receipt_summary
from forecourt.payments.services.tariffs import resolve_tariff
from forecourt.services.context import ServiceContext
from forecourt.services.remote_control import RemoteControl

log = logging.getLogger("forecourt.payments")

_UNSUPPORTED = frozenset(
    {
        CommandStatus.NOT_SUPPORTED,
        CommandStatus.UNKNOWN_VENDOR,
        CommandStatus.UNKNOWN_MESSAGE,
        CommandStatus.CALL_ERROR,
    }
)
_BY = "payments"


class StationPrices:
    def __init__(self, ctx: ServiceContext, remote: RemoteControl, policy: PaymentPolicy) -> None:
        self._ctx = ctx
        self._remote = remote
        self._policy = policy
        self._unsupported: dict[str, set[CommandKind]] = {}

    async def on_event(self, event: DomainEvent) -> None:
        if not self._policy.push_prices:
            return
        if event.topic == "station.booted":
            self._unsupported.pop(event.station_id, None)
            if event.data.get("registration") == "accepted":
                await self.publish_station(event.station_id, event.station)
        elif event.topic == "token.authorized" and event.data.get("status") == "accepted":
            await self.show_to_driver(event.station_id, str(event.data.get("token", "")))
        elif event.topic == "tariff.published":
            for station_id in await self._connected_stations():
                await self.publish_station(station_id)

    async def publish_station(self, station_id: str, known: Station | None = None) -> None:
        """The price at every EVSE, before anyone plugs in; ``known``: the station as just
        written (at boot), so it is not read again."""
        now = self._ctx.clock.now()
        async with self._ctx.uow() as uow:
            station = known or await uow.stations.get(station_id)
            if station is None:
                return
            prices: list[tuple[int, Tariff]] = []
            for evse in station.evses:
                try:
                    prices.append(
                        (evse.evse_id, await resolve_tariff(uow, station, evse.evse_id, None, now))
                    )
                except ForecourtError:
                    continue  # no tariff bound there: nothing to show
        for command in _price_commands(station, prices, now):
            await self._send(station_id, command)

    async def show_to_driver(self, station_id: str, id_token: str) -> None:
        """1.6 stations show a price to the driver who just identified (SetUserPrice)."""
        now = self._ctx.clock.now()
        async with self._ctx.uow() as uow:
            station = await uow.stations.get(station_id)
            if station is None or station.protocol is not ProtocolVersion.V16 or not station.evses:
                return
            try:
                tariff = await resolve_tariff(uow, station, station.evses[0].evse_id, None, now)
            except ForecourtError:
                return
        await self._send(station_id, DisplayPrice(price_text(tariff, now), id_token=id_token))

    async def running_cost(self, cost: SessionCost) -> None:
        now = self._ctx.clock.now()
        tx = cost.transaction
        await self._send(tx.station_id, _running(tx, cost.tariff, cost.breakdown, now))

    async def final_cost(self, tx: Transaction, breakdown: CostBreakdown, receipt_url: str) -> None:
        command = CostUpdate(
            tx.station_tx_id,
            breakdown.total.amount_text(),
            final=True,
            text=receipt_summary(breakdown),
            receipt_url=receipt_url,
        )
        await self._send(tx.station_id, command)

    async def _send(self, station_id: str, command: Command) -> None:
        kind = kind_of(command)
        if not self._policy.push_prices or kind in self._unsupported.get(station_id, set()):
            return
        try:
            record = await self._remote.send(station_id, command, requested_by=_BY)
        except ForecourtError as exc:
            log.info("price display skipped: %s", exc, extra={"station_id": station_id})
            return
        if record.status in _UNSUPPORTED:
            self._unsupported.setdefault(station_id, set()).add(kind)

    async def _connected_stations(self) -> list[str]:
        async with self._ctx.uow() as uow:
            return [s.id for s in await uow.stations.list() if s.connected]


def _price_commands(
    station: Station, prices: list[tuple[int, Tariff]], now: datetime
) -> list[Command]:
    commands: list[Command] = [
        StationPrice(
            evse_id,
            price_text(tariff, now),
            kwh_price=str(tariff.band_at(now).price_per_kwh),
            flat_fee=str(tariff.session_fee),
        )
        for evse_id, tariff in prices
    ]
    # A 1.6 station has one default price for all its EVSEs: the first EVSE's.
    return commands[:1] if station.protocol is ProtocolVersion.V16 else commands


def _running(tx: Transaction, tariff: Tariff, cost: CostBreakdown, now: datetime) -> CostUpdate:
    band = tariff.band_at(now)
    return CostUpdate(
        tx.station_tx_id,
        cost.total.amount_text(),
        at=now.isoformat(),
        meter_wh=int(tx.last_register.wh) if tx.last_register else None,
        idle=cost.idle_minutes > 0,
        kwh_price=str(band.price_per_kwh),
        flat_fee=str(tariff.session_fee) if tariff.session_fee else None,
        idle_price_per_hour=str(tariff.idle_fee_per_minute * 60)
        if tariff.idle_fee_per_minute
        else None,
        idle_grace_minutes=tariff.idle_grace_minutes if tariff.idle_fee_per_minute else None,
    )
