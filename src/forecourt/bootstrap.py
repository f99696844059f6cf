"""Composition root: the only place that wires adapters (storage, bus, gateway) to services,
with ``app`` and the CLI's runtime. Features plug in through ``forecourt.features``."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

from forecourt.bus.inprocess import InProcessBus
from forecourt.extension import Feature, Host
from forecourt.features import FEATURES, storage_extensions
from forecourt.ports.clock import Clock, SystemClock
from forecourt.ports.keys import Key
from forecourt.ports.station_gateway import StationGateway
from forecourt.ports.station_payments import STATION_PAYMENTS
from forecourt.services.access import ApiKeys
from forecourt.services.authorization import Authorization
from forecourt.services.availability import Availability
from forecourt.services.context import Policy, ServiceContext
from forecourt.services.core import CoreServices, FeatureSlot, Services
from forecourt.services.equipment import Equipment
from forecourt.services.history import TransactionHistory
from forecourt.services.network import Network
from forecourt.services.provisioning import Provisioning
from forecourt.services.remote_control import RemoteControl
from forecourt.services.station_records import StationRecords
from forecourt.services.transactions import Transactions
from forecourt.services.users import Users
from forecourt.settings import Settings
from forecourt.storage.database import DEFAULT_SQLITE_SYNCHRONOUS, Database
from forecourt.storage.group_commit import DEFAULT_MAX_DELAY_S, DEFAULT_MAX_UNITS


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


def open_database(
    url: str,
    *,
    sqlite_synchronous: str = DEFAULT_SQLITE_SYNCHRONOUS,
    group_commit_max_delay_s: float = DEFAULT_MAX_DELAY_S,
    group_commit_max_units: int = DEFAULT_MAX_UNITS,
    features: Sequence[Feature[Any]] = FEATURES,
) -> Database:
    """The database at ``url`` with every installed feature's repositories and migrations
    (the options as ``Database.from_url`` takes them: SQLite durability, group commit)."""
    return Database.from_url(
        url,
        sqlite_synchronous=sqlite_synchronous,
        group_commit_max_delay_s=group_commit_max_delay_s,
        group_commit_max_units=group_commit_max_units,
        extensions=storage_extensions(features),
    )


def build_services(
    database: Database,
    gateway: StationGateway,
    *,
    policy: Policy | None = None,
    clock: Clock | None = None,
    bus: InProcessBus | None = None,
    settings: Settings | None = None,
    options: Mapping[Key[Any], object] | None = None,
    features: Sequence[Feature[Any]] = FEATURES,
) -> Services:
    """The core's services, and each feature's, built when first asked for.

    ``options`` hand features what a caller chose (e.g. ``PAYMENT_ADAPTERS`` in a test);
    ``settings`` let them build their adapters as ``forecourt serve`` would.
    """
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
    services = Services(
        ctx=ctx,
        core=core,
        network=Network(ctx),
        history=TransactionHistory(ctx),
        api_keys=ApiKeys(ctx),
        remote=remote,
        users=Users(ctx),
        equipment=Equipment(ctx),
    )
    host = Host(ctx, remote, settings, options or {}, services)
    for feature in features:
        services.add_feature(feature.key, _slot(feature, host), feature.offers)
    core.station_payments.bind(lambda: services.port(STATION_PAYMENTS))
    return services


def _slot(feature: Feature[Any], host: Host) -> FeatureSlot:
    def ports(built: object) -> dict[Key[Any], object]:
        return dict(feature.ports(built))

    return FeatureSlot(build=lambda: feature.build(host), ports=ports)
