"""What every service needs: storage, time, events, and the operator's policy."""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field
from datetime import datetime
from uuid import uuid4

from forecourt.domain.events import LATEST_WINS_TOPICS, DomainEvent
from forecourt.domain.stations import RegistrationPolicy, Station
from forecourt.ports.clock import Clock
from forecourt.ports.events import EventBus
from forecourt.ports.leases import Leases, single_node
from forecourt.ports.repositories import UnitOfWork, UnitOfWorkFactory
from forecourt.ports.token_authority import TokenAuthority
from forecourt.services.clock_drift import ClockDriftTracker


@dataclass(frozen=True, slots=True)
class Policy:
    heartbeat_interval_s: int = 300
    pending_retry_interval_s: int = 60
    boot_interval_jitter: float = 0.0  # fraction an interval given at boot may be cut by
    boot_interval_jitter_window_s: float = 0.0  # ... during this long after start-up
    registration: RegistrationPolicy = RegistrationPolicy.STRICT
    require_station_password: bool = False
    clock_drift_threshold_s: float = 60.0
    command_timeout_s: float = 30.0
    max_pending_stations: int = 1000  # self-registered stations awaiting approval
    max_stored_payload_bytes: int = 16384  # station payloads kept as records


@dataclass(slots=True)
class ServiceContext:
    uow: UnitOfWorkFactory
    clock: Clock
    bus: EventBus
    policy: Policy = field(default_factory=Policy)
    leases: Leases = single_node  # singletons: which node runs them (ports/leases.py)
    drift: ClockDriftTracker = field(init=False)
    #: Who else issues tokens (a roaming feature), bound once features are built.
    token_authority: Callable[[], TokenAuthority | None] = field(default=lambda: None)

    def __post_init__(self) -> None:
        self.drift = ClockDriftTracker(self.policy.clock_drift_threshold_s)

    async def notify(self, topic: str, station_id: str, **data: object) -> None:
        """A fact with no database change of its own (an authorization answered, a
        certificate about to expire): staged in a unit of work of its own, so it goes through
        the outbox like every event (stored, delivered after the commit, delivered again after
        a crash). An event of a change is staged in that change's unit of work instead
        (``stage_event``): there is no path that publishes after a commit (ADR 0012)."""
        async with self.uow() as uow:
            self.stage(uow, station_id, [(topic, data)])
            await uow.commit()

    def stage(
        self,
        uow: UnitOfWork,
        station_id: str,
        news: Iterable[tuple[str, Mapping[str, object]]],
        *,
        snapshot: Station | None = None,
        at: datetime | None = None,
    ) -> None:
        """Events of the change ``uow`` is making: stored with its commit and published once
        it is durable, so a crash in between loses none (ports/outbox.py, ADR 0012). A unit
        of work that does not commit publishes nothing. ``snapshot``: the station as the
        publisher just read or wrote it (``event.station``; live delivery only: an event
        delivered after a crash comes without it); ``at``: when it happened, if not now (a
        station's reading)."""
        now = at or self.clock.now()
        for topic, data in news:
            event_id = "" if topic in LATEST_WINS_TOPICS else uuid4().hex  # "": not stored
            event = DomainEvent(topic, station_id, now, dict(data), id=event_id, station=snapshot)
            uow.outbox.add(event)

    def stage_event(
        self,
        uow: UnitOfWork,
        topic: str,
        station_id: str,
        snapshot: Station | None = None,
        *,
        at: datetime | None = None,
        **data: object,
    ) -> None:
        """One event of the change ``uow`` is making (``stage``): call it before the commit."""
        self.stage(uow, station_id, [(topic, data)], snapshot=snapshot, at=at)
