"""Bundles of services: what the protocol edge calls, and what every edge may call."""

from __future__ import annotations

from collections.abc import Awaitable, Callable, Iterator
from dataclasses import dataclass, field
from typing import Any, TypeVar

from forecourt.ports.clock import Clock
from forecourt.ports.keys import Key, Missing
from forecourt.ports.session_costs import StationCost
from forecourt.services.access import ApiKeys
from forecourt.services.authorization import Authorization
from forecourt.services.availability import Availability
from forecourt.services.configuration_batches import ConfigurationBatches
from forecourt.services.context import ServiceContext
from forecourt.services.device import DeviceManagement
from forecourt.services.device_reports import DeviceReports
from forecourt.services.drift import DriftWatch
from forecourt.services.equipment import Equipment
from forecourt.services.event_consumers import EventConsumers
from forecourt.services.history import TransactionHistory
from forecourt.services.local_lists import LocalLists
from forecourt.services.maintenance import Maintenance
from forecourt.services.network import Network
from forecourt.services.password_rotation import PasswordRotation
from forecourt.services.plug_and_charge import PlugAndCharge
from forecourt.services.provisioning import Provisioning
from forecourt.services.remote_control import RemoteControl
from forecourt.services.reservations import Reservations
from forecourt.services.station_certificates import StationCertificates
from forecourt.services.station_payments import StationPayments
from forecourt.services.station_records import StationRecords
from forecourt.services.transactions import Transactions
from forecourt.services.users import Users

T = TypeVar("T")


async def _unpriced(_transaction_id: int) -> str | None:
    return None


async def _not_compared(_cost: StationCost) -> None:
    return None  # no feature prices sessions: nothing to compare with


@dataclass(frozen=True, slots=True)
class CoreServices:
    provisioning: Provisioning
    authorization: Authorization
    availability: Availability
    transactions: Transactions
    records: StationRecords
    clock: Clock
    maintenance: Maintenance
    reservations: Reservations
    device: DeviceReports
    #: ISO 15118 contracts; bound to the contracts port by the composition root.
    plug_and_charge: PlugAndCharge
    # The session's price when a feature offers one (ports.session_costs); None: not priced.
    session_total: Callable[[int], Awaitable[str | None]] = field(default=_unpriced)
    #: A 2.1 station's own cost of a session, compared with ours (ports.session_costs).
    station_cost: Callable[[StationCost], Awaitable[None]] = field(default=_not_compared)
    #: OCPP 2.1 direct payments; bound to the payments port by the composition root.
    station_payments: StationPayments = field(default_factory=StationPayments)
    #: Security profile 3 and SignCertificate; bound to the PKI port by the composition root.
    certificates: StationCertificates = field(default_factory=StationCertificates)


@dataclass(slots=True)
class FeatureSlot:
    """How to build one feature's services, and the ports it then offers other features."""

    build: Callable[[], object]
    ports: Callable[[object], dict[Key[Any], object]]
    built: object | None = None


@dataclass(slots=True)
class Services:
    """Everything the edges (OCPP, API, CLI, web) may call.

    Features' services are built on first use (``feature(key)``): a CLI command that lists
    stations never imports, let alone builds, payments or reliability.
    """

    ctx: ServiceContext
    core: CoreServices
    network: Network
    history: TransactionHistory
    api_keys: ApiKeys
    remote: RemoteControl
    passwords: PasswordRotation
    configuration: ConfigurationBatches
    users: Users
    equipment: Equipment
    local_lists: LocalLists
    device: DeviceManagement
    drift: DriftWatch
    consumers: EventConsumers
    _features: dict[Key[Any], FeatureSlot] = field(default_factory=dict)
    _ports: dict[Key[Any], Key[Any]] = field(default_factory=dict)  # port → feature

    def add_feature(
        self, key: Key[Any], slot: FeatureSlot, offers: tuple[Key[Any], ...] = ()
    ) -> None:
        self._features[key] = slot
        for port in offers:
            self._ports[port] = key

    def feature(self, key: Key[T]) -> T:
        """The services of the feature installed under ``key`` (built now if not yet)."""
        slot = self._features.get(key)
        if slot is None:
            raise Missing(key.name, "feature")
        if slot.built is None:
            slot.built = slot.build()
        return slot.built  # type: ignore[return-value]  # built under its own key

    def port(self, key: Key[T]) -> T | None:
        """The port a feature offers under ``key``, or ``None`` when none does."""
        owner = self._ports.get(key)
        if owner is None:
            return None
        built = self.feature(owner)
        return self._features[owner].ports(built).get(key)  # type: ignore[return-value]

    def built_features(self) -> Iterator[tuple[Key[Any], object]]:
        """Features built so far (``serve`` builds them all when it starts)."""
        for key, slot in self._features.items():
            if slot.built is not None:
                yield key, slot.built
