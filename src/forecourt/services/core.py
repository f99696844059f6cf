"""Bundles of services: what the protocol edge calls, and what every edge may call."""

from __future__ import annotations

from dataclasses import dataclass

from forecourt.ports.clock import Clock
from forecourt.services.access import ApiKeys
from forecourt.services.authorization import Authorization
from forecourt.services.availability import Availability
from forecourt.services.compatibility import Compatibility
from forecourt.services.context import ServiceContext
from forecourt.services.equipment import Equipment
from forecourt.services.history import TransactionHistory
from forecourt.services.network import Network
from forecourt.services.payments import PaymentServices
from forecourt.services.provisioning import Provisioning
from forecourt.services.reliability import Reliability
from forecourt.services.remote_control import RemoteControl
from forecourt.services.station_records import StationRecords
from forecourt.services.transactions import Transactions
from forecourt.services.users import Users


@dataclass(frozen=True, slots=True)
class CoreServices:
    provisioning: Provisioning
    authorization: Authorization
    availability: Availability
    transactions: Transactions
    records: StationRecords
    clock: Clock


@dataclass(slots=True)
class Services:
    """Everything the edges (OCPP, API, CLI, web) may call."""

    ctx: ServiceContext
    core: CoreServices
    network: Network
    history: TransactionHistory
    api_keys: ApiKeys
    remote: RemoteControl
    users: Users
    compatibility: Compatibility
    equipment: Equipment
    reliability: Reliability
    payments: PaymentServices
