"""The compatibility and retrofit API through HTTP (ASGI) on real services and SQLite."""

from __future__ import annotations

from collections.abc import AsyncIterator
from dataclasses import dataclass
from typing import Any

import httpx
import pytest
from fastapi import FastAPI

from forecourt.api.install import install_api
from forecourt.domain.stations import ProtocolVersion
from forecourt.features import FEATURES
from forecourt.services.access import Role
from forecourt.services.core import Services
from tests.api.fakes import ScriptedGateway
from tests.compat.integration.site import IONIQ_2025, SITE, start_session


@dataclass
class Rig:
    client: httpx.AsyncClient
    services: Services
    keys: dict[Role, str]
    live: set[str]  # stations the gateway holds a connection for

    def auth(self, role: Role) -> dict[str, str]:
        return {"Authorization": f"Bearer {self.keys[role]}"}


@pytest.fixture
async def rig(services: Services) -> AsyncIterator[Rig]:
    keys = {
        role: (await services.api_keys.create(role.value, role))[0]
        for role in (Role.VIEWER, Role.OPERATOR)
    }
    gateway = ScriptedGateway({"CS-1", "CS-2"})
    app = FastAPI()
    install_api(app, services, live_status=gateway.connected_ids, features=FEATURES)
    transport = httpx.ASGITransport(app=app, raise_app_exceptions=False)
    async with httpx.AsyncClient(transport=transport, base_url="http://forecourt.test") as client:
        yield Rig(client, services, keys, gateway.connected)


def problem(response: httpx.Response, status: int) -> dict[str, Any]:
    assert response.status_code == status, response.text
    assert response.headers["content-type"] == "application/problem+json"
    body: dict[str, Any] = response.json()
    return body


# -- catalogue (public) ---------------------------------------------------------------------
async def test_vehicles_filter_by_make_and_inlet_without_a_key(rig: Rig) -> None:
    response = await rig.client.get("/api/vehicles", params={"make": "Hyundai", "inlet": "nacs"})

    assert response.status_code == 200
    vehicles = response.json()
    assert [v["id"] for v in vehicles] == [
        IONIQ_2025,
        "hyundai-ioniq-6-lr-2026",
        "hyundai-ioniq-9-2025",
    ]
    ioniq = vehicles[0]
    assert ioniq["inlets"] == ["nacs"]
    assert ioniq["above_evse_voltage"] == "boost"
    usable = next(f for f in ioniq["facts"] if f["name"] == "usable_kwh")
    assert usable["value"] == 84
    assert usable["source"]


async def test_a_vehicle_by_words_and_an_unknown_one(rig: Rig) -> None:
    found = await rig.client.get("/api/vehicles/2025 Ioniq 5")
    missing = await rig.client.get("/api/vehicles/Ioniq 7")

    assert found.json()["id"] == IONIQ_2025
    detail = problem(missing, 404)["detail"]
    assert detail.startswith("no vehicle matches 'Ioniq 7'; close matches: ")
    assert IONIQ_2025 in detail


async def test_adapters(rig: Rig) -> None:
    response = await rig.client.get("/api/adapters")

    adapters = {a["id"]: a for a in response.json()}
    assert response.status_code == 200
    tesla = adapters["tesla-ccs1-to-nacs"]
    assert (tesla["station_plug"], tesla["vehicle_plug"], tesla["max_voltage_v"]) == (
        "ccs1",
        "nacs",
        500,
    )
    assert any(a["built_in"] for a in adapters.values())


# -- estimates ------------------------------------------------------------------------------
async def test_the_2025_ioniq_5_at_a_described_nacs_connector(rig: Rig) -> None:
    body = {
        "vehicle": "2025 Ioniq 5",
        "connector": {"type": "nacs", "max_voltage_v": 500, "max_current_a": 615},
        "soc_from": 10,
        "soc_to": 80,
        "svg": True,
    }

    response = await rig.client.post("/api/compat/estimate", json=body)

    answer = response.json()
    assert response.status_code == 200, answer
    assert answer["works"] is True
    assert answer["vehicle"]["id"] == IONIQ_2025
    estimate = answer["estimate"]
    assert estimate["peak_power_w"] == pytest.approx(126_000)  # boosting on a 500 V unit
    assert "vehicle boost converter 126 kW" in estimate["explanation"]
    assert estimate["bands"][0]["constraint"] == "boost_converter"
    assert estimate["curve"][0][0] == 10
    assert estimate["curve"][-1][0] == 80
    assert answer["summary"].startswith("About ")
    assert answer["svg"].startswith("<svg")


