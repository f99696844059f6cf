"""Sites, stations, connectors and EVSE power through HTTP."""

from __future__ import annotations

from datetime import UTC, datetime

from forecourt.domain.events import StationEventKind
from forecourt.domain.stations import BootInfo, ConnectorStatus, ProtocolVersion, StatusReport
from forecourt.services.access import Role
from tests.api.conftest import ApiRig

AT = datetime(2026, 11, 21, 12, 0, tzinfo=UTC)


async def add_station(rig: ApiRig, station_id: str = "CS-1", **extra: object) -> None:
    response = await rig.client.post(
        "/api/stations", json={"id": station_id, **extra}, headers=rig.auth()
    )
    assert response.status_code == 201, response.text


async def test_sites_are_created_listed_and_shown_with_their_stations(rig: ApiRig) -> None:
    site = {"id": "AUS-1", "name": "Austin Forecourt", "timezone": "America/Chicago"}
    created = await rig.client.post("/api/sites", json=site, headers=rig.auth(Role.OPERATOR))
    await add_station(rig, "CS-1", site_id="AUS-1")
    await add_station(rig, "CS-2")

    listed = await rig.client.get("/api/sites", headers=rig.auth(Role.VIEWER))
    shown = await rig.client.get("/api/sites/AUS-1", headers=rig.auth(Role.VIEWER))

    assert created.status_code == 201
    assert created.json()["timezone"] == "America/Chicago"
    assert [s["id"] for s in listed.json()] == ["AUS-1"]
    assert shown.json()["name"] == "Austin Forecourt"
    assert [s["id"] for s in shown.json()["stations"]] == ["CS-1"]


async def test_a_duplicate_site_is_409_and_an_unknown_site_404(rig: ApiRig) -> None:
    site = {"id": "S1", "name": "One"}
    await rig.client.post("/api/sites", json=site, headers=rig.auth())

    duplicate = await rig.client.post("/api/sites", json=site, headers=rig.auth())
    missing = await rig.client.get("/api/sites/NOPE", headers=rig.auth())

    assert duplicate.status_code == 409
    assert duplicate.json()["detail"] == "site 'S1' already exists"
    assert duplicate.json()["type"] == "urn:forecourt:problem:conflict"
    assert missing.status_code == 404
    assert missing.json()["detail"] == "site 'NOPE' not found"


async def test_a_bad_time_zone_is_named(rig: ApiRig) -> None:
    site = {"id": "S1", "name": "One", "timezone": "Mars/Olympus"}

    response = await rig.client.post("/api/sites", json=site, headers=rig.auth())

    assert response.status_code == 422
    assert response.json()["errors"] == [
        {
            "field": "timezone",
            "location": "body",
            "message": "unknown time zone 'Mars/Olympus' (use an IANA name)",
            "type": "value_error",
        }
    ]


async def test_a_station_never_shows_its_password(rig: ApiRig) -> None:
    await add_station(rig, "CS-1", password="s3cret-s3cret-s3cret")

    shown = await rig.client.get("/api/stations/CS-1", headers=rig.auth(Role.VIEWER))

    assert shown.json()["has_password"] is True
    assert "s3cret" not in shown.text
    assert "password_hash" not in shown.json()


async def test_a_station_in_an_unknown_site_or_with_a_bad_id_is_refused(rig: ApiRig) -> None:
    no_site = await rig.client.post(
        "/api/stations", json={"id": "CS-1", "site_id": "NOPE"}, headers=rig.auth()
    )
    bad_id = await rig.client.post("/api/stations", json={"id": "CS 1"}, headers=rig.auth())
    unknown = await rig.client.get("/api/stations/CS-404", headers=rig.auth())

    assert no_site.status_code == 404
    assert no_site.json()["detail"] == "site 'NOPE' not found"
    assert bad_id.status_code == 422
    assert "station id must be 1-48 characters" in bad_id.json()["detail"]
    assert unknown.status_code == 404
    assert unknown.json()["detail"] == "station 'CS-404' not found"


