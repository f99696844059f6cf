"""Site amenities: set over the REST API, published as OCPI facilities, opening times,
parking type, parking restrictions and images; bad input stores nothing."""

from __future__ import annotations

import httpx

from forecourt.services.access import Role
from tests.ocpi import spec
from tests.ocpi.conftest import add_site, registered
from tests.ocpi.emsp import running_emsp
from tests.support.server import RunningServer

FORECOURT = {
    "canopy": True,
    "restrooms": True,
    "food": True,
    "shop": True,
    "windshield_service": True,
    "attendant_on_duty": True,
    "lighting": True,
    "hours": ["1 06:00-22:00", "6 08:00-20:00"],
    "accessible_stalls": 2,
    "pull_through_bays": 4,
    "parking_type": "ALONG_MOTORWAY",
    "parking_restrictions": ["EV_ONLY"],
    "images": ["https://cdn.example/site-1.png"],
}


async def _put(server: RunningServer, body: object, role: Role = Role.OPERATOR) -> httpx.Response:
    key, _ = await server.forecourt.services.api_keys.create("k", role)
    async with httpx.AsyncClient(base_url=server.http_url) as client:
        return await client.put(
            "/api/sites/SITE-1/amenities", json=body, headers={"Authorization": f"Bearer {key}"}
        )


async def test_amenities_are_published_as_ocpi(server: RunningServer) -> None:
    await add_site(server.forecourt.services, "SITE-1", "CS-1")
    saved = await _put(server, FORECOURT)
    assert saved.status_code == 200
    assert saved.json() == {**FORECOURT, "open_24_7": False}
    async with running_emsp(["2.2.1"]) as emsp:
        await registered(server, emsp)
        location = (await emsp.call("GET", emsp.cpo_endpoints["locations"] + "/SITE-1")).json()
    data = location["data"]
    spec.check(spec.location("2.2.1"), data)
    assert data["facilities"] == ["RESTAURANT", "SUPERMARKET"]
    assert data["opening_times"] == {
        "twentyfourseven": False,
        "regular_hours": [
            {"weekday": 1, "period_begin": "06:00", "period_end": "22:00"},
            {"weekday": 6, "period_begin": "08:00", "period_end": "20:00"},
        ],
    }
    assert data["parking_type"] == "ALONG_MOTORWAY"
    assert data["images"] == [
        {"url": "https://cdn.example/site-1.png", "category": "LOCATION", "type": "png"}
    ]
    assert data["evses"][0]["parking_restrictions"] == ["EV_ONLY"]


async def test_bad_amenities_are_refused_and_nothing_is_stored(server: RunningServer) -> None:
    await add_site(server.forecourt.services, "SITE-1", "CS-1")
    for body in (
        {**FORECOURT, "hours": ["8 06:00-22:00"]},  # weekday 8
        {**FORECOURT, "open_24_7": True},  # and hours
        {**FORECOURT, "parking_type": "ROOFTOP"},
        {**FORECOURT, "accessible_stalls": -1},
        {**FORECOURT, "sauna": True},
    ):
        answer = await _put(server, body)
        assert answer.status_code in (400, 422), body
        assert answer.headers["content-type"].startswith("application/problem+json")
    viewer = await _put(server, FORECOURT, Role.VIEWER)
    assert viewer.status_code == 403
    key, _ = await server.forecourt.services.api_keys.create("v", Role.VIEWER)
    async with httpx.AsyncClient(base_url=server.http_url) as client:
        stored = await client.get(
            "/api/sites/SITE-1/amenities", headers={"Authorization": f"Bearer {key}"}
        )
        unknown = await client.get(
            "/api/sites/NOPE/amenities", headers={"Authorization": f"Bearer {key}"}
        )
    assert stored.json()["canopy"] is False  # nothing was stored
    assert unknown.status_code == 404


async def test_stalls_are_published_as_2_3_0_parking_places_and_2_2_1_is_unchanged(
    server: RunningServer,
) -> None:
    """Stalls described over the API (compat's stall data) become 2.3.0 Parking objects, each
    EVSE naming the stalls its cable serves and the side its post stands on."""
    await add_site(server.forecourt.services, "SITE-1", "CS-1")
    assert (await _put(server, FORECOURT)).status_code == 200  # canopy and lighting
    key, _ = await server.forecourt.services.api_keys.create("s", Role.OPERATOR)
    stalls = {
        "B1": {"layout": "pull_through", "post": "head_left", "accessible": False},
        "B2": {"layout": "pull_in", "post": "side_right", "accessible": True, "width_m": 3.6},
    }
    async with httpx.AsyncClient(base_url=server.http_url) as client:
        for stall_id, stall in stalls.items():
            body = {"station_id": "CS-1", "evse_id": 1, "cable_reach_m": 3.0, **stall}
            put = await client.put(
                f"/api/sites/SITE-1/stalls/{stall_id}",
                json=body,
                headers={"Authorization": f"Bearer {key}"},
            )
            assert put.status_code == 200, put.text
    found = {}
    for version in ("2.2.1", "2.3.0"):
        async with running_emsp([version]) as emsp:
            await registered(server, emsp)
            reply = await emsp.call("GET", emsp.cpo_endpoints["locations"] + "/SITE-1")
        found[version] = reply.json()["data"]
        spec.check(spec.location(version), found[version])
    old, new = found["2.2.1"], found["2.3.0"]
    assert "parking_places" not in old
    assert all("parking" not in e for e in old["evses"])
    assert new["parking_places"] == [
        {
            "id": "B1",
            "vehicle_types": ["PERSONAL_VEHICLE", "PERSONAL_VEHICLE_WITH_TRAILER"],
            "parking_space_width": 274,  # the standard stall width: none was given
            "drive_through": True,
            "restricted_to_type": False,
            "reservation_required": False,
            "roofed": True,
            "lighting": True,
        },
        {
            "id": "B2",
            "vehicle_types": ["PERSONAL_VEHICLE", "DISABLED"],
            "parking_space_width": 360,
            "drive_through": False,
            "restricted_to_type": False,
            "reservation_required": False,
            "roofed": True,
            "lighting": True,
        },
    ]
    assert new["evses"][0]["parking"] == [
        {"parking_id": "B1", "evse_position": "LEFT"},
        {"parking_id": "B2", "evse_position": "RIGHT"},
    ]
