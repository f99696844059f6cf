"""Site load management: keep each managed site under its grid limit, shared by policy.

Rebalances on session start and stop, on a station connecting or going offline, on a limit
change, and when the meter shows a car taking clearly less than it was given. Each changed
allocation goes to its EVSE as a transaction profile through the core's remote control
(decreases first); the station's answer is kept, and anything but Accepted is an event.
A station drawing more than the profile it accepted is flagged (``smart_charging.exceeded``).

In cluster mode the manager is a leased singleton (ADR 0012): its events go to the node
holding its lease, so a site rebalances on one node at a time (the per-site lock below) and
the meter counters kept in memory see every reading; a retry runs only while the lease holds.
"""

from __future__ import annotations

import asyncio
import dataclasses
import logging
from collections.abc import Callable
from datetime import datetime

from forecourt.domain.charging_profiles import (
    ChargingProfile,
    ChargingSchedule,
    ProfileKind,
    ProfilePurpose,
    RateUnit,
    SchedulePeriod,
    to_watts,
)
from forecourt.domain.commands import CommandStatus, SetChargingProfile
from forecourt.domain.errors import NotFound
from forecourt.domain.events import DomainEvent
from forecourt.ports.car_power import CarPowerSource
from forecourt.ports.events import lease_name
from forecourt.ports.repositories import UnitOfWork
from forecourt.services.context import ServiceContext
from forecourt.services.remote_control import RemoteControl
from forecourt.smart_charging.domain.allocation import (
    Allocation,
    EvseRef,
    Plan,
    Policy,
    Reason,
    changes,
    rebalance,
)
from forecourt.smart_charging.domain.site import LimitSignal, SiteLimit
from forecourt.smart_charging.ports import (
    SMART_CHARGING_STORE,
    Departure,
    EvseSettings,
    ManagedSite,
    SiteEvent,
    StoredAllocation,
)
from forecourt.smart_charging.services import departures, outcome, site_state
from forecourt.smart_charging.services.outcome import Sent
from forecourt.smart_charging.services.site_index import SiteIndex
from forecourt.smart_charging.services.site_state import EvseView
from forecourt.smart_charging.services.site_view import SiteLoad, site_load

log = logging.getLogger("forecourt.smart_charging")

#: Profile ids Forecourt's allocation uses: one per EVSE, replaced on every change.
PROFILE_ID_BASE = 9000
STACK_LEVEL = 1
#: Metered power above the accepted profile by this much, twice in a row, is a violation
#: (once could be the car still ramping down after a decrease).
EXCEED_RATIO = 1.1
EXCEED_MARGIN_W = 500.0
EXCEED_READINGS = 2
TOPICS = (
    *("transaction.", "station.connected", "station.disconnected"),
    *("station.ev_charging_needs", "station.charging_limit"),  # also ..._limit_cleared
)
RETRY_S = 30.0
METER_GAP_S = 10.0
#: A car held at what it took, now drawing this share of it, may take more: offer it.
RISE_RATIO = 0.9
RETRY_ON = frozenset({CommandStatus.REJECTED, CommandStatus.TIMEOUT, CommandStatus.CALL_ERROR})
REBALANCE_ON = frozenset(
    {"transaction.started", "transaction.ended", "station.connected", "station.disconnected"}
    | {"station.ev_charging_needs", "station.charging_limit", "station.charging_limit_cleared"}
)