async def test_station_detail_shows_live_state(rig: ApiRig) -> None:
    await add_station(rig, "CS-1")
    core = rig.services.core
    await core.provisioning.boot("CS-1", BootInfo("Acme", "Dispenser 9", firmware_version="2.1"))
    await core.provisioning.connected("CS-1", ProtocolVersion.V201)
    await core.availability.report("CS-1", StatusReport(1, 1, ConnectorStatus.AVAILABLE, AT))
    rig.gateway.connected.add("CS-1")

    station = (await rig.client.get("/api/stations/CS-1", headers=rig.auth())).json()
    rig.gateway.connected.clear()
    offline = (await rig.client.get("/api/stations/CS-1", headers=rig.auth())).json()

    assert station["connected"] is True
    assert station["vendor"] == "Acme"
    assert station["protocol"] == "2.0.1"
    assert station["last_seen_at"] is not None
    connector = station["evses"][0]["connectors"][0]
    assert (connector["status"], connector["type"]) == ("available", "unknown")
    assert offline["connected"] is False
    offline_connector = offline["evses"][0]["connectors"][0]
    assert offline_connector["status"] == "unknown"
    assert offline_connector["last_reported_status"] == "available"


async def test_stations_are_listed_by_site(rig: ApiRig) -> None:
    await rig.client.post("/api/sites", json={"id": "S1", "name": "One"}, headers=rig.auth())
    await add_station(rig, "CS-1", site_id="S1")
    await add_station(rig, "CS-2")
    rig.gateway.connected.add("CS-2")

    everything = await rig.client.get("/api/stations", headers=rig.auth())
    in_site = await rig.client.get("/api/stations", params={"site_id": "S1"}, headers=rig.auth())

    assert [(s["id"], s["connected"]) for s in everything.json()] == [
        ("CS-1", False),
        ("CS-2", True),
    ]
    assert [s["id"] for s in in_site.json()] == ["CS-1"]


async def test_patch_moves_approves_and_sets_the_password(rig: ApiRig) -> None:
    await rig.client.post("/api/sites", json={"id": "S1", "name": "One"}, headers=rig.auth())
    await add_station(rig, "CS-1")
    change = {"site_id": "S1", "registration": "rejected", "password": "n3w-password-123"}

    response = await rig.client.patch("/api/stations/CS-1", json=change, headers=rig.auth())

    body = response.json()
    assert (body["site_id"], body["registration"], body["has_password"]) == ("S1", "rejected", True)


async def test_patch_rejects_unknown_fields_and_values(rig: ApiRig) -> None:
    await add_station(rig, "CS-1")
    change = {"registration": "maybe", "colour": "red"}

    response = await rig.client.patch("/api/stations/CS-1", json=change, headers=rig.auth())

    assert response.status_code == 422
    fields = {e["field"]: e["message"] for e in response.json()["errors"]}
    assert fields == {
        "registration": "Input should be 'accepted', 'pending' or 'rejected'",
        "colour": "Extra inputs are not permitted",
    }


async def test_connectors_take_a_type_and_a_rating_defaulted_from_it(rig: ApiRig) -> None:
    await add_station(rig, "CS-1")
    path = "/api/stations/CS-1/evses/1/connectors"

    await rig.client.put(f"{path}/1", json={"type": "ccs1"}, headers=rig.auth())
    retrofit = {"type": "nacs", "max_current_a": 300, "cooled_cable": True, "cable_length_m": 4}
    response = await rig.client.put(f"{path}/2", json=retrofit, headers=rig.auth())

    connectors = response.json()["evses"][0]["connectors"]
    assert [c["type"] for c in connectors] == ["ccs1", "nacs"]
    assert connectors[0]["rating"]["max_power_w"] == 350_000
    assert connectors[1]["rating"] == {  # NACS defaults to a 500 V Supercharger-class unit
        "power_type": "dc",
        "max_voltage_v": 500,
        "max_current_a": 300,
        "max_power_w": 150_000,  # 300 A x 500 V
        "cooled_cable": True,
        "cable_length_m": 4,
    }


async def test_bad_connector_input_names_each_field(rig: ApiRig) -> None:
    await add_station(rig, "CS-1")
    body = {"type": "tesla", "max_current_a": -5}

    response = await rig.client.put(
        "/api/stations/CS-1/evses/1/connectors/1", json=body, headers=rig.auth()
    )

    assert response.status_code == 422
    assert response.headers["content-type"] == "application/problem+json"
    problem = response.json()
    assert problem["type"] == "urn:forecourt:problem:validation"
    assert problem["errors"] == [
        {
            "field": "type",
            "location": "body",
            "message": "Input should be 'nacs', 'ccs1', 'ccs2', 'j1772', 'type2', 'chademo',"
            " 'gbt_ac', 'gbt_dc', 'mcs' or 'unknown'",
            "type": "enum",
        },
        {
            "field": "max_current_a",
            "location": "body",
            "message": "Input should be greater than 0",
            "type": "greater_than",
        },
    ]
    assert problem["detail"].startswith("2 invalid fields: type: Input should be 'nacs'")


