"""One charging session from plug-in to unplug, independent of the OCPP version.

    plug in ─▶ authorize ─▶ transaction started ─▶ meter ticks … ─▶ transaction ended ─▶ unplug

Every step that talks to the CSMS is a :class:`~forecourt.simulator.dialect.Dialect` hook.
Wall-clock timestamps stay real; only the energy per tick is scaled by ``config.speed``.
"""

from __future__ import annotations

import asyncio
import contextlib

from forecourt.simulator import physics, smart_charging
from forecourt.simulator.host import StationHost
from forecourt.simulator.session import ChargingSession, ConnectorStatus, StopCause

RAMP_S = 20.0  # vehicle-time seconds to full power (cable check, pre-charge)
IDLE_TICK_S = 1.0  # integration tick when MeterValueSampleInterval is 0 (sampling off)


async def run_session(station: StationHost, session: ChargingSession) -> None:
    try:
        await _plug_in_and_charge(station, session)
    finally:
        await station.finish_session(session)
        session.ended.set()


async def _plug_in_and_charge(station: StationHost, session: ChargingSession) -> None:
    dialect = station.dialect
    await station.set_status(session.evse, ConnectorStatus.PREPARING)
    session.charge.reading = _reading(session)
    await dialect.plugged_in(session)
    await _authorize(station, session)
    if not session.stop_requested.is_set():
        await dialect.transaction_started(session)
        await station.set_status(session.evse, ConnectorStatus.CHARGING)
        session.charging.set()
        station.emit(f"EVSE {session.evse_id}: charging {session.vehicle.name}")
        await _charge(station, session)
    await dialect.transaction_ended(session)
    if session.transaction_open:
        await station.set_status(session.evse, ConnectorStatus.FINISHING)
    station.emit(
        f"EVSE {session.evse_id}: ended ({session.stop_cause}), {session.energy_wh:.0f} Wh"
    )
    await station.pause()  # the driver walks back and unplugs


async def _authorize(station: StationHost, session: ChargingSession) -> None:
    if session.remote and station.settings.keys["AuthorizeRemoteTxRequests"].current() != "true":
        return  # the CSMS already authorized it (AuthorizeRemoteTxRequests = false)
    await station.pause()
    if station.faults.card_reader_dead and not session.remote:
        await station.pause(3)
        session.request_stop(StopCause.CARD_NOT_READ)
    elif not await station.dialect.authorize(session):
        session.request_stop(StopCause.NOT_AUTHORIZED)


async def _charge(station: StationHost, session: ChargingSession) -> None:
    if session.evse.config.faults.latch_failure:
        await _wait(session.stop_requested, 2 * station.config.think_time_s)
        session.request_stop(StopCause.LATCH_FAILURE)
        return
    loop = asyncio.get_running_loop()
    last = loop.time()
    while True:
        interval = station.meter_interval()
        stopped = await _wait(session.stop_requested, interval or IDLE_TICK_S)
        now = loop.time()
        _advance(
            session, (now - last) * station.config.speed, smart_charging.cap_w(station, session)
        )
        last = now
        if stopped:
            return
        if session.soc >= session.vehicle.target_soc:
            session.request_stop(StopCause.TARGET_SOC_REACHED)
            return
        if interval:
            await station.dialect.meter_sample(session)


def _advance(session: ChargingSession, vehicle_s: float, limit_w: float | None = None) -> None:
    evse = session.evse
    metered_wh = physics.advance(
        session.charge, session.vehicle, evse.config, vehicle_s, ramp_s=RAMP_S, limit_w=limit_w
    )
    evse.register_wh += metered_wh


def _reading(session: ChargingSession) -> physics.PowerReading:
    charge = session.charge
    return physics.power_at(
        session.vehicle, session.evse.config, charge.soc, charge.elapsed_s, ramp_s=RAMP_S
    )


async def _wait(event: asyncio.Event, timeout: float) -> bool:
    with contextlib.suppress(TimeoutError):
        await asyncio.wait_for(event.wait(), timeout)
    return event.is_set()
