"""Simulated cars over real OCPP: one presents its contract certificate (Plug & Charge, on 1.6
through the OCA wrapper), one its MAC (Autocharge, 1.6 "VID:" idTag); both charge, and the
transactions carry the eMAID and the normalised MAC as their token."""

from __future__ import annotations

import pytest

from forecourt.domain.transactions import Transaction
from forecourt.plug_and_charge.testpki.generator import CONTRACTS, GeneratedPki
from forecourt.ports.repositories import TransactionFilter
from forecourt.simulator import SimulatedStation, StationConfig
from forecourt.simulator.config import ac_post
from tests.e2e.conftest import PASSWORD, STATION
from tests.plug_and_charge.conftest import AUTOCHARGE_MAC
from tests.support.server import RunningServer
from tests.web.conftest import FAST


async def _charge(server: RunningServer, protocol: str, **session: str) -> list[Transaction]:
    config = StationConfig(
        STATION, protocol, url=server.ws_url, password=PASSWORD, evses=[ac_post()], **FAST
    )  # type: ignore[arg-type]
    station = SimulatedStation(config, seed=3)
    await station.start()
    try:
        await station.wait_ready(30)
        started = station.start_session(1, **session)  # type: ignore[arg-type]
        assert started is not None
        await started.wait_charging(30)
        await station.stop_session(1, timeout=30)
    finally:
        await station.stop(timeout=3.0)
    async with server.forecourt.services.ctx.uow() as uow:
        return await uow.transactions.list(TransactionFilter(station_id=STATION))


@pytest.mark.parametrize("protocol", ["1.6", "2.0.1"])
async def test_a_car_with_a_contract_charges(
    server: RunningServer, pki: GeneratedPki, protocol: str
) -> None:
    found = await _charge(
        server,
        protocol,
        id_token=CONTRACTS["valid"],
        id_token_type="eMAID",
        contract_certificate=pki.contract_chain("valid"),
    )
    assert [t.id_token for t in found] == [CONTRACTS["valid"]]


async def test_a_revoked_contract_never_starts(server: RunningServer, pki: GeneratedPki) -> None:
    config = StationConfig(
        STATION, "1.6", url=server.ws_url, password=PASSWORD, evses=[ac_post()], **FAST
    )  # type: ignore[arg-type]
    station = SimulatedStation(config, seed=4)
    await station.start()
    try:
        await station.wait_ready(30)
        session = station.start_session(
            1,
            id_token=CONTRACTS["revoked"],
            contract_certificate=pki.contract_chain("revoked"),
        )
        assert session is not None
        await session.wait_ended(30)
    finally:
        await station.stop(timeout=3.0)
    async with server.forecourt.services.ctx.uow() as uow:
        assert await uow.transactions.list(TransactionFilter(station_id=STATION)) == []


@pytest.mark.parametrize(
    ("protocol", "token", "kind"),
    [("1.6", "VID:001A2B3C4D5E", "ISO14443"), ("2.0.1", "00:1a:2b:3c:4d:5e", "MacAddress")],
)
async def test_an_autocharge_car_charges(
    server: RunningServer, protocol: str, token: str, kind: str
) -> None:
    found = await _charge(server, protocol, id_token=token, id_token_type=kind)
    assert [t.id_token for t in found] == [AUTOCHARGE_MAC]
