"""Composition root: the only place that wires adapters (storage, bus, gateway) to services,
with ``app`` and the CLI's runtime. Features plug in through ``forecourt.features``."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

from forecourt.bus.inprocess import InProcessBus
from forecourt.bus.outbox import OutboxRelay
from forecourt.cluster.leases import AdvisoryLeases, asyncpg_dsn
from forecourt.extension import Feature, Host
from forecourt.features import FEATURES, storage_extensions
from forecourt.ports.clock import Clock, SystemClock
from forecourt.ports.contracts import CONTRACTS
from forecourt.ports.events import DeliveringBus
from forecourt.ports.keys import Key
from forecourt.ports.leases import Leases, single_node
from forecourt.ports.session_costs import SESSION_COSTS, STATION_COSTS, StationCost
from forecourt.ports.station_certificates import STATION_CERTIFICATES
from forecourt.ports.station_gateway import StationGateway
from forecourt.ports.station_payments import STATION_PAYMENTS
from forecourt.ports.token_authority import TOKEN_AUTHORITY
from forecourt.services.access import ApiKeys
from forecourt.services.authorization import Authorization
from forecourt.services.availability import Availability
from forecourt.services.configuration_batches import ConfigurationBatches
from forecourt.services.context import Policy, ServiceContext
from forecourt.services.core import CoreServices, FeatureSlot, Services
from forecourt.services.device import DeviceManagement
from forecourt.services.device_reports import DeviceReports
from forecourt.services.drift import DriftWatch
from forecourt.services.equipment import Equipment
from forecourt.services.event_consumers import EventConsumers
from forecourt.services.history import TransactionHistory
from forecourt.services.local_lists import LocalLists
from forecourt.services.maintenance import Maintenance, MaintenanceConfig
from forecourt.services.network import Network
from forecourt.services.password_rotation import PasswordRotation
from forecourt.services.plug_and_charge import PlugAndCharge
from forecourt.services.provisioning import Provisioning
from forecourt.services.remote_control import RemoteControl
from forecourt.services.reservations import Reservations
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


def maintenance_config(settings: Settings | None) -> MaintenanceConfig:
    """Where logs and images go (defaults without settings: a test building services)."""
    if settings is None:
        return MaintenanceConfig()
    local = f"http://{settings.host}:{settings.port}"
    return MaintenanceConfig(
        public_url=settings.maintenance_public_url or local,
        data_dir=settings.data_dir,
        max_log_upload_bytes=settings.max_log_upload_bytes,
        log_upload_ttl_s=settings.log_upload_ttl,
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
    bus: DeliveringBus | None = None,
    settings: Settings | None = None,
    options: Mapping[Key[Any], object] | None = None,
    features: Sequence[Feature[Any]] = FEATURES,
) -> Services:
    """The core's services, and each feature's, built when first asked for.

    ``options`` hand features what a caller chose (e.g. ``PAYMENT_ADAPTERS`` in a test);
    ``settings`` let them build their adapters as ``forecourt serve`` would.
    """
    bus = bus or InProcessBus()
    if database.on_committed is None:
        outbox_relay(database, bus)
    ctx = ServiceContext(
        uow=database.unit_of_work,
        clock=clock or SystemClock(),
        bus=bus,
        policy=policy or Policy(),
        leases=leases_for(settings),
    )
    transactions = Transactions(ctx)
    remote = RemoteControl(ctx, gateway)
    authorization = Authorization(ctx)
    core = CoreServices(
        provisioning=Provisioning(ctx),
        authorization=authorization,
        availability=Availability(ctx, transactions),
        transactions=transactions,
        records=StationRecords(ctx),
        clock=ctx.clock,
        maintenance=Maintenance(ctx, remote, maintenance_config(settings)),
        reservations=Reservations(ctx, remote),
        device=DeviceReports(ctx),
        session_total=lambda transaction_id: _session_total(services, transaction_id),
        plug_and_charge=PlugAndCharge(authorization),
        station_cost=lambda cost: _station_cost(services, cost),
    )
    services = Services(
        ctx=ctx,
        core=core,
        network=Network(ctx),
        history=TransactionHistory(ctx),
        api_keys=ApiKeys(ctx),
        remote=remote,
        passwords=PasswordRotation(ctx, remote),
        configuration=ConfigurationBatches(remote),
        users=Users(ctx),
        equipment=Equipment(ctx),
        local_lists=LocalLists(ctx, remote, gateway),
        device=DeviceManagement(ctx, remote),
        drift=DriftWatch(ctx, remote, fixed_keys),
        consumers=EventConsumers(ctx),
    )
    host = Host(ctx, remote, settings, options or {}, services)
    for feature in features:
        services.add_feature(feature.key, _slot(feature, host), feature.offers)
    core.station_payments.bind(lambda: services.port(STATION_PAYMENTS))
    core.certificates.bind(lambda: services.port(STATION_CERTIFICATES))
    core.plug_and_charge.bind(lambda: services.port(CONTRACTS))
    ctx.token_authority = lambda: services.port(TOKEN_AUTHORITY)
    return services


def leases_for(settings: Settings | None) -> Leases:
    """Who runs the singletons: this process alone, or the holder of a PostgreSQL advisory
    lock in cluster mode (FORECOURT_NATS_URL with a PostgreSQL database; ADR 0012)."""
    if settings is None or settings.nats_url is None:
        return single_node
    if not settings.database_url.startswith("postgresql"):
        return single_node  # SQLite is one process's database: there is no second node
    return AdvisoryLeases(asyncpg_dsn(settings.database_url))


def outbox_relay(
    database: Database, bus: DeliveringBus, *, orphan_after_s: float | None = None
) -> OutboxRelay:
    """Events committed in ``database`` go to ``bus`` (ADR 0012); ``start()`` it once the
    subscribers are in place, to deliver what a crash left in the outbox. ``orphan_after_s``:
    cluster mode, where other nodes' rows in flight share the table."""
    # an in-process bus says when its subscribers are done: only then is a row removed
    # (a JetStream bus: once the stream stored it)
    relay = OutboxRelay(database.unit_of_work, bus.deliver, orphan_after_s=orphan_after_s)
    database.on_committed = relay.committed
    return relay


def fixed_keys(vendor: str, model: str) -> frozenset[str]:
    """Configuration keys a station model refuses to change (the vendor quirk table)."""
    from forecourt.ocpp.quirks import quirks_for

    return quirks_for(vendor, model).fixed_keys


async def _session_total(services: Services, transaction_id: int) -> str | None:
    """Asked at each 2.0.1 Ended: the feature offering prices is resolved then, not at build."""
    costs = services.port(SESSION_COSTS)
    return None if costs is None else await costs.total(transaction_id)


async def _station_cost(services: Services, cost: StationCost) -> None:
    """Asked at each 2.1 Ended carrying ``costDetails``; resolved then, like the total."""
    checks = services.port(STATION_COSTS)
    if checks is not None:
        await checks.check(cost)


def _slot(feature: Feature[Any], host: Host) -> FeatureSlot:
    def ports(built: object) -> dict[Key[Any], object]:
        return dict(feature.ports(built))

    return FeatureSlot(build=lambda: feature.build(host), ports=ports)
