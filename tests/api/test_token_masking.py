"""Token values are personal data: one rule (``services.access.shown_token``) for the API and
the dashboard. Viewer keys see the last 4 characters; technicians and above see them whole."""

from __future__ import annotations

from datetime import UTC, datetime

from forecourt.domain.tokens import TokenRecord
from forecourt.services.access import Role
from tests.api.conftest import ApiRig, start_transaction

T0 = datetime(2026, 11, 21, 10, 0, tzinfo=UTC)
CARD = "04A1B2C3D4"


async def test_viewer_keys_see_masked_tokens_everywhere(rig: ApiRig) -> None:
    await rig.services.network.add_station("CS-1")
    await rig.services.network.add_token(TokenRecord(CARD))
    tx_id = await start_transaction(rig, "CS-1", CARD, T0)
    viewer, technician = rig.auth(Role.VIEWER), rig.auth(Role.TECHNICIAN)
    for headers, expected in ((viewer, "••••C3D4"), (technician, CARD)):
        tokens = (await rig.client.get("/api/tokens", headers=headers)).json()
        assert [t["value"] for t in tokens] == [expected]
        one = await rig.client.get(f"/api/tokens/{CARD}", headers=headers)
        assert one.json()["value"] == expected
        listed = (await rig.client.get("/api/transactions", headers=headers)).json()
        assert [t["id_token"] for t in listed["items"]] == [expected]
        detail = await rig.client.get(f"/api/transactions/{tx_id}", headers=headers)
        assert detail.json()["id_token"] == expected
    assert CARD not in (await rig.client.get("/api/transactions", headers=viewer)).text


async def test_viewer_keys_see_masked_tokens_in_the_command_log(rig: ApiRig) -> None:
    await rig.services.network.add_station("CS-1")  # offline: the command is still recorded
    start = {"kind": "remote_start", "id_token": CARD, "evse_id": 1}
    sent = await rig.client.post(
        "/api/stations/CS-1/commands", json=start, headers=rig.auth(Role.TECHNICIAN)
    )
    assert sent.json()["params"]["id_token"] == CARD
    for path in ("/api/stations/CS-1/commands", f"/api/commands/{sent.json()['id']}"):
        seen = await rig.client.get(path, headers=rig.auth(Role.VIEWER))
        assert CARD not in seen.text
        assert "••••C3D4" in seen.text
