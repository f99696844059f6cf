"""Security profile 3 over real mutual TLS on loopback (OCPP 2.0.1 A00, 1.6 security
whitepaper): the station's certificate names it, is in date, not revoked, and from our CA."""

from __future__ import annotations

import ssl
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from websockets.exceptions import InvalidMessage, InvalidStatus

from forecourt.domain.certificates import CertificateUse
from forecourt.domain.events import StationEventKind
from forecourt.pki.services import crypto
from tests.e2e.conftest import basic_auth
from tests.pki.conftest import ORGANIZATION, SECRET, PkiServer, station


async def _security_events(server: PkiServer, station_id: str) -> list[dict[str, object]]:
    events = await server.server.forecourt.services.network.station_events(station_id, None, 50)
    return [e.data for e in events if e.kind is StationEventKind.SECURITY]


async def _refused(server: PkiServer, station_id: str, tls: ssl.SSLContext, **kw: object) -> int:
    with pytest.raises(InvalidStatus) as refused:
        async with station(server, station_id, tls, **kw):  # type: ignore[arg-type]
            pass
    return refused.value.response.status_code


async def test_the_right_certificate_connects_without_a_password(pki_server: PkiServer) -> None:
    network = pki_server.server.forecourt.services.network
    await network.add_station("CS-A", password="a-password-nobody-sends")
    await pki_server.pki.stations.set_profile("CS-A", 3)
    chain, key = await pki_server.issue("CS-A")
    async with station(pki_server, "CS-A", pki_server.client_tls(chain, key)) as peer:
        assert (await peer.call("Heartbeat", {}))["currentTime"]
    assert await _security_events(pki_server, "CS-A") == []


async def test_a_certificate_of_a_never_connects_as_b(pki_server: PkiServer) -> None:
    network = pki_server.server.forecourt.services.network
    await network.add_station("CS-A")
    await network.add_station("CS-B")
    chain, key = await pki_server.issue("CS-A")
    status = await _refused(pki_server, "CS-B", pki_server.client_tls(chain, key))
    assert status == 403
    [event] = await _security_events(pki_server, "CS-B")
    assert event["type"] == "InvalidChargingStationCertificate"
    assert "'CS-A' is not the station identity 'CS-B'" in str(event["techInfo"])


async def test_a_revoked_certificate_is_refused(pki_server: PkiServer) -> None:
    await pki_server.server.forecourt.services.network.add_station("CS-R")
    chain, key = await pki_server.issue("CS-R")
    [issued] = await pki_server.cli.json("pki", "list", "--station", "CS-R")
    revoked = await pki_server.cli.json("pki", "revoke", issued["serial"], "--reason", "stolen")
    assert revoked["state"] == "revoked"
    assert await _refused(pki_server, "CS-R", pki_server.client_tls(chain, key)) == 403
    [event] = await _security_events(pki_server, "CS-R")
    assert f"certificate {issued['serial']} revoked" in str(event["techInfo"])


async def test_an_expired_certificate_is_refused_with_a_security_event(
    pki_server: PkiServer, tmp_path: Path
) -> None:
    """TLS verifies the chain but not the dates, so an expired certificate reaches the
    gateway: it is refused there, and the station's record says why."""
    await pki_server.server.forecourt.services.network.add_station("CS-X")
    signer = await pki_server.pki.authority.signer(CertificateUse.CHARGING_STATION)
    key = crypto.new_key()
    long_ago = datetime.now(UTC) - timedelta(days=400)
    expired = crypto.issue(
        key.public_key(),
        crypto.Subject("CS-X", ORGANIZATION),
        CertificateUse.CHARGING_STATION,
        signer,
        SECRET.encode(),
        long_ago,
        days=30,
    )
    chain, key_file = tmp_path / "expired.pem", tmp_path / "expired.key"
    chain.write_text(crypto.pem(expired) + signer.certificate_pem)
    key_file.write_text(crypto.plain_key(key))
    assert await _refused(pki_server, "CS-X", pki_server.client_tls(chain, key_file)) == 403
    [event] = await _security_events(pki_server, "CS-X")
    assert "valid" in str(event["techInfo"])
    assert event["type"] == "InvalidChargingStationCertificate"


async def test_a_certificate_from_another_ca_fails_the_tls_handshake(
    pki_server: PkiServer, tmp_path: Path
) -> None:
    await pki_server.server.forecourt.services.network.add_station("CS-F")
    foreign = crypto.new_authority(crypto.Subject("Elsewhere CA", ""), datetime.now(UTC), 30, b"x")
    key = crypto.new_key()
    leaf = crypto.issue(
        key.public_key(),
        crypto.Subject("CS-F", ORGANIZATION),
        CertificateUse.CHARGING_STATION,
        foreign,
        b"x",
        datetime.now(UTC),
        days=30,
    )
    chain, key_file = tmp_path / "foreign.pem", tmp_path / "foreign.key"
    chain.write_text(crypto.pem(leaf) + foreign.certificate_pem)
    key_file.write_text(crypto.plain_key(key))
    # TLS 1.3: the client finishes first, the server's alert then ends the connection
    with pytest.raises((ssl.SSLError, OSError, InvalidMessage)):
        async with station(pki_server, "CS-F", pki_server.client_tls(chain, key_file)):
            pass
    assert await _security_events(pki_server, "CS-F") == []  # never reached the gateway


async def test_profile_3_refuses_a_password_and_profiles_never_silently_go_down(
    pki_server: PkiServer,
) -> None:
    await pki_server.server.forecourt.services.network.add_station("CS-P", password="pw-123456789")
    auth = basic_auth("CS-P", "pw-123456789")
    async with station(pki_server, "CS-P", pki_server.client_tls(), headers=auth):
        pass  # profile 1 by default: the password over TLS is enough
    await pki_server.cli.ok("pki", "profile", "CS-P", "3", "--require-now")
    assert await _refused(pki_server, "CS-P", pki_server.client_tls(), headers=auth) == 403
    [event] = await _security_events(pki_server, "CS-P")
    assert "profile 3 requires a TLS client certificate" in str(event["techInfo"])
    down = await pki_server.cli("pki", "profile", "CS-P", "2", "--require-now")
    assert down.exit_code == 2
    assert "downgrade" in down.stderr
    assert (await pki_server.cli.json("pki", "profile", "CS-P"))["security_profile"] == 3
    await pki_server.cli.ok("pki", "profile", "CS-P", "2", "--allow-downgrade", "--require-now")
    async with station(pki_server, "CS-P", pki_server.client_tls(), headers=auth):
        pass
