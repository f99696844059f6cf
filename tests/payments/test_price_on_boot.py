"""A booting station is sent its price: the display uses the station the boot event carries
(it no longer reads it again), and must still find its EVSEs and tariff there."""

from __future__ import annotations

import asyncio

from tests.payments.raw16 import raw16
from tests.support.server import RunningServer

AVAILABLE = {"connectorId": 1, "errorCode": "NoError", "status": "Available"}


async def test_a_rebooting_station_is_sent_its_default_price(server: RunningServer) -> None:
    async with raw16(server.ws_url, "PAY-16") as station:  # first boot: no EVSE known yet
        await station.call("StatusNotification", AVAILABLE)
    async with raw16(server.ws_url, "PAY-16") as station:  # boots again, with its EVSE
        for _ in range(50):  # bounded: the price is sent right after the boot
            keys = [p.get("key") for a, p in station.received if a == "ChangeConfiguration"]
            if keys:
                break
            await station.call("Heartbeat", {})  # reads (and answers) what the CSMS sent
            await asyncio.sleep(0.05)
    assert keys == ["DefaultPrice"], station.received
