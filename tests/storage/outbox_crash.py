"""A change killed (SIGKILL) right after its unit of work committed and before any subscriber
heard of it: the crash the outbox exists for (test_event_outbox.py). The default scenario is a
station's StartTransaction; the others are the publishers that stage their events the same way
(provisioning, maintenance, payments, availability).

Run as ``python -m tests.storage.outbox_crash DATABASE_URL [SCENARIO]``.
"""

from __future__ import annotations

import asyncio
import os
import signal
import sys
from collections.abc import Callable, Sequence
from datetime import time
from decimal import Decimal

from forecourt.bootstrap import build_services, open_database
from forecourt.bus.inprocess import InProcessBus
from forecourt.domain.events import DomainEvent
from forecourt.domain.tokens import TokenRecord
from forecourt.ocpp.v16 import ADAPTER
from forecourt.payments.domain.tariffs import EnergyBand, Tariff
from forecourt.payments.keys import PAYMENTS
from forecourt.services.core import Services
from forecourt.storage import Database
from tests.support.harness import OfflineGateway, ProtocolRig, make_rig

START = {"connectorId": 1, "idTag": "TAG", "meterStart": 0, "timestamp": "2026-11-21T11:00:00Z"}
BOOT = {"chargePointVendor": "Acme", "chargePointModel": "One"}
TARIFF = Tariff(
    code="CRASH", name="Crash", currency="USD", energy_bands=(EnergyBand(time(0), Decimal("1")),)
)

#: scenario -> the topic of the event its change stages
SCENARIOS = {
    "start_transaction": "transaction.",
    "boot": "station.booted",
    "disconnect": "station.disconnected",
    "firmware_status": "firmware.status",
    "tariff": "tariff.published",
    "status": "connector.status",
}
STATUS = {"connectorId": 1, "errorCode": "NoError", "status": "Faulted"}


async def change(scenario: str, services: Services, rig: ProtocolRig) -> None:
    if scenario == "start_transaction":
        await rig.call("s", "StartTransaction", START)
    elif scenario == "boot":
        await rig.call("b", "BootNotification", BOOT)
    elif scenario == "disconnect":
        await services.core.provisioning.disconnected("CS-1", "gone")
    elif scenario == "status":
        await rig.call("st", "StatusNotification", STATUS)
    elif scenario == "firmware_status":
        await rig.call("f", "FirmwareStatusNotification", {"status": "Installing"})
    else:
        await services.feature(PAYMENTS).tariffs.publish(TARIFF)


async def forget_setup(database: Database) -> None:
    """The setup's own events (``token.changed``) count as delivered: the outbox then holds
    only what the scenario's change stages."""
    async with database.unit_of_work() as uow:
        await uow.outbox.remove([event.id for event in await uow.outbox.pending(100)])
        await uow.commit()


def die_once_stored(topic: str) -> Callable[[Sequence[DomainEvent]], None]:
    """The crash point, in place of the relay: the first commit storing a ``topic`` event
    (a record the same message stored before it is in the outbox too, undelivered)."""

    def die_if_stored(events: Sequence[DomainEvent]) -> None:
        if any(event.id and event.topic.startswith(topic) for event in events):
            os.kill(os.getpid(), signal.SIGKILL)  # committed, durable; delivered to no one

    return die_if_stored


async def main(url: str, scenario: str) -> None:
    database = open_database(url)
    await database.migrate()
    services = build_services(database, OfflineGateway(), bus=InProcessBus())
    await services.network.add_token(TokenRecord("TAG"))
    rig = await make_rig(services, ADAPTER, "CS-1")
    await forget_setup(database)
    database.on_committed = die_once_stored(SCENARIOS[scenario])
    await change(scenario, services, rig)
    sys.stdout.write("not killed\n")  # the test fails on this line


if __name__ == "__main__":
    asyncio.run(main(sys.argv[1], sys.argv[2] if len(sys.argv) > 2 else "start_transaction"))
