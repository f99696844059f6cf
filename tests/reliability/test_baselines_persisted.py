"""Detector baselines survive a restart (issue 13): what the detectors learned from a
station's sessions over a real websocket is stored and restored, not relearned."""

from __future__ import annotations

from pathlib import Path

from forecourt.domain.stations import Site
from forecourt.domain.tokens import TokenKind, TokenRecord
from forecourt.reliability.domain.baselines import StationBaseline
from forecourt.reliability.keys import RELIABILITY
from forecourt.services.core import Services
from tests.reliability.conftest import CARD, CARD_2, FAST, SITE, add_dc_station, charge, simulated
from tests.support.server import running_server

SETTINGS = {"call_timeout": 3.0, "heartbeat_interval": 10, "ws_ping_interval": 300.0}


def learned(services: Services, station_id: str) -> StationBaseline:
    watch = services.feature(RELIABILITY).monitor.watch(station_id)
    assert watch is not None
    return watch.baseline()


async def test_what_the_detectors_learned_is_restored_after_a_restart(tmp_path: Path) -> None:
    async with running_server(tmp_path, **SETTINGS) as first:
        services = first.forecourt.services
        await services.feature(RELIABILITY).config.set_thresholds(None, FAST)
        await services.network.add_site(Site(SITE, "Test forecourt", timezone="UTC"))
        for token in (CARD, CARD_2):
            await services.network.add_token(TokenRecord(token, TokenKind.RFID))
        await add_dc_station(services, "CS-LEARN")
        async with simulated(first, "CS-LEARN", "1.6") as station:
            for token in (CARD, CARD_2):
                await charge(station, token=token)
        before = learned(services, "CS-LEARN")
    port = before.ports[1]
    assert port.sessions == 2
    assert port.best_peak_w > 100_000  # a 150 kW dispenser's sessions
    assert port.last_start is not None
    assert before.other_sessions + before.reader_sessions == 2

    async with running_server(tmp_path, **SETTINGS) as second:
        after = learned(second.forecourt.services, "CS-LEARN")
    assert after == before
