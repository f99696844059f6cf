"""A station's trust store managed over the wire (InstallCertificate, GetInstalledCertificateIds,
DeleteCertificate) from the API and the CLI, and the expiry watch asking for renewals."""

from __future__ import annotations

import asyncio
from typing import Any

import httpx

from forecourt.domain.events import StationEventKind
from tests.pki.conftest import PkiServer, station

HASH = {
    "hashAlgorithm": "SHA256",
    "issuerNameHash": "aa",
    "issuerKeyHash": "bb",
    "serialNumber": "1f",
}


async def test_the_trust_store_is_managed_from_the_api_and_the_cli(pki_server: PkiServer) -> None:
    await pki_server.server.forecourt.services.network.add_station("CS-T")
    chain, key = await pki_server.issue("CS-T")
    root = await pki_server.pki.authority.trust_bundle()
    async with (
        pki_server.api("operator") as api,
        station(pki_server, "CS-T", pki_server.client_tls(chain, key), "ocpp2.0.1") as peer,
    ):
        body = {"anchor": "csms_root", "certificate_pem": root}
        install = asyncio.create_task(api.post("/api/pki/stations/CS-T/trust-store", json=body))
        message_id, action, payload = await peer.receive_call()
        assert (action, payload["certificateType"]) == ("InstallCertificate", "CSMSRootCertificate")
        await peer.answer(message_id, {"status": "Accepted"})
        assert (await install).json()["status"] == "accepted"

        cli = await pki_server.server_cli("technician")
        listed = asyncio.create_task(cli("pki", "trust-store", "list", "CS-T"))
        message_id, action, payload = await peer.receive_call()
        assert (action, payload) == ("GetInstalledCertificateIds", {})
        chain_entry = {"certificateType": "CSMSRootCertificate", "certificateHashData": HASH}
        await peer.answer(
            message_id, {"status": "Accepted", "certificateHashDataChain": [chain_entry]}
        )
        result = await listed
        assert result.exit_code == 0, result.stderr
        assert '"serial_number": "1f"' in result.stdout
        assert '"anchor": "csms_root"' in result.stdout

        hashes = {"hash_algorithm": "SHA256", "issuer_name_hash": "aa", "issuer_key_hash": "bb"}
        body = {**hashes, "serial_number": "1f"}
        delete = asyncio.create_task(
            api.post("/api/pki/stations/CS-T/trust-store/deletion", json=body)
        )
        message_id, action, payload = await peer.receive_call()
        assert (action, payload["certificateHashData"]) == ("DeleteCertificate", HASH)
        await peer.answer(message_id, {"status": "NotFound"})
        deleted = (await delete).json()
        assert (deleted["status"], deleted["result"]) == ("rejected", {"status": "NotFound"})

        bad = await api.post(
            "/api/pki/stations/CS-T/trust-store",
            json={"anchor": "csms_root", "certificate_pem": "not a certificate"},
        )
        assert bad.status_code == 422
        assert "not a PEM certificate" in bad.json()["detail"]


async def test_the_expiry_watch_asks_for_renewal_and_alerts_when_it_cannot(
    pki_server: PkiServer,
) -> None:
    network = pki_server.server.forecourt.services.network
    for station_id in ("CS-SOON", "CS-AWAY", "CS-LATER"):
        await network.add_station(station_id)
    soon = await pki_server.cli.json(
        "pki", "issue", "CS-SOON", "--days", "10", "--out", str(pki_server.tmp_path / "soon")
    )
    await pki_server.cli.ok(
        "pki", "issue", "CS-AWAY", "--days", "5", "--out", str(pki_server.tmp_path / "away")
    )
    await pki_server.cli.ok(
        "pki", "issue", "CS-LATER", "--days", "300", "--out", str(pki_server.tmp_path / "later")
    )
    tls = pki_server.client_tls(
        pki_server.tmp_path / "soon" / "CS-SOON.pem", pki_server.tmp_path / "soon" / "CS-SOON.key"
    )
    async with station(pki_server, "CS-SOON", tls) as peer:
        watch = asyncio.create_task(pki_server.pki.renewal.run_once())
        message_id, action, payload = await peer.receive_call()
        assert (action, payload) == (
            "ExtendedTriggerMessage",
            {"requestedMessage": "SignChargePointCertificate"},
        )
        await peer.answer(message_id, {"status": "Accepted"})
        renewal = await watch
    assert renewal.triggered == ("CS-SOON",)
    assert renewal.failed == ("CS-AWAY",)  # offline: it cannot be asked
    events = await network.station_events("CS-AWAY", None, 10)
    [alert] = [e.data for e in events if e.kind is StationEventKind.SECURITY]
    assert alert["type"] == "CertificateRenewalFailed"
    assert "offline" in alert["techInfo"]
    assert soon["state"] == "valid"


async def test_expiring_and_unrenewed_certificates_reach_the_operators_alerts(
    pki_server: PkiServer,
) -> None:
    """The expiry watch publishes; reliability (no import of the PKI) opens a ticket and
    queues an alert on the operator's route; a newly issued certificate clears it."""
    await pki_server.server.forecourt.services.network.add_station("CS-AWAY")
    await pki_server.cli.ok(
        "pki", "issue", "CS-AWAY", "--days", "5", "--out", str(pki_server.tmp_path / "away")
    )
    async with pki_server.api("admin") as api:
        route = await api.post(
            "/api/reliability/alert-routes",
            json={"channel": "webhook", "target": "http://127.0.0.1:9/hook", "name": "ops"},
        )
        assert route.status_code == 201, route.text
        renewal = await pki_server.pki.renewal.run_once()
        assert renewal.failed == ("CS-AWAY",)
        ticket = await _ticket(api, "CS-AWAY")
        assert ticket["kinds"] == ["certificate"]
        assert ticket["severity"] == "major"  # the failed renewal outranks "expiring soon"
        alerts = (await api.get("/api/reliability/alerts")).json()
        assert [a["tickets"] for a in alerts if a["route_id"] == route.json()["id"]] == [
            [ticket["id"]]
        ]


async def _ticket(api: httpx.AsyncClient, station_id: str) -> dict[str, Any]:
    """The station's ticket once the reliability writer has stored it (it batches)."""
    for _ in range(100):
        page = await api.get("/api/reliability/tickets", params={"station_id": station_id})
        mine = page.json()["items"]
        if mine:
            return dict(mine[0])
        await asyncio.sleep(0.05)
    raise AssertionError(f"no ticket for {station_id}")