async def test_an_estimate_at_a_station_connector_uses_its_live_state(rig: Rig) -> None:
    body = {
        "vehicle": IONIQ_2025,
        "connector": {"station_id": "CS-2", "evse_id": 1, "connector_id": 1},
    }

    answer = (await rig.client.post("/api/compat/estimate", json=body)).json()

    assert answer["connector"]["reference"] == "CS-2/1/1"
    assert answer["connector"]["status"] == "faulted"
    assert answer["connector"]["status_reason"] == "ConnectorLockFailure"
    assert answer["option"]["adapter"]["id"] == "hmg-ccs1-to-nacs"
    assert [n["code"] for n in answer["notes"]] == ["status_faulted"]


async def test_when_nothing_fits_the_answer_says_why(rig: Rig) -> None:
    body = {"vehicle": "nissan-leaf-40-2018", "connector": {"type": "nacs"}}

    answer = (await rig.client.post("/api/compat/estimate", json=body)).json()

    assert answer["works"] is False
    assert answer["estimate"] is None
    assert answer["option"]["reason"]["code"] in {"no_fit", "adapter_stacking"}
    assert answer["summary"].startswith("A 2018–2024 Nissan LEAF 40 kWh cannot charge here: ")


async def test_the_power_curve_as_svg(rig: Rig) -> None:
    params: dict[str, str | int] = {
        "vehicle": "hyundai-ioniq-5-2025",
        "type": "ccs1",
        "from": 20,
        "to": 90,
    }

    response = await rig.client.get("/api/compat/estimate.svg", params=params)

    assert response.status_code == 200
    assert response.headers["content-type"].startswith("image/svg+xml")
    assert "20–90 %" in response.text


async def test_no_svg_when_the_car_cannot_charge(rig: Rig) -> None:
    params = {"vehicle": "nissan-leaf-40-2018", "type": "nacs"}

    response = await rig.client.get("/api/compat/estimate.svg", params=params)

    assert problem(response, 422)["title"] == "Cannot charge"


@pytest.mark.parametrize(
    ("body", "field", "message"),
    [
        (
            {"vehicle": IONIQ_2025, "connector": {"type": "nacs"}, "soc_from": 80, "soc_to": 10},
            "soc_to",
            "must be above soc_from (80 %), not 10 %",
        ),
        (
            {"vehicle": IONIQ_2025, "connector": {"type": "nacs"}, "soc_from": 90},
            "soc_to",
            "must be above soc_from (90 %), not 80 %",
        ),
        (
            {"vehicle": IONIQ_2025, "connector": {"type": "warp-drive"}},
            "connector.type",
            "Input should be 'nacs', 'ccs1'",
        ),
        (
            {"vehicle": IONIQ_2025, "connector": {"type": "ccs1", "max_power_w": -50}},
            "connector.max_power_w",
            "Input should be greater than 0",
        ),
        (
            {"vehicle": IONIQ_2025, "connector": {"station_id": "CS-1"}},
            "connector",
            "a connector reference needs station_id, evse_id and connector_id",
        ),
        (
            {"vehicle": IONIQ_2025, "connector": {}},
            "connector",
            "give station_id, evse_id and connector_id, or a connector type",
        ),
    ],
)
async def test_bad_estimate_input_is_a_precise_422(
    rig: Rig, body: dict[str, Any], field: str, message: str
) -> None:
    response = await rig.client.post("/api/compat/estimate", json=body)

    errors = problem(response, 422)["errors"]
    assert [e["field"] for e in errors] == [field]
    assert errors[0]["message"].startswith(message)


@pytest.mark.parametrize(
    ("body", "status", "detail"),
    [
        ({"vehicle": "Flying Car 3000", "connector": {"type": "nacs"}}, 404, "no vehicle matches"),
        ({"vehicle": "Ioniq 5", "connector": {"type": "nacs"}}, 422, "'Ioniq 5' matches 2"),
        (
            {"vehicle": IONIQ_2025, "connector": {"type": "nacs"}, "adapter": "nope"},
            404,
            "adapter 'nope' not found",
        ),
        (
            {"vehicle": IONIQ_2025, "connector": {"type": "j1772", "power_type": "dc"}},
            422,
            "the j1772 default rating is ac_1_phase",
        ),
        (
            {
                "vehicle": IONIQ_2025,
                "connector": {"station_id": "CS-1", "evse_id": 1, "connector_id": 5},
            },
            404,
            "connector 'CS-1/1/5' not found",
        ),
    ],
)
async def test_unknown_things_are_named(
    rig: Rig, body: dict[str, Any], status: int, detail: str
) -> None:
    response = await rig.client.post("/api/compat/estimate", json=body)

    assert problem(response, status)["detail"].startswith(detail)


