"""Departures (API, CLI-equivalent body, the car's own NotifyEVChargingNeeds), per-phase
limits, external limits (NotifyChargingLimit / ClearedChargingLimit) and compat's estimate,
through the real API and service on SQLite (stations answer through the scripted gateway)."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

import pytest

from forecourt.compat.services.car_power import CompatCarPower
from forecourt.compat.services.compatibility import ChargeAdvisor
from forecourt.domain.connectors import ConnectorRating, ConnectorType, PowerType
from forecourt.domain.events import StationEventKind
from forecourt.domain.metering import Measurand, MeterSample
from forecourt.ports.car_power import CarAtConnector
from forecourt.services.access import Role
from forecourt.smart_charging.keys import SMART_CHARGING
from tests.smart_charging.test_api_and_service import NOW, SITE, Api, api, start

__all__ = ["api"]  # the fixture, shared with the API tests
IN_ONE_HOUR = (NOW + timedelta(hours=1)).isoformat()


def planned(load: dict[str, Any]) -> dict[str, float]:
    return {a["station_id"]: a["planned_w"] for a in load["allocations"]}


async def departure(api: Api, station: str, body: dict[str, Any]) -> int:
    path = f"/api/stations/{station}/evses/1/departure"
    return (await api.put(path, body)).status_code


async def test_a_drivers_departure_gets_its_car_the_power_it_needs(api: Api) -> None:
    """Any version (the AC station here says nothing itself): 20 kWh within the hour."""
    await start(api, "AC-1", "TAG-1")
    await start(api, "DC-1", "TAG-2")
    fair = (await api.put(f"/api/sites/{SITE}/load", {"limit": 30_000})).json()
    assert planned(fair) == {"AC-1": 15_000.0, "DC-1": 15_000.0}

    body = {"departure_at": IN_ONE_HOUR, "energy_wh": 20_000}
    assert await departure(api, "AC-1", body) == 204
    load = (
        await api.put(f"/api/sites/{SITE}/load", {"limit": 30_000, "policy": "departure"})
    ).json()

    assert planned(load) == {"AC-1": 20_000.0, "DC-1": 10_000.0}
    [ac] = [a for a in load["allocations"] if a["station_id"] == "AC-1"]
    assert (ac["energy_wh"], ac["need_w"], ac["departure_source"]) == (20_000.0, 20_000.0, "api")


async def test_the_cars_own_departure_counts_and_the_newest_wins(api: Api) -> None:
    await start(api, "AC-1", "TAG-1")
    await start(api, "DC-1", "TAG-2")
    await api.put(f"/api/sites/{SITE}/load", {"limit": 30_000, "policy": "departure"})
    needs = {"evse_id": 1, "transfer": "DC", "departure_at": IN_ONE_HOUR, "energy_wh": 24_000}
    await api.services.core.records.record("DC-1", StationEventKind.EV_CHARGING_NEEDS, needs)

    load = (await api.client.post(f"/api/sites/{SITE}/load/rebalance", headers=api.auth())).json()
    assert planned(load) == {"AC-1": 6_000.0, "DC-1": 24_000.0}
    [dc] = [a for a in load["allocations"] if a["station_id"] == "DC-1"]
    assert dc["departure_source"] == "car"

    # the driver says later they leave in two hours: half the power is enough
    later = (NOW + timedelta(hours=2)).isoformat()
    assert await departure(api, "DC-1", {"departure_at": later, "energy_wh": 24_000}) == 204
    load = (await api.client.get(f"/api/sites/{SITE}/load", headers=api.auth())).json()
    assert planned(load) == {"AC-1": 15_000.0, "DC-1": 15_000.0}


BAD_DEPARTURES = [
    ("AC-1", {"departure_at": IN_ONE_HOUR, "energy_wh": 1000}, 409),  # no session on it
    ("NOPE", {"departure_at": IN_ONE_HOUR, "energy_wh": 1000}, 404),
    ("DC-1", {"departure_at": "2026-12-07T10:00:00", "energy_wh": 1000}, 422),  # no offset
    ("DC-1", {"departure_at": IN_ONE_HOUR, "energy_wh": 0}, 422),
    ("DC-1", {"departure_at": IN_ONE_HOUR}, 422),
    ("DC-1", {"departure_at": (NOW + timedelta(days=8)).isoformat(), "energy_wh": 1}, 422),
]


@pytest.mark.parametrize(("station", "body", "status"), BAD_DEPARTURES)
async def test_bad_departures_get_precise_problems(
    api: Api, station: str, body: dict[str, Any], status: int
) -> None:
    await start(api, "DC-1", "TAG-1")
    answer = await api.put(f"/api/stations/{station}/evses/1/departure", body)
    assert answer.status_code == status, answer.text
    assert answer.headers["content-type"].startswith("application/problem+json")
    viewer = await api.put("/api/stations/DC-1/evses/1/departure", body, Role.VIEWER)
    assert viewer.status_code in (403, 422)


async def test_a_phase_limit_caps_every_phase(api: Api) -> None:
    await start(api, "AC-1", "TAG-1")
    await start(api, "DC-1", "TAG-2")
    body = {"limit": 100_000, "phase_limit_a": 32}
    load = (await api.put(f"/api/sites/{SITE}/load", body)).json()

    # both load three phases: 16 A each on every phase
    assert planned(load) == {"AC-1": 11_040.0, "DC-1": 11_040.0}
    assert load["phase_limit_a"] == 32
    assert load["phase_amps"] == {"1": 32.0, "2": 32.0, "3": 32.0}
    assert {a["reason"] for a in load["allocations"]} == {"phase_limit"}
    bad = await api.put(f"/api/sites/{SITE}/load", {"limit": 1, "phase_limit_a": -1})
    assert bad.status_code == 422


async def test_a_single_phase_car_counts_on_its_phase_only(api: Api) -> None:
    await start(api, "AC-1", "TAG-1")
    await start(api, "DC-1", "TAG-2")
    setting = await api.client.put(
        "/api/stations/AC-1/evses/1/load", json={"phase": 2}, headers=api.auth()
    )
    assert setting.status_code == 204
    needs = {"evse_id": 1, "transfer": "AC_single_phase", "max_current_a": 32,
             "max_voltage_v": 230}  # fmt: skip
    await api.services.core.records.record("AC-1", StationEventKind.EV_CHARGING_NEEDS, needs)
    load = await api.put(f"/api/sites/{SITE}/load", {"limit": 100_000, "phase_limit_a": 32})
    load = load.json()

    # L2 holds both (16 A each); the DC charger's 16 A on L1 and L3 leave room unused there
    assert planned(load) == {"AC-1": 3_680.0, "DC-1": 11_040.0}
    [ac] = [a for a in load["allocations"] if a["station_id"] == "AC-1"]
    assert ac["phases"] == [2]
    assert load["phase_amps"] == {"1": 16.0, "2": 32.0, "3": 16.0}
    sent = dict(api.profiles_sent())["AC-1"].profile.schedule.periods[0]
    assert (sent.limit, sent.phases) == (16.0, 1)  # amps on its one phase


async def test_an_external_limit_holds_until_the_station_clears_it(api: Api) -> None:
    """NotifyChargingLimit caps the EVSE; ClearedChargingLimit (through the bus) lifts it."""
    manager = api.services.feature(SMART_CHARGING)
    await manager.start()
    try:
        await start(api, "DC-1", "TAG-1")
        await api.put(f"/api/sites/{SITE}/load", {"limit": 100_000})
        schedule = {"unit": "W", "periods": [{"start_s": 0, "limit": 20_000, "phases": None}]}
        limit = {"evse_id": 1, "source": "EMS", "grid_critical": False, "schedules": [schedule]}
        records = api.services.core.records
        await records.record("DC-1", StationEventKind.CHARGING_LIMIT, limit)
        await api.services.ctx.bus.drain()
        assert planned(await _load(api))["DC-1"] == 20_000.0

        cleared = {"evse_id": 1, "source": "EMS"}
        await records.record("DC-1", StationEventKind.CHARGING_LIMIT_CLEARED, cleared)
        await api.services.ctx.bus.drain()
        load = await _load(api)
        assert planned(load)["DC-1"] == 100_000.0
        whys = [e["data"].get("why") for e in load["events"] if e["kind"] == "rebalanced"]
        assert whys[0] == "station.charging_limit_cleared"
    finally:
        await manager.stop()


async def test_compat_says_what_the_car_takes_at_its_soc(api: Api) -> None:
    """The driver names the car (with its year: "model 3" alone matches three); at 90 % SoC
    a 2021 Model 3 takes 32 kW, not its share."""
    await start(api, "AC-1", "TAG-1")
    tx = await start(api, "DC-1", "TAG-2")
    soc = [MeterSample(NOW, Measurand.SOC, 90, "%")]
    await api.services.core.transactions.meter_values("DC-1", 1, tx, soc)
    body = {"departure_at": IN_ONE_HOUR, "energy_wh": 5_000, "vehicle": "tesla model 3 2021"}
    assert await departure(api, "DC-1", body) == 204

    load = (await api.put(f"/api/sites/{SITE}/load", {"limit": 80_000})).json()

    assert planned(load)["DC-1"] == 32_000.0
    [dc] = [a for a in load["allocations"] if a["station_id"] == "DC-1"]
    assert (dc["reason"], dc["car_cap_w"]) == ("car_limit", 32_000.0)


async def test_a_departure_naming_several_cars_is_refused_naming_them(api: Api) -> None:
    """ "Model 3" alone matches several catalogue cars: no silent 204 without a cap."""
    tx = await start(api, "DC-1", "TAG-2")
    body = {"departure_at": IN_ONE_HOUR, "energy_wh": 5_000, "vehicle": "tesla model 3"}

    answer = await api.put("/api/stations/DC-1/evses/1/departure", body)

    assert answer.status_code == 422
    detail = answer.json()["detail"]
    assert "'tesla model 3' matches" in detail
    assert "tesla-model-3-lr-2020" in detail
    assert "tesla-model-3-sr-2024" in detail
    unknown = {**body, "vehicle": "Acme Zephyr 2031"}
    refused = await api.put("/api/stations/DC-1/evses/1/departure", unknown)
    assert refused.status_code == 422
    assert "no vehicle matches 'Acme Zephyr 2031'" in refused.json()["detail"]
    # the same car with its year is one car: kept as the catalogue id for the estimate
    one = {**body, "vehicle": "tesla model 3 2021"}
    assert (await api.put("/api/stations/DC-1/evses/1/departure", one)).status_code == 204
    soc = [MeterSample(NOW, Measurand.SOC, 90, "%")]
    await api.services.core.transactions.meter_values("DC-1", 1, tx, soc)
    load = (await api.put(f"/api/sites/{SITE}/load", {"limit": 80_000})).json()
    [dc] = [a for a in load["allocations"] if a["station_id"] == "DC-1"]
    assert dc["car_cap_w"] == 32_000.0


def test_a_station_soc_outside_0_to_100_is_clamped_and_logged(
    caplog: pytest.LogCaptureFixture,
) -> None:
    power = CompatCarPower(ChargeAdvisor())
    dc = ConnectorRating.from_limits(PowerType.DC, 1000, 500, 150_000)

    def at(soc: float) -> float | None:
        return power.can_take_w(CarAtConnector("tesla model 3 2021", soc, ConnectorType.CCS1, dc))

    with caplog.at_level("WARNING", logger="forecourt.compat.services.car_power"):
        assert at(130) == at(100)
        assert at(-4) == at(0)
    assert [r.getMessage() for r in caplog.records] == [
        "state of charge 130 % reported for tesla-model-3-lr-2020 is outside 0-100 %; clamped",
        "state of charge -4 % reported for tesla-model-3-lr-2020 is outside 0-100 %; clamped",
    ]


def test_compat_port_answers_by_soc_and_knows_its_cars() -> None:
    power = CompatCarPower(ChargeAdvisor())
    dc = ConnectorRating.from_limits(PowerType.DC, 1000, 500, 150_000)

    def at(vehicle: str, soc: float) -> float | None:
        return power.can_take_w(CarAtConnector(vehicle, soc, ConnectorType.CCS1, dc))

    assert at("hyundai-ioniq-5-lr-2022", 10) == 150_000  # the dispenser binds
    low, high = at("tesla model 3 2021", 50), at("tesla model 3 2021", 90)
    assert low is not None
    assert high is not None
    assert high < low  # the taper
    assert at("a car nobody makes", 50) is None


async def _load(api: Api) -> dict[str, Any]:
    return (await api.client.get(f"/api/sites/{SITE}/load", headers=api.auth())).json()
