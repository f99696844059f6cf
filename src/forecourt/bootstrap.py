"""Composition root: the only place that wires adapters (storage, bus, gateway) to services."""

from __future__ import annotations

from forecourt.bus.inprocess import InProcessBus
from forecourt.ports.clock import Clock, SystemClock
from forecourt.ports.station_gateway import StationGateway
from forecourt.services.access import ApiKeys
from forecourt.services.authorization import Authorization
from forecourt.services.availability import Availability
from forecourt.services.context import Policy, ServiceContext
from forecourt.services.core import CoreServices, Services
from forecourt.services.history import TransactionHistory
from forecourt.services.network import Network
from forecourt.services.provisioning import Provisioning
from forecourt.services.remote_control import RemoteControl
from forecourt.services.station_records import StationRecords
from forecourt.services.transactions import Transactions
from forecourt.settings import Settings
from forecourt.storage.database import Database


def policy_from(settings: Settings) -> Policy:
    return Policy(
        heartbeat_interval_s=settings.heartbeat_interval,
        pending_retry_interval_s=settings.pending_retry_interval,
        registration=settings.registration_policy,
        require_station_password=settings.require_station_password,
        clock_drift_threshold_s=settings.clock_drift_threshold,
        command_timeout_s=settings.call_timeout,
    )


def build_services(
    database: Database,
    gateway: StationGateway,
    *,
    policy: Policy | None = None,
    clock: Clock | None = None,
    bus: InProcessBus | None = None,
) -> Services:
    ctx = ServiceContext(
        uow=database.unit_of_work,
        clock=clock or SystemClock(),
        bus=bus or InProcessBus(),
        policy=policy or Policy(),
    )
    core = CoreServices(
        provisioning=Provisioning(ctx),
        authorization=Authorization(ctx),
        availability=Availability(ctx),
        transactions=Transactions(ctx),
        records=StationRecords(ctx),
        clock=ctx.clock,
    )
    return Services(
        ctx=ctx,
        core=core,
        network=Network(ctx),
        history=TransactionHistory(ctx),
        api_keys=ApiKeys(ctx),
        remote=RemoteControl(ctx, gateway),
    )