# -- recommendations ------------------------------------------------------------------------
async def test_the_site_recommends_for_the_2025_ioniq_5_with_reasons(rig: Rig) -> None:
    params: dict[str, str | int] = {"vehicle": "2025 Ioniq 5", "from": 10, "to": 80}

    response = await rig.client.get(f"/api/sites/{SITE}/recommend", params=params)

    advice = response.json()
    assert response.status_code == 200, advice
    assert advice["vehicle"]["id"] == IONIQ_2025
    assert advice["summary"].startswith("CS-1 EVSE 1 (CCS1): About ")
    ranked = advice["connectors"]
    assert [c["rank"] for c in ranked] == [1, 2, 3]
    first, *rest = ranked
    assert (first["station_id"], first["usable_now"]) == ("CS-1", True)
    assert first["estimate"]["explanation"]
    reasons = {c["connector"]["reference"]: c["connector"]["status_reason"] for c in rest}
    assert reasons == {
        "CS-2/1/1": "ConnectorLockFailure",
        "CS-3/1/1": "the station is offline (last reported available)",
    }
    assert all(not c["usable_now"] for c in rest)


async def test_a_faulted_connector_ranks_last_with_its_reason(rig: Rig) -> None:
    await rig.services.core.provisioning.connected("CS-3", ProtocolVersion.V201)
    rig.live.add("CS-3")  # every station online: only the fault stands in the way
    params: dict[str, str | int] = {"vehicle": "tesla-model-3-lr-2020", "from": 10, "to": 80}

    advice = (await rig.client.get(f"/api/sites/{SITE}/recommend", params=params)).json()

    ranked = [(c["connector"]["reference"], c["connector"]["status"]) for c in advice["connectors"]]
    assert ranked[-1] == ("CS-2/1/1", "faulted")
    last = advice["connectors"][-1]
    assert last["usable_now"] is False
    assert [n["message"] for n in last["notes"]] == ["Connector is faulted: ConnectorLockFailure."]
    assert all(status == "available" for _, status in ranked[:-1])


async def test_recommend_refuses_bad_queries(rig: Rig) -> None:
    unknown_site = await rig.client.get("/api/sites/NOPE/recommend", params={"vehicle": IONIQ_2025})
    no_vehicle = await rig.client.get(f"/api/sites/{SITE}/recommend")
    backwards = await rig.client.get(
        f"/api/sites/{SITE}/recommend", params={"vehicle": IONIQ_2025, "from": 80, "to": 20}
    )

    assert problem(unknown_site, 404)["detail"] == "site 'NOPE' not found"
    assert [e["field"] for e in problem(no_vehicle, 422)["errors"]] == ["vehicle"]
    assert problem(backwards, 422)["errors"][0]["field"] == "to"


# -- retrofits ------------------------------------------------------------------------------
async def test_retrofits_need_the_operator_role(rig: Rig) -> None:
    url = "/api/stations/CS-1/evses/1/connectors"
    body = {"connector_id": 2, "type": "nacs"}

    anonymous = await rig.client.post(url, json=body)
    viewer = await rig.client.post(url, json=body, headers=rig.auth(Role.VIEWER))

    assert problem(anonymous, 401)["title"] == "Unauthorized"
    assert problem(viewer, 403)["title"] == "Forbidden"


