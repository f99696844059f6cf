"""API keys through HTTP (admin only)."""

from __future__ import annotations

from forecourt.services.access import Role
from tests.api.conftest import ApiRig


async def test_a_key_is_shown_once_and_works(rig: ApiRig) -> None:
    created = await rig.client.post(
        "/api/api-keys", json={"name": "grafana", "role": "viewer"}, headers=rig.auth()
    )
    key = created.json()["key"]

    listed = await rig.client.get("/api/api-keys", headers=rig.auth())
    used = await rig.client.get("/api/sites", headers={"Authorization": f"Bearer {key}"})

    assert created.status_code == 201
    assert created.json()["role"] == "viewer"
    assert key.startswith(f"fc_{created.json()['prefix']}_")
    grafana = next(k for k in listed.json() if k["name"] == "grafana")
    assert "key" not in grafana
    assert key not in listed.text
    assert used.status_code == 200


async def test_a_key_is_revoked(rig: ApiRig) -> None:
    created = await rig.client.post("/api/api-keys", json={"name": "old"}, headers=rig.auth())
    key_id, key = created.json()["id"], created.json()["key"]

    revoked = await rig.client.delete(f"/api/api-keys/{key_id}", headers=rig.auth())
    used = await rig.client.get("/api/sites", headers={"X-API-Key": key})
    listed = await rig.client.get("/api/api-keys", headers=rig.auth())
    missing = await rig.client.delete("/api/api-keys/999", headers=rig.auth())

    assert revoked.status_code == 204
    assert revoked.content == b""
    assert used.status_code == 401
    assert next(k for k in listed.json() if k["id"] == key_id)["revoked"] is True
    assert missing.status_code == 404
    assert missing.json()["detail"] == "API key 999 not found"


async def test_key_input_is_checked(rig: ApiRig) -> None:
    response = await rig.client.post(
        "/api/api-keys", json={"name": "x", "role": "root"}, headers=rig.auth()
    )

    assert response.status_code == 422
    assert response.json()["errors"][0]["field"] == "role"
    assert "'admin', 'operator', 'technician', 'attendant' or 'viewer'" in response.json()["detail"]


async def test_only_admins_manage_keys(rig: ApiRig) -> None:
    response = await rig.client.delete("/api/api-keys/1", headers=rig.auth(Role.OPERATOR))

    assert response.status_code == 403
    assert response.json()["detail"].startswith("this needs the admin role")