async def test_implausible_ratings_are_explained(rig: ApiRig) -> None:
    await add_station(rig, "CS-1")
    path = "/api/stations/CS-1/evses/1/connectors/1"

    dc_on_j1772 = await rig.client.put(
        path,
        json={"type": "j1772", "power_type": "dc", "max_voltage_v": 400, "max_current_a": 100},
        headers=rig.auth(),
    )
    too_much = await rig.client.put(
        path, json={"type": "j1772", "max_power_w": 19_200}, headers=rig.auth()
    )
    zero_evse = await rig.client.put(
        "/api/stations/CS-1/evses/0/connectors/1", json={"type": "nacs"}, headers=rig.auth()
    )

    assert dc_on_j1772.status_code == 422
    assert dc_on_j1772.json()["detail"] == "a j1772 connector cannot carry dc power"
    assert too_much.status_code == 422
    assert too_much.json()["detail"].startswith(
        "a maximum power of 19200 W exceeds 240 V x 48 A = 11520 W"
    )
    assert zero_evse.status_code == 422
    assert zero_evse.json()["errors"][0]["field"] == "evse_id"
    assert zero_evse.json()["errors"][0]["location"] == "path"


async def test_a_connector_is_removed_and_a_missing_one_is_404(rig: ApiRig) -> None:
    await add_station(rig, "CS-1")
    path = "/api/stations/CS-1/evses/1/connectors/1"
    await rig.client.put(path, json={"type": "ccs1"}, headers=rig.auth())

    removed = await rig.client.delete(path, headers=rig.auth())
    again = await rig.client.delete(path, headers=rig.auth())

    assert removed.status_code == 200
    assert removed.json()["evses"] in ([], [{"evse_id": 1, "max_power_w": None, "connectors": []}])
    assert again.status_code == 404
    assert again.json()["detail"] == "connector 'CS-1/1/1' not found"


async def test_evse_power_is_set_and_cleared(rig: ApiRig) -> None:
    await add_station(rig, "CS-1")
    await rig.client.put(
        "/api/stations/CS-1/evses/1/connectors/1", json={"type": "ccs1"}, headers=rig.auth()
    )
    path = "/api/stations/CS-1/evses/1/power"

    limited = await rig.client.put(path, json={"max_power_w": 150_000}, headers=rig.auth())
    cleared = await rig.client.put(path, json={"max_power_w": None}, headers=rig.auth())
    negative = await rig.client.put(path, json={"max_power_w": -1}, headers=rig.auth())
    no_evse = await rig.client.put(
        "/api/stations/CS-1/evses/7/power", json={"max_power_w": 1000}, headers=rig.auth()
    )

    assert limited.json()["evses"][0]["max_power_w"] == 150_000
    assert cleared.json()["evses"][0]["max_power_w"] is None
    assert negative.status_code == 422
    assert negative.json()["errors"][0]["field"] == "max_power_w"
    assert no_evse.status_code == 404
    assert no_evse.json()["detail"] == "evse 'CS-1/7' not found"


async def test_status_history_and_events(rig: ApiRig) -> None:
    await add_station(rig, "CS-1")
    availability = rig.services.core.availability
    await availability.report("CS-1", StatusReport(1, 1, ConnectorStatus.AVAILABLE, AT))
    await availability.report("CS-1", StatusReport(1, 1, ConnectorStatus.FAULTED, AT, "", "E1"))
    await rig.services.core.records.record("CS-1", StationEventKind.SECURITY, {"type": "Tamper"})

    history = await rig.client.get("/api/stations/CS-1/status-history", headers=rig.auth())
    events = await rig.client.get("/api/stations/CS-1/events", headers=rig.auth())
    security = await rig.client.get(
        "/api/stations/CS-1/events", params={"kind": "security"}, headers=rig.auth()
    )
    unknown = await rig.client.get("/api/stations/NOPE/events", headers=rig.auth())

    assert [h["status"] for h in history.json()] == ["faulted", "available"]
    assert history.json()[0]["error_code"] == "E1"
    assert {"security"} <= {e["kind"] for e in events.json()}
    assert [e["data"] for e in security.json()] == [{"type": "Tamper"}]
    assert unknown.status_code == 404