async def test_add_then_convert_a_connector_over_the_api(rig: Rig) -> None:
    operator = rig.auth(Role.OPERATOR)
    added = await rig.client.post(
        "/api/stations/CS-1/evses/1/connectors",
        json={"connector_id": 2, "type": "nacs", "max_power_w": 200_000, "note": "NACS cable"},
        headers=operator,
    )
    converted = await rig.client.post(
        "/api/stations/CS-1/evses/1/connectors/1/convert",
        json={"type": "nacs"},
        headers=operator,
    )
    listed = await rig.client.get("/api/stations/CS-1/retrofits", headers=rig.auth(Role.VIEWER))

    assert added.status_code == 201, added.text
    retrofit = added.json()["retrofit"]
    assert retrofit["action"] == "add"
    assert retrofit["before"] is None
    assert retrofit["summary"] == "CS-1/1/2: (none) -> nacs 200 kW DC, 500 V, 700 A"
    assert retrofit["by"].startswith("api-key:operator")
    connectors = converted.json()["station"]["evses"][0]["connectors"]
    assert [c["type"] for c in connectors] == ["nacs", "nacs"]
    assert converted.json()["retrofit"]["summary"].startswith(
        "CS-1/1/1: ccs1 350 kW DC, 1000 V, 500 A -> nacs 250 kW DC"
    )
    assert [r["action"] for r in listed.json()] == ["convert", "add"]


async def test_a_retrofit_during_a_session_is_a_conflict(rig: Rig) -> None:
    await start_session(rig.services, "CS-1", 1, 1, rig.services.core.clock.now())

    response = await rig.client.post(
        "/api/stations/CS-1/evses/1/connectors/1/convert",
        json={"type": "nacs"},
        headers=rig.auth(Role.OPERATOR),
    )

    assert "is running on EVSE CS-1/1" in problem(response, 409)["detail"]


async def test_retrofit_input_errors(rig: Rig) -> None:
    operator = rig.auth(Role.OPERATOR)
    url = "/api/stations/CS-1/evses/1/connectors"

    exists = await rig.client.post(url, json={"connector_id": 1, "type": "nacs"}, headers=operator)
    negative = await rig.client.post(
        url, json={"connector_id": 2, "type": "nacs", "max_current_a": -1}, headers=operator
    )
    bad_type = await rig.client.post(url, json={"connector_id": 2, "type": "x"}, headers=operator)

    assert "already exists" in problem(exists, 409)["detail"]
    assert problem(negative, 422)["errors"][0]["field"] == "max_current_a"
    assert problem(bad_type, 422)["errors"][0]["field"] == "type"


# -- deployed defaults, temperature, drivers' words (issue 19) -------------------------------
async def test_an_unrated_nacs_connector_throttles_an_800_v_car(rig: Rig) -> None:
    body = {"vehicle": IONIQ_2025, "connector": {"type": "nacs"}}

    answer = (await rig.client.post("/api/compat/estimate", json=body)).json()

    assert answer["connector"]["rating"]["max_voltage_v"] == 500
    assert answer["estimate"]["peak_power_w"] == pytest.approx(126_000)
    assert answer["estimate"]["bands"][0]["constraint"] == "boost_converter"


async def test_a_charger_below_the_boost_minimum_cannot_charge_an_800_v_car(rig: Rig) -> None:
    body = {"vehicle": IONIQ_2025, "connector": {"type": "nacs", "max_voltage_v": 380}}

    answer = (await rig.client.post("/api/compat/estimate", json=body)).json()

    assert answer["works"] is False
    assert answer["option"]["reason"]["code"] == "boost_voltage_too_low"
    assert "at least 400 V" in answer["summary"]


async def test_a_cold_pack_is_slower_unless_preconditioned(rig: Rig) -> None:
    body: dict[str, Any] = {"vehicle": "hyundai-ioniq-5-lr-2022", "connector": {"type": "ccs1"}}

    async def minutes(**extra: Any) -> float:
        answer = (await rig.client.post("/api/compat/estimate", json=body | extra)).json()
        return float(answer["estimate"]["duration_s"]) / 60

    warm = await minutes()
    cold = await minutes(ambient_c=-10)
    ready = await minutes(ambient_c=-10, preconditioned=True)

    assert cold > warm * 1.5
    assert ready == pytest.approx(warm)
    cold_answer = await rig.client.post("/api/compat/estimate", json=body | {"ambient_c": -10})
    assert "cold battery" in cold_answer.json()["estimate"]["explanation"]


async def test_recommend_takes_the_temperature_too(rig: Rig) -> None:
    params = {"vehicle": IONIQ_2025, "ambient_c": "-10"}
    cold = (await rig.client.get(f"/api/sites/{SITE}/recommend", params=params)).json()
    ready = (
        await rig.client.get(
            f"/api/sites/{SITE}/recommend", params=params | {"preconditioned": "true"}
        )
    ).json()

    assert cold["preconditioned"] is False
    assert ready["preconditioned"] is True
    slow = cold["connectors"][0]["estimate"]["duration_s"]
    assert slow > ready["connectors"][0]["estimate"]["duration_s"]


