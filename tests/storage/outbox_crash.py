"""A station's StartTransaction, killed (SIGKILL) right after its unit of work committed and
before any subscriber heard of it: the crash the outbox exists for (test_event_outbox.py).

Run as ``python -m tests.storage.outbox_crash DATABASE_URL``; prints the transaction id first.
"""

from __future__ import annotations

import asyncio
import os
import signal
import sys
from collections.abc import Sequence

from forecourt.bootstrap import build_services, open_database
from forecourt.bus.inprocess import InProcessBus
from forecourt.domain.events import DomainEvent
from forecourt.domain.tokens import TokenRecord
from forecourt.ocpp.v16 import ADAPTER
from tests.support.harness import OfflineGateway, make_rig

START = {"connectorId": 1, "idTag": "TAG", "meterStart": 0, "timestamp": "2026-11-21T11:00:00Z"}


def die_if_stored(events: Sequence[DomainEvent]) -> None:
    if any(event.id for event in events):  # committed and durable; delivered to no one yet
        os.kill(os.getpid(), signal.SIGKILL)


async def main(url: str) -> None:
    database = open_database(url)
    await database.migrate()
    services = build_services(database, OfflineGateway(), bus=InProcessBus())
    database.on_committed = die_if_stored  # in place of the relay: the crash point
    await services.network.add_token(TokenRecord("TAG"))
    rig = await make_rig(services, ADAPTER, "CS-1")
    await rig.call("s", "StartTransaction", START)
    sys.stdout.write("not killed\n")  # the test fails on this line


if __name__ == "__main__":
    asyncio.run(main(sys.argv[1]))
