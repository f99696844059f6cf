"""The simulator on security profile 3: it connects with its client certificate, answers a
renewal trigger with a CSR, installs the signed chain and connects with it next time."""

from __future__ import annotations

import asyncio

import pytest
from cryptography import x509

from forecourt.pki.services import crypto
from forecourt.simulator import SimulatedStation, StationConfig
from tests.pki.conftest import ORGANIZATION, PkiServer


@pytest.mark.parametrize("protocol", ["1.6", "2.0.1"])
async def test_a_simulated_station_renews_its_certificate(
    pki_server: PkiServer, protocol: str
) -> None:
    station_id = f"SIM-TLS-{protocol.replace('.', '')}"
    await pki_server.server.forecourt.services.network.add_station(station_id)
    await pki_server.pki.stations.set_profile(station_id, 3)
    chain, key = await pki_server.issue(station_id)
    config = StationConfig(
        station_id=station_id,
        protocol=protocol,  # type: ignore[arg-type]
        url=f"wss://127.0.0.1:{pki_server.server.port}/ocpp",
        client_cert=str(chain),
        client_key=str(key),
        ca_file=str(pki_server.server_certificate),
        organization=ORGANIZATION,
        think_time_s=0.05,
    )
    simulated = SimulatedStation(config, seed=1)
    await simulated.start()
    try:
        await simulated.wait_ready(30)
        async with pki_server.api() as api:
            body = {"kind": "trigger_message", "message": "sign_certificate"}
            triggered = await api.post(f"/api/stations/{station_id}/commands", json=body)
        assert triggered.json()["status"] == "accepted"
        for _ in range(100):
            issued = await pki_server.pki.authority.certificates(station_id)
            installed = x509.load_pem_x509_certificates(chain.read_bytes())[0]
            if len(issued) == 2 and crypto.serial_hex(installed) == issued[0].serial:
                break
            await asyncio.sleep(0.1)
        else:
            raise AssertionError("the renewed certificate never reached the station")
    finally:
        await simulated.stop()
    again = SimulatedStation(config, seed=2)  # the renewed files
    await again.start()
    try:
        await again.wait_ready(30)
    finally:
        await again.stop()