@pytest.mark.parametrize(
    ("words", "vehicle_id"),
    [
        ("2021 Mustang Mach-E Extended Range AWD", "ford-mustang-mach-e-er-2021"),
        ("Model 3 Long Range AWD 2020", "tesla-model-3-lr-2020"),
        ("Taycan 4S", "porsche-taycan-pbplus-2020"),
        ("Leaf SV Plus", "nissan-leaf-plus-2019"),
        ("F-150 Lightning Extended Range", "ford-f-150-lightning-er-2022"),
        ("Ioniq 5 LR 2023", "hyundai-ioniq-5-lr-2022"),
    ],
)
async def test_trims_and_drivetrains_as_drivers_type_them(
    rig: Rig, words: str, vehicle_id: str
) -> None:
    response = await rig.client.get(f"/api/vehicles/{words}")

    assert response.status_code == 200, response.text
    assert response.json()["id"] == vehicle_id


async def test_a_drivetrain_the_catalogue_does_not_have_is_not_guessed(rig: Rig) -> None:
    response = await rig.client.get("/api/vehicles/Model 3 Long Range RWD 2021")

    assert "tesla-model-3-lr-2020" in problem(response, 404)["detail"]


async def test_an_ac_only_adapter_for_dc_is_refused_by_name(rig: Rig) -> None:
    body = {
        "vehicle": IONIQ_2025,
        "connector": {"type": "ccs1"},
        "adapter": "hmg-j1772-to-nacs",
    }

    detail = problem(await rig.client.post("/api/compat/estimate", json=body), 422)["detail"]

    assert "adapter 'hmg-j1772-to-nacs'" in detail
    assert "AC-only" in detail


# -- stall fit -------------------------------------------------------------------------------
STALL_A1 = {
    "station_id": "CS-1",
    "evse_id": 1,
    "layout": "back_in",
    "post": "head_right",
    "cable_reach_m": 2.5,
}


async def test_stalls_need_the_operator_role_and_reading_them_is_public(rig: Rig) -> None:
    url = f"/api/sites/{SITE}/stalls/A1"

    anonymous = await rig.client.put(url, json=STALL_A1)
    viewer = await rig.client.put(url, json=STALL_A1, headers=rig.auth(Role.VIEWER))
    operator = await rig.client.put(url, json=STALL_A1, headers=rig.auth(Role.OPERATOR))
    listed = await rig.client.get(f"/api/sites/{SITE}/stalls")

    assert anonymous.status_code == 401
    assert viewer.status_code == 403
    assert operator.status_code == 200, operator.text
    [stall] = listed.json()
    assert stall["stall_id"] == "A1"
    assert stall["width_m"] == pytest.approx(2.74)
    assert stall["summary"] == "back-in, cable from the head right, 2.5 m"


async def test_which_stall_fits_which_car(rig: Rig) -> None:
    operator = rig.auth(Role.OPERATOR)
    base = f"/api/sites/{SITE}/stalls"
    await rig.client.put(f"{base}/A1", json=STALL_A1, headers=operator)
    nose_in = STALL_A1 | {"evse_id": 1, "station_id": "CS-2", "layout": "pull_in"}
    await rig.client.put(
        f"{base}/B1", json=nose_in | {"post": "head_left", "accessible": True}, headers=operator
    )

    tesla = (await rig.client.get(f"/api/sites/{SITE}/stall-fit?vehicle=Model 3 2020")).json()
    mach_e = (
        await rig.client.get(f"/api/sites/{SITE}/stall-fit", params={"vehicle": "Mach-E ER AWD"})
    ).json()

    assert tesla["inlet"] == "rear left"
    assert [(s["stall"]["stall_id"], s["fits"]) for s in tesla["stalls"]] == [
        ("A1", True),
        ("B1", False),
    ]
    assert mach_e["inlet"] == "front left"
    assert [(s["stall"]["stall_id"], s["fits"]) for s in mach_e["stalls"]] == [
        ("B1", True),
        ("A1", False),
    ]
    assert mach_e["stalls"][0]["stall"]["accessible"] is True
    assert "does not reach" in mach_e["stalls"][1]["reason"]


