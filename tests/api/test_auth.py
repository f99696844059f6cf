"""API keys in headers, and what each role may do."""

from __future__ import annotations

import pytest

from forecourt.services.access import Role
from tests.api.conftest import ApiRig


def assert_problem(body: dict[str, object], status: int, path: str) -> None:
    assert body["status"] == status
    assert body["instance"] == path
    assert isinstance(body["title"], str)
    assert isinstance(body["detail"], str)
    assert isinstance(body["type"], str)


async def test_a_missing_key_is_401_problem_json_with_a_challenge(rig: ApiRig) -> None:
    response = await rig.client.get("/api/sites")

    assert response.status_code == 401
    assert response.headers["content-type"] == "application/problem+json"
    assert response.headers["www-authenticate"] == "Bearer"
    body = response.json()
    assert_problem(body, 401, "/api/sites")
    assert body["type"] == "urn:forecourt:problem:unauthorized"
    assert "Authorization: Bearer" in body["detail"]


@pytest.mark.parametrize(
    "headers",
    [
        {"Authorization": "Bearer fc_00000000_not-a-real-key"},
        {"Authorization": "Bearer garbage"},
        {"X-API-Key": "fc_12345678_guessed"},
    ],
)
async def test_an_unknown_key_is_401(rig: ApiRig, headers: dict[str, str]) -> None:
    response = await rig.client.get("/api/sites", headers=headers)

    assert response.status_code == 401
    assert response.json()["detail"] == "the API key is not valid (unknown or revoked)"


async def test_the_x_api_key_header_works_too(rig: ApiRig) -> None:
    response = await rig.client.get("/api/sites", headers={"X-API-Key": rig.keys[Role.VIEWER]})

    assert response.status_code == 200
    assert response.json() == []


async def test_a_revoked_key_stops_working(rig: ApiRig) -> None:
    key, record = await rig.services.api_keys.create("temporary", Role.ADMIN)
    headers = {"Authorization": f"Bearer {key}"}
    assert (await rig.client.get("/api/sites", headers=headers)).status_code == 200

    await rig.services.api_keys.revoke(record.id)

    assert (await rig.client.get("/api/sites", headers=headers)).status_code == 401


async def test_unauthenticated_requests_get_401_before_their_body_is_judged(rig: ApiRig) -> None:
    response = await rig.client.post("/api/sites", json={"nonsense": True})

    assert response.status_code == 401


# (method, path, body, least role that may do it)
ROUTES: list[tuple[str, str, dict[str, object] | None, Role]] = [
    ("GET", "/api/sites", None, Role.VIEWER),
    ("POST", "/api/sites", {"id": "S-NEW", "name": "New"}, Role.OPERATOR),
    ("GET", "/api/stations", None, Role.VIEWER),
    ("POST", "/api/stations", {"id": "CS-NEW"}, Role.OPERATOR),
    ("PATCH", "/api/stations/CS-1", {"registration": "accepted"}, Role.OPERATOR),
    ("PUT", "/api/stations/CS-1/evses/1/connectors/2", {"type": "nacs"}, Role.OPERATOR),
    ("PUT", "/api/stations/CS-1/evses/1/power", {"max_power_w": 50000}, Role.OPERATOR),
    ("GET", "/api/tokens", None, Role.VIEWER),
    ("POST", "/api/tokens", {"value": "NEW-TAG"}, Role.OPERATOR),
    ("PATCH", "/api/tokens/TAG-1", {"blocked": True}, Role.OPERATOR),
    ("GET", "/api/transactions", None, Role.VIEWER),
    ("POST", "/api/stations/CS-1/commands", {"kind": "clear_cache"}, Role.TECHNICIAN),
    ("GET", "/api/stations/CS-1/commands", None, Role.VIEWER),
    ("GET", "/api/api-keys", None, Role.ADMIN),
    ("POST", "/api/api-keys", {"name": "ci"}, Role.ADMIN),
]
RANKED = [Role.VIEWER, Role.TECHNICIAN, Role.OPERATOR, Role.ADMIN]


@pytest.mark.parametrize(("method", "path", "body", "needed"), ROUTES)
async def test_each_route_needs_its_role(
    rig: ApiRig, method: str, path: str, body: dict[str, object] | None, needed: Role
) -> None:
    await rig.client.post("/api/stations", json={"id": "CS-1"}, headers=rig.auth())
    await rig.client.put(
        "/api/stations/CS-1/evses/1/connectors/1", json={"type": "ccs1"}, headers=rig.auth()
    )
    await rig.client.post("/api/tokens", json={"value": "TAG-1"}, headers=rig.auth())
    lower = RANKED[: RANKED.index(needed)]

    for role in lower:
        refused = await rig.client.request(method, path, json=body, headers=rig.auth(role))
        assert refused.status_code == 403, (role, refused.text)
        assert refused.headers["content-type"] == "application/problem+json"
        assert f"needs the {needed.value} role" in refused.json()["detail"]
    allowed = await rig.client.request(method, path, json=body, headers=rig.auth(needed))
    assert allowed.status_code in (200, 201), allowed.text
