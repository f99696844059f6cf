"""Composition root: the only place that wires adapters (storage, bus, gateway) to services."""

from __future__ import annotations

from forecourt.bus.inprocess import InProcessBus
from forecourt.payments import PaymentAdapters
from forecourt.ports.clock import Clock, SystemClock
from forecourt.ports.station_gateway import StationGateway
from forecourt.services.access import ApiKeys
from forecourt.services.authorization import Authorization
from forecourt.services.availability import Availability
from forecourt.services.compatibility import Compatibility
from forecourt.services.context import Policy, ServiceContext
from forecourt.services.core import CoreServices, Services
from forecourt.services.derates import ReliabilityDerates
from forecourt.services.equipment import Equipment
from forecourt.services.history import TransactionHistory
from forecourt.services.network import Network
from forecourt.services.payments import build_payments
from forecourt.services.provisioning import Provisioning
from forecourt.services.reliability import Reliability
from forecourt.services.remote_control import RemoteControl
from forecourt.services.station_records import StationRecords
from forecourt.services.transactions import Transactions
from forecourt.services.users import Users
from forecourt.settings import Settings
from forecourt.storage.database import Database
from forecourt.storage.reliability_delivery import HttpSmtpTransport


def policy_from(settings: Settings) -> Policy:
    return Policy(
        heartbeat_interval_s=settings.heartbeat_interval,
        pending_retry_interval_s=settings.pending_retry_interval,
        boot_interval_jitter=settings.boot_interval_jitter,
        boot_interval_jitter_window_s=settings.boot_interval_jitter_window,
        registration=settings.registration_policy,
        require_station_password=settings.require_station_password,
        clock_drift_threshold_s=settings.clock_drift_threshold,
        command_timeout_s=settings.call_timeout,
        max_pending_stations=settings.max_pending_stations,
        max_stored_payload_bytes=settings.max_stored_payload_bytes,
    )


def build_services(
    database: Database,
    gateway: StationGateway,
    *,
    policy: Policy | None = None,
    clock: Clock | None = None,
    bus: InProcessBus | None = None,
    payments: PaymentAdapters | None = None,
) -> Services:
    ctx = ServiceContext(
        uow=database.unit_of_work,
        clock=clock or SystemClock(),
        bus=bus or InProcessBus(),
        policy=policy or Policy(),
    )
    transactions = Transactions(ctx)
    core = CoreServices(
        provisioning=Provisioning(ctx),
        authorization=Authorization(ctx),
        availability=Availability(ctx, transactions),
        transactions=transactions,
        records=StationRecords(ctx),
        clock=ctx.clock,
    )
    remote = RemoteControl(ctx, gateway)
    paying = payments or PaymentAdapters()
    reliability = Reliability(ctx, remote, HttpSmtpTransport())
    return Services(
        ctx=ctx,
        core=core,
        network=Network(ctx),
        history=TransactionHistory(ctx),
        api_keys=ApiKeys(ctx),
        remote=remote,
        users=Users(ctx),
        # drivers see today's derates, not just nameplate ratings
        compatibility=Compatibility(ctx, derates=ReliabilityDerates(reliability.monitor)),
        equipment=Equipment(ctx),
        reliability=reliability,
        payments=build_payments(ctx, remote, paying.provider, paying.mailer, paying.policy),
    )