async def test_bad_stalls_are_refused_and_nothing_is_stored(rig: Rig) -> None:
    operator = rig.auth(Role.OPERATOR)
    base = f"/api/sites/{SITE}/stalls"

    foreign = await rig.client.put(f"{base}/X", json=STALL_A1 | {"evse_id": 9}, headers=operator)
    unknown_station = await rig.client.put(
        f"{base}/X", json=STALL_A1 | {"station_id": "NOPE"}, headers=operator
    )
    silly_reach = await rig.client.put(
        f"{base}/X", json=STALL_A1 | {"cable_reach_m": 99}, headers=operator
    )
    bad_layout = await rig.client.put(
        f"{base}/X", json=STALL_A1 | {"layout": "sideways"}, headers=operator
    )
    unknown_site = await rig.client.put(
        "/api/sites/NOWHERE/stalls/X", json=STALL_A1, headers=operator
    )
    missing = await rig.client.delete(f"{base}/X", headers=operator)

    assert "has no EVSE 9" in problem(foreign, 422)["detail"]
    problem(unknown_station, 404)
    problem(silly_reach, 422)
    problem(bad_layout, 422)
    problem(unknown_site, 404)
    problem(missing, 404)
    assert (await rig.client.get(base)).json() == []


async def test_a_stall_is_replaced_and_removed(rig: Rig) -> None:
    operator = rig.auth(Role.OPERATOR)
    url = f"/api/sites/{SITE}/stalls/A1"
    await rig.client.put(url, json=STALL_A1, headers=operator)
    await rig.client.put(url, json=STALL_A1 | {"cable_reach_m": 4}, headers=operator)

    [stall] = (await rig.client.get(f"/api/sites/{SITE}/stalls")).json()
    removed = await rig.client.delete(url, headers=operator)

    assert stall["cable_reach_m"] == 4
    assert removed.status_code == 204
    assert (await rig.client.get(f"/api/sites/{SITE}/stalls")).json() == []


# -- NACS-inlet model years (issue 19: coverage) ---------------------------------------------
NACS_MODEL_YEARS = [
    # what a driver types, the entry, its maker's CCS1-to-NACS adapter, peak kW at a 500 V NACS unit
    ("2024 Model 3 Long Range", "tesla-model-3-lr-2024", "tesla-ccs1-to-nacs", 250),
    ("Model 3 Highland Performance 2024", "tesla-model-3-lr-2024", "tesla-ccs1-to-nacs", 250),
    ("2024 Model 3 SR", "tesla-model-3-sr-2024", "tesla-ccs1-to-nacs", 170),
    ("2025 Kia EV6", "kia-ev6-lr-2025", "hmg-ccs1-to-nacs", 126),  # 800 V pack boosting
    ("EV9 GT-Line 2026", "kia-ev9-lr-2026", "hmg-ccs1-to-nacs", 126),
    ("2025 Model Y Juniper", "tesla-model-y-lr-2025", "tesla-ccs1-to-nacs", 250),
]


@pytest.mark.parametrize(("words", "vehicle_id", "adapter_id", "nacs_peak_kw"), NACS_MODEL_YEARS)
async def test_nacs_inlet_model_years_at_a_nacs_and_a_ccs1_stall(
    rig: Rig, words: str, vehicle_id: str, adapter_id: str, nacs_peak_kw: float
) -> None:
    found = (await rig.client.get(f"/api/vehicles/{words}")).json()
    nacs = await rig.client.post(
        "/api/compat/estimate", json={"vehicle": words, "connector": {"type": "nacs"}}
    )
    ccs1 = await rig.client.post(
        "/api/compat/estimate", json={"vehicle": words, "connector": {"type": "ccs1"}}
    )

    assert (found["id"], found["inlets"]) == (vehicle_id, ["nacs"])
    assert {f["name"]: f["source"] for f in found["facts"]}["usable_kwh"]
    at_nacs, at_ccs1 = nacs.json(), ccs1.json()
    assert nacs.status_code == ccs1.status_code == 200, (at_nacs, at_ccs1)
    assert at_nacs["works"] is True
    assert at_nacs["option"]["adapter"] is None  # native plug
    assert at_nacs["estimate"]["peak_power_w"] == pytest.approx(nacs_peak_kw * 1000, rel=0.01)
    assert at_ccs1["works"] is True  # through the maker's own adapter
    assert at_ccs1["option"]["adapter"]["id"] == adapter_id
    assert at_ccs1["option"]["adapter"]["oem_approved"] is True


