"""Forecourt switching a station's security profile (A05 / 1.6 whitepaper) over real mutual
TLS: the switch goes to the station, the upgrade is a target until the station reconnects
meeting it, and a downgrade is never silent."""

from __future__ import annotations

import asyncio
import json

from tests.e2e.conftest import basic_auth
from tests.pki.conftest import PkiServer, station
from tests.pki.test_mtls import _refused, _security_events


async def test_a_station_goes_from_profile_2_to_3_once_it_reconnects_with_its_certificate(
    pki_server: PkiServer,
) -> None:
    network = pki_server.server.forecourt.services.network
    await network.add_station("CS-U", password="pw-upgrade-12345")
    auth = basic_auth("CS-U", "pw-upgrade-12345")
    await pki_server.cli.ok("pki", "profile", "CS-U", "2", "--require-now")
    chain, key = await pki_server.issue("CS-U")
    cli = await pki_server.server_cli()

    async with station(pki_server, "CS-U", pki_server.client_tls(), headers=auth) as peer:
        switch = asyncio.create_task(cli("pki", "profile", "CS-U", "3"))
        message_id, action, payload = await peer.receive_call()
        assert (action, payload) == (
            "ChangeConfiguration",
            {"key": "SecurityProfile", "value": "3"},
        )
        await peer.answer(message_id, {"status": "Accepted"})
        result = await switch
    assert result.exit_code == 0, (result.stdout, result.stderr)
    answer = json.loads(result.stdout)
    assert (answer["security_profile"], answer["target_profile"]) == (2, 3)

    # not switched yet (a password again): still admitted on 2, the target kept
    async with station(pki_server, "CS-U", pki_server.client_tls(), headers=auth):
        pass
    shown = await pki_server.cli.json("pki", "profile", "CS-U")
    assert (shown["security_profile"], shown["target_profile"]) == (2, 3)

    async with station(pki_server, "CS-U", pki_server.client_tls(chain, key)):
        pass  # the client certificate: the station is on profile 3 now
    shown = await pki_server.cli.json("pki", "profile", "CS-U")
    assert (shown["security_profile"], shown["target_profile"]) == (3, None)
    assert await _refused(pki_server, "CS-U", pki_server.client_tls(), headers=auth) == 403
    assert "profile 3 requires" in str((await _security_events(pki_server, "CS-U"))[-1])

    down = await cli("pki", "profile", "CS-U", "2")  # refused before anything is sent
    assert down.exit_code != 0
    assert "downgrade" in down.stdout + down.stderr


async def test_a_switch_the_station_rejects_changes_nothing_on_2_0_1(pki_server: PkiServer) -> None:
    await pki_server.server.forecourt.services.network.add_station(
        "CS-R", password="pw-rejects-123"
    )
    auth = basic_auth("CS-R", "pw-rejects-123")
    cli = await pki_server.server_cli()
    async with station(
        pki_server, "CS-R", pki_server.client_tls(), protocol="ocpp2.0.1", headers=auth
    ) as peer:
        switch = asyncio.create_task(cli("pki", "profile", "CS-R", "2"))
        message_id, action, payload = await peer.receive_call()
        assert action == "SetVariables"
        [item] = payload["setVariableData"]
        assert (item["component"]["name"], item["variable"]["name"], item["attributeValue"]) == (
            "SecurityCtrlr", "SecurityProfile", "2"
        )  # fmt: skip
        result = {"attributeStatus": "Rejected", **{k: item[k] for k in ("component", "variable")}}
        await peer.answer(message_id, {"setVariableResult": [result]})
        rejected = await switch
    assert rejected.exit_code == 1
    shown = await pki_server.cli.json("pki", "profile", "CS-R")
    assert (shown["security_profile"], shown["target_profile"]) == (1, None)
