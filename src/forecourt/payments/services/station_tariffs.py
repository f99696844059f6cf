"""Tariffs held by the station (OCPP 2.1 I-block): our tariff, told to stations that price.

A 2.1 station gets each EVSE's tariff (the binding rule of ``tariffs.resolve_tariff``) as its
default tariff when it boots and whenever a tariff is published; the station then shows and
computes the cost itself. What it answered is the command log's record of that
``SetDefaultTariff`` (no second store). Our cost stays what we bill: the station's own figure
is only compared with it (``cost_check``). Versions before 2.1 are not asked: the CSMS prices
their sessions (and shows the price, ``display``).
"""

from __future__ import annotations

import logging
import zlib
from dataclasses import dataclass
from datetime import datetime

from forecourt.domain.commands import CommandKind, CommandRecord, CommandStatus
from forecourt.domain.errors import Conflict, ForecourtError, NotFound
from forecourt.domain.events import DomainEvent
from forecourt.domain.station_tariffs import (
    ChangeTransactionTariff,
    ClearTariffs,
    EnergyPrice,
    GetTariffs,
    SetDefaultTariff,
    StationTariff,
    TaxRate,
)
from forecourt.domain.stations import ProtocolVersion, Station
from forecourt.payments.domain.costing import TariffChange
from forecourt.payments.domain.tariffs import Tariff
from forecourt.payments.ports import TARIFF_STORE
from forecourt.payments.services.policy import PaymentPolicy
from forecourt.payments.services.tariffs import Tariffs, resolve_tariff, schedule_for_transaction
from forecourt.ports.repositories import UnitOfWork
from forecourt.services.context import ServiceContext
from forecourt.services.remote_control import RemoteControl

log = logging.getLogger("forecourt.payments")

_BY = "payments"
StationTariffCommand = SetDefaultTariff | GetTariffs | ClearTariffs | ChangeTransactionTariff
_TARIFF_ID_MAX = 60  # TariffType.tariffId
#: How far back the command log is read for each station's last SetDefaultTariff.
_LOG_DEPTH = 200


def tariff_id(tariff: Tariff) -> str:
    """The station's name for one revision: ``CODE.rN`` (long codes shortened, still unique)."""
    suffix = f".r{tariff.revision}"
    if len(tariff.code) + len(suffix) <= _TARIFF_ID_MAX:
        return tariff.code + suffix
    digest = f"~{zlib.crc32(tariff.code.encode()):08x}"
    return tariff.code[: _TARIFF_ID_MAX - len(suffix) - len(digest)] + digest + suffix


def station_tariff(tariff: Tariff) -> StationTariff:
    """Our tariff as a station computes with it: each band until the next one starts."""
    bands = tariff.energy_bands
    energy: tuple[EnergyPrice, ...]
    if len(bands) == 1:
        energy = (EnergyPrice(str(bands[0].price_per_kwh)),)
    else:
        energy = tuple(
            EnergyPrice(
                str(band.price_per_kwh),
                band.starts_at.strftime("%H:%M"),
                bands[(i + 1) % len(bands)].starts_at.strftime("%H:%M"),
            )
            for i, band in enumerate(bands)
        )
    return StationTariff(
        tariff_id=tariff_id(tariff),
        currency=tariff.currency,
        description=tariff.name or tariff.code,
        energy=energy,
        fixed_fee=str(tariff.session_fee),
        idle_price_per_minute=str(tariff.idle_fee_per_minute),
        idle_grace_s=tariff.idle_grace_minutes * 60,
        taxes=tuple(TaxRate(t.name, str(t.percent)) for t in tariff.taxes),
        valid_from=tariff.effective_from.isoformat() if tariff.effective_from else "",
    )


@dataclass(frozen=True, slots=True)
class TariffHolding:
    """What one EVSE of a 2.1 station should hold (0: the station-wide default, which EVSEs
    without their own inherit), and what the station last answered."""

    station_id: str
    evse_id: int
    expected: str  # tariff id in force now ("" when no tariff applies)
    sent: str  # tariff id last sent ("" when never)
    status: CommandStatus | None  # its answer (None: never sent)
    at: datetime | None
    error: str = ""

    @property
    def in_sync(self) -> bool:
        answered = self.status is not None and self.status.succeeded
        return bool(self.expected) and self.sent == self.expected and answered