async def test_the_ccs1_model_years_stay_ccs1(rig: Rig) -> None:
    ev6 = (await rig.client.get("/api/vehicles/2024 EV6 Long Range")).json()
    ev9 = (await rig.client.get("/api/vehicles/2025 EV9")).json()

    assert (ev6["id"], ev6["inlets"]) == ("kia-ev6-lr-2022", ["ccs1"])
    assert (ev9["id"], ev9["inlets"]) == ("kia-ev9-lr-2024", ["ccs1"])


@pytest.mark.parametrize(
    ("words", "vehicle_id"),
    [
        ("2026 Leaf S+", "nissan-leaf-75-2026"),
        ("2026 bZ AWD", "toyota-bz-awd-2026"),
        ("2027 Bolt", "chevrolet-bolt-2027"),
    ],
)
async def test_a_nacs_inlet_car_without_a_makers_adapter_at_a_ccs1_stall(
    rig: Rig, words: str, vehicle_id: str
) -> None:
    ccs1 = {"vehicle": words, "connector": {"type": "ccs1"}}

    bare = (await rig.client.post("/api/compat/estimate", json=ccs1)).json()
    named = (
        await rig.client.post(
            "/api/compat/estimate", json={**ccs1, "adapter": "tesla-ccs1-to-nacs"}
        )
    ).json()
    native = (
        await rig.client.post(
            "/api/compat/estimate", json={"vehicle": words, "connector": {"type": "nacs"}}
        )
    ).json()

    assert bare["vehicle"]["id"] == named["vehicle"]["id"] == vehicle_id
    assert bare["works"] is False  # no maker's adapter is assumed
    assert bare["option"]["reason"]["code"] == "no_fit"
    assert named["works"] is True  # the driver's own (Tesla) adapter fits, with a warning
    assert named["option"]["adapter"]["id"] == "tesla-ccs1-to-nacs"
    assert "adapter_not_oem_approved" in {w["code"] for w in named["option"]["warnings"]}
    assert native["works"] is True
    assert native["option"]["adapter"] is None
    assert native["estimate"]["peak_power_w"] == pytest.approx(150_000)


# -- coverage (issue 19): new makers and models, found as drivers type them -------------------
@pytest.mark.parametrize(
    ("words", "vehicle_id", "fact", "value", "source_part"),
    [
        ("Model S Plaid 2022", "tesla-model-s-2021", "dc_max_power_kw", 250, "insideevs.com"),
        ("Model X Long Range 2023", "tesla-model-x-2021", "usable_kwh", 95, "atcontact.de"),
        ("Mercedes EQE SUV 2024", "mercedes-eqe-350-2023", "dc_max_power_kw", 170, "flotauto"),
        ("BMW i5 M60", "bmw-i5-2024", "usable_kwh", 81.2, "bev-database.com"),
        ("Audi Q4 e-tron 50 quattro", "audi-q4-etron-2022", "dc_max_power_kw", 125, "tu-auto"),
        ("Genesis GV60 Performance", "genesis-gv60-2023", "usable_kwh", 77.4, "rosevilletoday"),
        ("Macan Electric Turbo", "porsche-macan-electric-2024", "usable_kwh", 95, "pressreader"),
        ("Polestar 3 Dual Motor", "polestar-3-lr-2025", "usable_kwh", 107, "motoringnz"),
        ("Volvo EX30 Twin Motor", "volvo-ex30-2025", "usable_kwh", 64, "ecarsdrive"),
        ("Kona Electric 2021", "hyundai-kona-electric-2019", "dc_max_power_kw", 70, "electricrevs"),
        ("Kona Electric N Line", "hyundai-kona-electric-2024", "usable_kwh", 64.8, "automotive"),
        ("Niro EV 2020", "kia-niro-ev-2019", "usable_kwh", 64, "upnewsinfo"),
        ("bZ4X AWD 2024", "toyota-bz4x-awd-2023", "dc_max_power_kw", 100, "inkl.com"),
        ("Solterra 2024", "subaru-solterra-2023", "dc_max_power_kw", 100, "evupdatemedia"),
        ("Escalade IQ", "cadillac-escalade-iq-2025", "usable_kwh", 200, "wheels.ca"),
        ("Wagoneer S", "jeep-wagoneer-s-2024", "usable_kwh", 100.5, "macmegasite"),
        ("I-Pace 2020", "jaguar-i-pace-2019", "dc_max_power_kw", 100, "wired.co.uk"),
        ("R1S Standard 2025", "rivian-r1s-standard-2025", "usable_kwh", 92.5, "kilowattjournal"),
        ("Lexus RZ 450e", "lexus-rz-450e-2023", "dc_max_power_kw", 150, "breakinglatest"),
        ("Acura ZDX Type S", "acura-zdx-2024", "usable_kwh", 102, "vezess"),
        ("Fiat 500e", "fiat-500e-2024", "dc_max_power_kw", 85, "autoexpert.ca"),
        ("Volvo EX90", "volvo-ex90-2025", "dc_max_power_kw", 250, "kilowattjournal"),
        ("Audi SQ8 e-tron", "audi-q8-etron-2024", "usable_kwh", 106, "insideevs.com"),
        (
            "Polestar 2 Single Motor 2024",
            "polestar-2-lr-single-2024",
            "usable_kwh",
            82,
            "insurance",
        ),
        (
            "Polestar 2 Dual Motor 2025",
            "polestar-2-lr-dual-2024",
            "dc_max_power_kw",
            155,
            "insurance",
        ),
        ("Sierra EV Denali", "gmc-sierra-ev-denali-2024", "dc_max_power_kw", 350, "automoblog"),
        ("Mercedes EQB 300 4MATIC", "mercedes-eqb-2022", "usable_kwh", 70.5, "gagadget"),
    ],
)
async def test_the_new_models_resolve_with_a_sourced_fact(
    rig: Rig, words: str, vehicle_id: str, fact: str, value: float, source_part: str
) -> None:
    response = await rig.client.get(f"/api/vehicles/{words}")

    assert response.status_code == 200, response.text
    body = response.json()
    assert body["id"] == vehicle_id
    [found] = [f for f in body["facts"] if f["name"] == fact]
    assert found["value"] == value
    assert source_part in found["source"]