class LoadManager:
    def __init__(
        self, ctx: ServiceContext, remote: RemoteControl, car_power: CarPowerSource | None = None
    ) -> None:
        self._ctx = ctx
        self._remote = remote
        self._car_power = car_power  # the compatibility engine's view, when installed
        self._locks: dict[str, asyncio.Lock] = {}
        self._over: dict[tuple[EvseRef, str], int] = {}
        self._unsubscribe: list[Callable[[], None]] = []
        self._retries: dict[str, asyncio.TimerHandle] = {}
        self._tasks: set[asyncio.Task[None]] = set()
        #: After a refusal, timeout or CALLERROR, the site rebalances again this much later.
        self.retry_s = RETRY_S
        #: A session ramps up this long before its meter says what the car can take.
        self.settle_s = site_state.SETTLE_S
        #: Meter readings trigger at most one rebalance per site this often (a slow car would
        #: otherwise ask for one per reading).
        self.meter_gap_s = METER_GAP_S
        self._metered_at: dict[str, float] = {}
        self._index = SiteIndex(ctx)
        self._lease = ctx.leases(lease_name(self.on_event))  # the bus's lease of its events

    # -- lifecycle -------------------------------------------------------------------------
    async def start(self) -> None:
        for topic in TOPICS:
            # one node rebalances (the lease holder): sites never rebalance on two at once
            self._unsubscribe.append(self._ctx.bus.subscribe(topic, self.on_event, "leased"))

    async def stop(self) -> None:
        for unsubscribe in self._unsubscribe:
            unsubscribe()
        self._unsubscribe.clear()
        for handle in self._retries.values():
            handle.cancel()
        self._retries.clear()
        for task in list(self._tasks):
            task.cancel()
        await asyncio.gather(*self._tasks, return_exceptions=True)

    # -- operator surface ------------------------------------------------------------------
    async def set_limit(self, limit: SiteLimit, policy: Policy = Policy.FAIR_SHARE) -> Plan:
        limit.validate()
        async with self._ctx.uow() as uow:
            if await uow.sites.get(limit.site_id) is None:
                raise NotFound("site", limit.site_id)
            managed = ManagedSite(limit, policy, self._ctx.clock.now())
            await uow.repository(SMART_CHARGING_STORE).save_site(managed)
            await uow.commit()
        self._index.forget()
        return await self.rebalance(limit.site_id, why="limit changed")

    async def signal(self, site_id: str, signal: LimitSignal) -> Plan:
        """An external limit (demand response) until its end; the base limit stays."""
        managed = await self.site(site_id)
        limit = dataclasses.replace(managed.limit, signal=signal)
        return await self.set_limit(limit, managed.policy)

    async def clear_limit(self, site_id: str) -> None:
        """Stop managing the site (profiles already sent stay until their sessions end)."""
        async with self._ctx.uow() as uow:
            if not await uow.repository(SMART_CHARGING_STORE).delete_site(site_id):
                raise NotFound("managed site", site_id)
            await uow.commit()
        self._index.forget()

    async def set_evse(self, settings: EvseSettings) -> None:
        async with self._ctx.uow() as uow:
            station = await uow.stations.get(settings.ref.station_id)
            if station is None or station.evse(settings.ref.evse_id) is None:
                raise NotFound("EVSE", str(settings.ref))
            await uow.repository(SMART_CHARGING_STORE).save_evse_settings(settings)
            await uow.commit()
        if station.site_id is not None and await self._managed(station.site_id):
            await self.rebalance(station.site_id, why="EVSE settings changed")

    async def site(self, site_id: str) -> ManagedSite:
        managed = await self._managed(site_id)
        if managed is None:
            raise NotFound("managed site", site_id)
        return managed

    async def sites(self) -> list[ManagedSite]:
        async with self._ctx.uow() as uow:
            return await uow.repository(SMART_CHARGING_STORE).sites()

    async def load(self, site_id: str) -> SiteLoad:
        managed = await self.site(site_id)
        async with self._ctx.uow() as uow:
            views = await self._views(uow, managed)
            store = uow.repository(SMART_CHARGING_STORE)
            allocations = await store.allocations(site_id)
            events = await store.events(site_id, 20)
        return site_load(managed, self._ctx.clock.now(), views, allocations, events)

    async def set_departure(self, departure: Departure) -> Plan | None:
        """A driver's or operator's departure and energy need for the running session; the
        car (words or an id) must name one catalogue vehicle when compat is installed."""
        if departure.vehicle and self._car_power is not None:
            departure = dataclasses.replace(
                departure, vehicle=self._car_power.resolve(departure.vehicle)
            )
        site_id = await departures.save(self._ctx, departure)
        if site_id is None or await self._managed(site_id) is None:
            return None
        return await self.rebalance(site_id, why="departure given")

    async def _views(self, uow: UnitOfWork, managed: ManagedSite) -> list[EvseView]:
        now = self._ctx.clock.now()
        return await site_state.gather(uow, managed.limit, now, self.settle_s, self._car_power)

    async def allocations(self, site_id: str) -> list[StoredAllocation]:
        async with self._ctx.uow() as uow:
            return await uow.repository(SMART_CHARGING_STORE).allocations(site_id)

    async def events(self, site_id: str, limit: int = 50) -> list[SiteEvent]:
        async with self._ctx.uow() as uow:
            return await uow.repository(SMART_CHARGING_STORE).events(site_id, limit)

    # -- planning and sending --------------------------------------------------------------
    async def plan(self, site_id: str, now: datetime | None = None) -> Plan:
        """What the allocation would be now, without sending anything."""
        managed = await self.site(site_id)
        async with self._ctx.uow() as uow:
            views = await self._views(uow, managed)
        return _plan(managed, now or self._ctx.clock.now(), views)

    async def rebalance(self, site_id: str, *, why: str = "requested") -> Plan:
        """Plan, send what changed (decreases first), keep the answers. One at a time per
        site: a rebalance asked while one runs waits and then sees the newest state."""
        async with self._locks.setdefault(site_id, asyncio.Lock()):
            managed = await self.site(site_id)
            async with self._ctx.uow() as uow:
                views = {v.state.ref: v for v in await self._views(uow, managed)}
            plan = _plan(managed, self._ctx.clock.now(), list(views.values()))
            sent = await self._send(managed.limit, plan, views)
            await self._keep(managed.limit, plan, views, sent, why)
        if any(s.status in RETRY_ON for s in sent.values()):
            self._retry_later(site_id)
        return plan

    def _retry_later(self, site_id: str) -> None:
        if site_id in self._retries or not self._unsubscribe:
            return  # one retry pending per site; none outside a serving process

        def fire() -> None:
            del self._retries[site_id]
            task = asyncio.create_task(self._retry(site_id))
            self._tasks.add(task)
            task.add_done_callback(self._tasks.discard)

        self._retries[site_id] = asyncio.get_running_loop().call_later(self.retry_s, fire)

    async def _send(
        self, site: SiteLimit, plan: Plan, views: dict[EvseRef, EvseView]
    ) -> dict[EvseRef, Sent]:
        # an allocation held while its station was offline is sent again once it is back:
        # whether the station still has it is not known (nor may the rebalance that saw it
        # return happen to move it)
        previous = {
            ref: view.previous.accepted_w
            for ref, view in views.items()
            if view.previous is not None
            and view.previous.accepted_w is not None
            and view.previous.status != "offline"
            and view.tx is not None
            and view.previous.station_tx_id == view.tx.station_tx_id
        }
        due = [a for a in changes(plan, previous) if views[a.ref].tx is not None]
        decreases = [a for a in due if a.watts < previous.get(a.ref, float("inf"))]
        increases = [a for a in due if a not in decreases]
        sent: dict[EvseRef, Sent] = {}
        for batch in (decreases, increases):  # the site stays under its limit in between
            answers = await asyncio.gather(*(self._send_one(site, a, views[a.ref]) for a in batch))
            sent.update((s.allocation.ref, s) for s in answers)
        return sent

    async def _send_one(self, site: SiteLimit, allocation: Allocation, view: EvseView) -> Sent:
        assert view.tx is not None  # only EVSEs with a session are sent a profile
        limit = site_state.profile_limit(allocation.watts, view, site)
        unit = RateUnit.AMPS if view.ac else RateUnit.WATTS
        phases = len(view.state.phases) if view.ac else None
        period = SchedulePeriod(0, limit, 1 if phases == 1 else None)  # a 1-phase car: say so
        profile = ChargingProfile(
            id=PROFILE_ID_BASE + allocation.ref.evse_id,
            stack_level=STACK_LEVEL,
            purpose=ProfilePurpose.TX,
            kind=ProfileKind.RELATIVE,
            schedule=ChargingSchedule(unit, (period,)),
            station_tx_id=view.tx.station_tx_id,
        )
        command = SetChargingProfile(allocation.ref.evse_id, profile)
        record = await self._remote.send(
            allocation.ref.station_id, command, requested_by="smart-charging"
        )
        watts = to_watts(limit, unit, phases, site.voltage)
        return Sent(Allocation(allocation.ref, watts, allocation.reason), record.status)

    async def _keep(
        self,
        site: SiteLimit,
        plan: Plan,
        views: dict[EvseRef, EvseView],
        sent: dict[EvseRef, Sent],
        why: str,
    ) -> None:
        now = self._ctx.clock.now()
        async with self._ctx.uow() as uow:
            store = uow.repository(SMART_CHARGING_STORE)
            for allocation in plan.allocations:
                view = views[allocation.ref]
                row = outcome.row(site.site_id, allocation, view, sent.get(allocation.ref), now)
                await store.save_allocation(row)
                answer = sent.get(allocation.ref)
                if answer is not None and answer.status is not CommandStatus.ACCEPTED:
                    await store.add_event(outcome.refused(site.site_id, answer, now))
            summary = {
                "why": why,
                "limit_w": plan.limit_w,
                "total_w": plan.total_w,
                "sent": len(sent),
            }
            await store.add_event(SiteEvent(site.site_id, "rebalanced", now, data=summary))
            news = [("smart_charging.rebalanced", {"site_id": site.site_id, **summary})]
            self._ctx.stage(uow, "", news, at=now)
            await uow.commit()

    async def _retry(self, site_id: str) -> None:
        try:
            if await self._lease.held():  # else the holder's own events rebalance the site
                await self.rebalance(site_id, why="retry")
        except NotFound:
            pass  # no longer managed
        except Exception:
            log.exception("smart charging could not retry site %s", site_id)

    # -- reactions -------------------------------------------------------------------------
    async def on_event(self, event: DomainEvent) -> None:
        try:
            await self._react(event)
        except NotFound:
            pass  # the station or site went away meanwhile
        except Exception:
            log.exception("smart charging could not react to %s", event.topic)

    async def _react(self, event: DomainEvent) -> None:
        connected = event.topic == "station.connected"
        site_id = await self._index.site_of(event.station_id, connected=connected)
        if site_id is None:
            return
        topic = event.topic
        if topic in REBALANCE_ON:
            await self.rebalance(site_id, why=topic)
        elif topic == "transaction.updated":
            await self._metered(site_id, event)

    async def _metered(self, site_id: str, event: DomainEvent) -> None:
        """A meter reading: flag a station above its profile; rebalance when a car takes
        clearly less than it was given."""
        power = event.data.get("power_w")
        evse_id = event.data.get("evse_id")
        tx_id = str(event.data.get("station_tx_id", ""))
        if not isinstance(power, int | float) or not isinstance(evse_id, int):
            return
        ref = EvseRef(event.station_id, evse_id)
        async with self._ctx.uow() as uow:
            given = await uow.repository(SMART_CHARGING_STORE).allocation(ref)
        if given is None or given.accepted_w is None or given.station_tx_id != tx_id:
            return
        if await self._exceeded(site_id, ref, tx_id, float(power), given.accepted_w, event.at):
            return
        if not self._settled(event, given) or not self._meter_turn(site_id):
            return
        if site_state.can_take(float(power), given.accepted_w) is not None:
            await self.rebalance(site_id, why="car takes less than allocated")
        elif given.reason is Reason.CAR_LIMIT and power >= given.accepted_w * RISE_RATIO:
            await self.rebalance(site_id, why="car takes all it was given")
        else:
            self._metered_at.pop(site_id, None)  # nothing to do: the next reading may

    def _meter_turn(self, site_id: str) -> bool:
        now = asyncio.get_running_loop().time()
        if now - self._metered_at.get(site_id, -1e9) < self.meter_gap_s:
            return False
        self._metered_at[site_id] = now
        return True

    def _settled(self, event: DomainEvent, given: StoredAllocation) -> bool:
        """The session has ramped up, and its allocation held long enough to be reached."""
        started = event.data.get("started_at")
        if not isinstance(started, str):
            return False
        age = (event.at - datetime.fromisoformat(started)).total_seconds()
        return min(age, (event.at - given.at).total_seconds()) >= self.settle_s

    async def _exceeded(
        self, site_id: str, ref: EvseRef, tx_id: str, power: float, accepted: float, at: datetime
    ) -> bool:
        key = (ref, tx_id)
        if power <= accepted * EXCEED_RATIO + EXCEED_MARGIN_W:
            self._over.pop(key, None)
            return False
        self._over[key] = self._over.get(key, 0) + 1
        if self._over[key] != EXCEED_READINGS:
            return True  # flagged once per run of readings above the profile
        data = {"power_w": power, "accepted_w": accepted, "station_tx_id": tx_id}
        async with self._ctx.uow() as uow:
            event = SiteEvent(site_id, "exceeded", at, ref.station_id, ref.evse_id, data)
            await uow.repository(SMART_CHARGING_STORE).add_event(event)
            exceeded = {"site_id": site_id, "evse_id": ref.evse_id, **data}
            self._ctx.stage(uow, ref.station_id, [("smart_charging.exceeded", exceeded)], at=at)
            await uow.commit()
        return True

    async def _managed(self, site_id: str) -> ManagedSite | None:
        async with self._ctx.uow() as uow:
            return await uow.repository(SMART_CHARGING_STORE).site(site_id)


def _plan(managed: ManagedSite, now: datetime, views: list[EvseView]) -> Plan:
    limit = managed.limit
    states = [v.state for v in views]
    return rebalance(limit.watts_at(now), states, managed.policy, limit.phase_limit())