class StationTariffs:
    def __init__(
        self, ctx: ServiceContext, remote: RemoteControl, tariffs: Tariffs, policy: PaymentPolicy
    ) -> None:
        self._ctx = ctx
        self._remote = remote
        self._tariffs = tariffs
        self._policy = policy

    async def on_event(self, event: DomainEvent) -> None:
        """Sent on boot (I07: the station may have lost them) and when a tariff changes."""
        if not self._policy.push_prices:
            return
        if event.topic == "station.booted" and event.data.get("registration") == "accepted":
            # The event carries the booted station: only a 2.1 one costs a read (connect-cost
            # tests count the reads a boot makes).
            booted = event.station
            if (booted is None or _prices(booted)) and await self._holds_tariffs(event.station_id):
                await self.push_station(event.station_id)
        elif event.topic == "tariff.published":
            for station_id in await self._connected_21():
                await self.push_station(station_id)

    async def _holds_tariffs(self, station_id: str) -> bool:
        """A 2.1 station, unless its last answer said it does not implement tariffs (pushed
        again only by an operator's explicit push, not on every boot or publication)."""
        async with self._ctx.uow() as uow:
            station = await uow.stations.get(station_id)
            if station is None or not _prices(station):
                return False
            records = await uow.commands.list(station_id, limit=_LOG_DEPTH)
        refused = [r for r in _last_sent(records).values() if _not_implemented(r)]
        if refused:
            log.info(
                "tariffs not pushed: the station does not implement them",
                extra={"station_id": station_id},
            )
        return not refused

    async def push_station(self, station_id: str) -> list[CommandRecord]:
        """Each EVSE's tariff in force now as its default tariff (2.1 stations only)."""
        async with self._ctx.uow() as uow:
            station = await uow.stations.get(station_id)
            if station is None:
                raise NotFound("station", station_id)
            if not _prices(station):
                raise Conflict(
                    f"station {station_id} does not speak OCPP 2.1: only 2.1"
                    " stations hold tariffs (the CSMS prices the others' sessions)"
                )
            due = await self._in_force(uow, station)
        sent = []
        for evse_id, tariff in due:
            command = SetDefaultTariff(evse_id, station_tariff(tariff))
            sent.append(await self._send(station_id, command))
        return sent

    async def holdings(self) -> list[TariffHolding]:
        """Every EVSE of every 2.1 station: the tariff it should hold and its last answer."""
        out: list[TariffHolding] = []
        async with self._ctx.uow() as uow:
            for station in [s for s in await uow.stations.list() if _prices(s)]:
                due = dict(await self._in_force(uow, station))
                last = _last_sent(await uow.commands.list(station.id, limit=_LOG_DEPTH))
                for evse_id in (0, *(e.evse_id for e in station.evses)):
                    tariff = due.get(evse_id, due.get(0))
                    record = last.get(evse_id, last.get(0))
                    expected = tariff_id(tariff) if tariff else ""
                    out.append(_holding(station.id, evse_id, expected, record))
        return out

    async def get(self, station_id: str, evse_id: int = 0) -> CommandRecord:
        return await self._send(station_id, GetTariffs(evse_id))

    async def clear(
        self, station_id: str, tariff_ids: tuple[str, ...] = (), evse_id: int | None = None
    ) -> CommandRecord:
        return await self._send(station_id, ClearTariffs(tariff_ids, evse_id))

    async def change_for_transaction(self, transaction_id: int, code: str) -> CommandRecord:
        """I10: the station prices the running session with tariff ``code`` from now on.

        The tariff the session is billed by now is sent again as it is (a re-sync of a station
        showing another price). Another tariff (the revision in force now, same currency) is
        sent, and only when the station accepts is the change recorded, at the time of its
        answer: the session is then billed split there (``costing._price_split``), so a
        station never shows one price while we bill another.
        """
        wanted = await self._tariffs.get(code)  # an unknown code is NotFound
        async with self._ctx.uow() as uow:
            tx = await uow.transactions.get(transaction_id)
            if tx is None:
                raise NotFound("transaction", transaction_id)
            if not tx.active:
                raise Conflict(f"transaction {transaction_id} has ended")
            billed = (await schedule_for_transaction(uow, tx)).current
            await uow.commit()  # keeps the pin made for a session that had none
        if billed.code == code:
            command = ChangeTransactionTariff(tx.station_tx_id, station_tariff(billed))
            return await self._send(tx.station_id, command)
        if wanted.currency != billed.currency:
            raise Conflict(
                f"transaction {transaction_id} is billed in {billed.currency}; tariff {code} is"
                f" in {wanted.currency} (a session is billed in one currency)"
            )
        command = ChangeTransactionTariff(tx.station_tx_id, station_tariff(wanted))
        record = await self._send(tx.station_id, command)
        if record.status is not None and record.status.succeeded:
            await self._record_change(tx.id, tx.station_id, wanted, record)
        return record

    async def _record_change(
        self, transaction_id: int, station_id: str, tariff: Tariff, record: CommandRecord
    ) -> None:
        at = record.completed_at or self._ctx.clock.now()
        async with self._ctx.uow() as uow:
            await uow.repository(TARIFF_STORE).add_change(transaction_id, TariffChange(at, tariff))
            change = {
                "transaction_id": transaction_id,
                "tariff_code": tariff.code,
                "tariff_revision": tariff.revision,
                "at": at.isoformat(),  # a field of the event, not its time (stage_event's at=)
            }
            self._ctx.stage(uow, station_id, [("payment.tariff_changed", change)])
            await uow.commit()
        log.info(
            "transaction %s billed by tariff %s from %s on", transaction_id, tariff_id(tariff), at
        )

    async def _send(self, station_id: str, command: StationTariffCommand) -> CommandRecord:
        return await self._remote.send(station_id, command, requested_by=_BY)

    async def _in_force(self, uow: UnitOfWork, station: Station) -> list[tuple[int, Tariff]]:
        """EVSE 0 (the whole station, I07: also EVSEs not reported yet) with the station-wide
        tariff, then each EVSE whose own tariff differs from it."""
        now = self._ctx.clock.now()
        found: list[tuple[int, Tariff]] = []
        for evse_id in (0, *(e.evse_id for e in station.evses)):
            try:
                tariff = await resolve_tariff(uow, station, evse_id, None, now)
            except ForecourtError:
                continue  # no tariff bound there: nothing to hold
            if not found or found[0] != (0, tariff):
                found.append((evse_id, tariff))
        return found

    async def _connected_21(self) -> list[str]:
        async with self._ctx.uow() as uow:
            stations = [s.id for s in await uow.stations.list() if s.connected]
        return [station_id for station_id in stations if await self._holds_tariffs(station_id)]