async def test_a_model_with_several_generations_needs_its_year(rig: Rig) -> None:
    detail = problem(await rig.client.get("/api/vehicles/Kona Electric"), 422)["detail"]

    assert "hyundai-kona-electric-2019" in detail
    assert "hyundai-kona-electric-2024" in detail


async def test_the_macan_splits_its_pack_at_a_400_v_charger(rig: Rig) -> None:
    """Porsche's 'bank charging': on a ~500 V unit the 800 V Macan charges as two 400 V
    halves, capped (its cap is estimated), not refused."""
    body = {
        "vehicle": "Macan Electric 4",
        "connector": {"type": "ccs1", "max_voltage_v": 500, "max_current_a": 600},
    }
    answer = (await rig.client.post("/api/compat/estimate", json=body)).json()

    assert answer["works"] is True
    assert answer["estimate"]["peak_power_w"] <= 150_000
    assert "pack_reconfiguration" in {band["constraint"] for band in answer["estimate"]["bands"]}


@pytest.mark.parametrize(("soc_from", "soc_to"), [(-5, 80), (10, 101), (120, 130)])
async def test_a_state_of_charge_outside_0_to_100_is_a_clear_422(
    rig: Rig, soc_from: float, soc_to: float
) -> None:
    body = {"vehicle": IONIQ_2025, "connector": {"type": "nacs"}, "soc_from": soc_from}
    body["soc_to"] = soc_to
    answer = await rig.client.post("/api/compat/estimate", json=body)
    query = {"vehicle": IONIQ_2025, "from": soc_from, "to": soc_to}
    recommend = await rig.client.get(f"/api/sites/{SITE}/recommend", params=query)

    for response in (answer, recommend):
        detail = problem(response, 422)["detail"]
        assert "from" in detail or "to" in detail  # names the field
        assert "greater than or equal to 0" in detail or "less than or equal to 100" in detail


async def test_the_2026_ioniq_6_has_a_nacs_inlet_and_the_2023_one_does_not(rig: Rig) -> None:
    body = {"vehicle": "2026 Ioniq 6", "connector": {"type": "nacs"}}
    new = (await rig.client.post("/api/compat/estimate", json=body)).json()
    old = (
        await rig.client.post("/api/compat/estimate", json=body | {"vehicle": "2024 Ioniq 6"})
    ).json()

    assert new["option"]["adapter"] is None
    assert old["option"]["adapter"]["id"] == "hmg-nacs-to-ccs1"
    kona = (await rig.client.get("/api/vehicles/Kona Electric 2024")).json()
    assert kona["oem_adapters"] == ["hmg-nacs-to-ccs1"]