def _prices(station: Station) -> bool:
    """Stations that hold tariffs: OCPP 2.1."""
    return station.protocol is ProtocolVersion.V21


def _last_sent(records: list[CommandRecord]) -> dict[int, CommandRecord]:
    """The newest SetDefaultTariff per EVSE (records come newest first)."""
    last: dict[int, CommandRecord] = {}
    for record in records:
        if record.kind is CommandKind.SET_DEFAULT_TARIFF:
            last.setdefault(int(record.params.get("evse_id", 0)), record)
    return last


def _not_implemented(record: CommandRecord) -> bool:
    """The station said it has no such message (not merely "rejected this tariff")."""
    if record.status is CommandStatus.NOT_SUPPORTED:
        return True
    error = record.error or ""
    return record.status is CommandStatus.CALL_ERROR and (
        "NotImplemented" in error or "NotSupported" in error
    )


def _holding(
    station_id: str, evse_id: int, expected: str, record: CommandRecord | None
) -> TariffHolding:
    if record is None:
        return TariffHolding(station_id, evse_id, expected, "", None, None)
    return TariffHolding(
        station_id,
        evse_id,
        expected,
        str(record.params.get("tariff", {}).get("tariff_id", "")),
        record.status,
        record.completed_at or record.requested_at,
        record.error,
    )
