"""The packaged catalogue is complete and sourced; bad operator files fail precisely."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from forecourt.compat.domain import (
    CatalogueError,
    Confidence,
    LowVoltageMode,
    Sourced,
    SourcedCurve,
    default_catalogue,
    load_catalogue,
)
from forecourt.domain.connectors import ConnectorType

REQUIRED_MODELS = {
    ("Tesla", "Model 3"), ("Tesla", "Model Y"), ("Tesla", "Cybertruck"),
    ("Hyundai", "Ioniq 5"), ("Hyundai", "Ioniq 6"), ("Kia", "EV6"), ("Kia", "EV9"),
    ("Ford", "Mustang Mach-E"), ("Ford", "F-150 Lightning"), ("Chevrolet", "Bolt EV"),
    ("Chevrolet", "Equinox EV"), ("Chevrolet", "Blazer EV"), ("Chevrolet", "Silverado EV"),
    ("Cadillac", "Lyriq"), ("Rivian", "R1T"), ("Lucid", "Air"), ("Porsche", "Taycan"),
    ("Nissan", "LEAF"), ("Nissan", "Ariya"), ("Honda", "Prologue"),
}  # fmt: skip


def _facts(vehicle: Any) -> list[Sourced | SourcedCurve]:
    found = [vehicle.usable_kwh, vehicle.nominal_voltage_v, vehicle.pack_voltage_v]
    found.append(vehicle.ac.max_power_kw)
    if vehicle.dc is not None:
        dc = vehicle.dc
        found += [dc.max_power_kw, dc.max_current_a, dc.curve_kw]
        if dc.low_voltage.max_power_kw is not None:
            found.append(dc.low_voltage.max_power_kw)
    return found


def test_packaged_catalogue_covers_the_north_american_market() -> None:
    catalogue = default_catalogue()
    assert len(catalogue.vehicles) >= 30
    models = {(v.make, v.model) for v in catalogue.vehicles.values()}
    assert models >= REQUIRED_MODELS
    inlets = {inlet for v in catalogue.vehicles.values() for inlet in v.inlets}
    assert inlets >= {ConnectorType.NACS, ConnectorType.CCS1, ConnectorType.CHADEMO}


def test_every_number_carries_a_source_and_confidence() -> None:
    catalogue = default_catalogue()
    for vehicle in catalogue.vehicles.values():
        for fact in _facts(vehicle):
            assert fact.source.strip(), vehicle.id
            assert isinstance(fact.confidence, Confidence)
    for adapter in catalogue.adapters.values():
        for fact in (adapter.max_voltage_v, adapter.max_current_a):
            assert fact.source.strip(), adapter.id
        assert adapter.thermal.source.strip()


def test_catalogue_is_physically_plausible() -> None:
    for vehicle in default_catalogue().vehicles.values():
        if vehicle.dc is None:
            continue
        peak_curve = max(kw for _, kw in vehicle.dc.curve_kw.points)
        assert peak_curve <= vehicle.dc.max_power_kw.value * 1.1, vehicle.id
        pack_peak = max(v for _, v in vehicle.pack_voltage_v.points)
        if pack_peak > 500:  # 800 V class: must say what happens on ~500 V EVSE
            assert vehicle.dc.low_voltage.mode is not LowVoltageMode.NOT_NEEDED, vehicle.id


def test_oem_adapter_references_resolve() -> None:
    catalogue = default_catalogue()
    ford = catalogue.vehicle("ford-mustang-mach-e-er-2021")
    assert catalogue.adapter(ford.oem_adapter_ids[0]).station_plug is ConnectorType.NACS


def test_lookup_errors_name_the_id() -> None:
    with pytest.raises(KeyError, match="no vehicle 'nope'"):
        default_catalogue().vehicle("nope")
    with pytest.raises(KeyError, match="no adapter 'nope'"):
        default_catalogue().adapter("nope")


def _vehicle_entry() -> dict[str, Any]:
    raw = json.loads(
        (Path(__file__).parents[2] / "src/forecourt/compat/domain/data/vehicles.json").read_text()
    )
    entry: dict[str, Any] = json.loads(json.dumps(raw["vehicles"][0]))
    entry["id"] = "operator-car"
    entry["oem_adapters"] = []
    return entry


def _write(tmp_path: Path, payload: object) -> Path:
    path = tmp_path / "operator.json"
    path.write_text(json.dumps(payload) if not isinstance(payload, str) else payload)
    return path


def test_operator_file_adds_and_overrides(tmp_path: Path) -> None:
    added = _vehicle_entry()
    override = _vehicle_entry()
    override["id"] = "tesla-model-3-lr-2020"
    override["usable_kwh"] = {
        "value": 74,
        "source": "operator fleet data",
        "confidence": "measured-third-party",
    }
    catalogue = load_catalogue([_write(tmp_path, {"vehicles": [added, override]})])
    assert "operator-car" in catalogue.vehicles
    assert catalogue.vehicle("tesla-model-3-lr-2020").usable_kwh.value == 74
    assert len(catalogue.vehicles) == len(default_catalogue().vehicles) + 1


def _error_for(tmp_path: Path, mutate: Any) -> CatalogueError:
    entry = _vehicle_entry()
    mutate(entry)
    with pytest.raises(CatalogueError) as caught:
        load_catalogue([_write(tmp_path, {"vehicles": [entry]})])
    return caught.value


@pytest.mark.parametrize(
    ("mutate", "field", "problem"),
    [
        (lambda e: e.pop("usable_kwh"), "usable_kwh", "missing"),
        (lambda e: e["usable_kwh"].update(value="77"), "usable_kwh.value", "expected a number"),
        (lambda e: e["usable_kwh"].update(value=-1), "usable_kwh.value", "outside"),
        (lambda e: e["usable_kwh"].pop("source"), "usable_kwh.source", "missing"),
        (
            lambda e: e["usable_kwh"].update(confidence="sure"),
            "usable_kwh.confidence",
            "not one of",
        ),
        (lambda e: e.update(usable_kw=1), "usable_kw", "unknown field"),
        (lambda e: e.update(inlets=["tesla"]), "inlets[0]", "not a known inlet"),
        (lambda e: e.update(model_years=[2025, 2020]), "model_years", "plausible"),
        (
            lambda e: e["dc"]["curve_kw"].update(points=[[0, 1], [50, 2], [40, 3]]),
            "dc.curve_kw.points[2]",
            "strictly increase",
        ),
        (
            lambda e: e["dc"]["curve_kw"].update(points=[[0, 1]]),
            "dc.curve_kw.points",
            "at least two",
        ),
        (
            lambda e: e["dc"]["curve_kw"].update(points=[[0, 1], [120, 2]]),
            "dc.curve_kw.points[1]",
            "outside",
        ),
        (
            lambda e: e["dc"]["low_voltage"].update(mode="boost"),
            "dc.low_voltage.max_power_kw",
            "boost power cap",
        ),
        (
            lambda e: e.update(oem_adapters=["no-such-adapter"]),
            "oem_adapters[0]",
            "unknown adapter id",
        ),
    ],
)
def test_schema_errors_name_file_entry_and_field(
    tmp_path: Path, mutate: Any, field: str, problem: str
) -> None:
    error = _error_for(tmp_path, mutate)
    assert error.file.endswith("operator.json")
    assert "operator-car" in error.entry
    assert error.field == field
    assert problem in error.problem
    assert field in str(error)
    assert "operator.json" in str(error)


def test_duplicate_ids_in_one_file_are_rejected(tmp_path: Path) -> None:
    path = _write(tmp_path, {"vehicles": [_vehicle_entry(), _vehicle_entry()]})
    with pytest.raises(CatalogueError, match=r"vehicles\[1\].*duplicate id 'operator-car'"):
        load_catalogue([path])


def test_invalid_json_and_wrong_shapes(tmp_path: Path) -> None:
    with pytest.raises(CatalogueError, match="invalid JSON"):
        load_catalogue([_write(tmp_path, "{not json")])
    with pytest.raises(CatalogueError, match="field 'vehicles': expected a list"):
        load_catalogue([_write(tmp_path, {"vehicles": {}})])
    with pytest.raises(CatalogueError, match=r"vehicles\[0\]: expected an object, got a list"):
        load_catalogue([_write(tmp_path, {"vehicles": [[]]})])


def test_adapter_rules_are_checked(tmp_path: Path) -> None:
    raw = json.loads(
        (Path(__file__).parents[2] / "src/forecourt/compat/domain/data/adapters.json").read_text()
    )
    adapter = dict(raw["adapters"][0], id="op-adapter", ac=False, dc=False)
    with pytest.raises(CatalogueError, match=r"op-adapter.*field 'dc': an adapter must carry"):
        load_catalogue([_write(tmp_path, {"adapters": [adapter]})])
    adapter = dict(
        raw["adapters"][0], id="op-adapter", vehicle_plug=raw["adapters"][0]["station_plug"]
    )
    with pytest.raises(CatalogueError, match="must change the plug type"):
        load_catalogue([_write(tmp_path, {"adapters": [adapter]})])


def test_the_documented_operator_example_loads(tmp_path: Path) -> None:
    doc = (Path(__file__).parents[2] / "docs/compat.md").read_text()
    example = doc.split("```json\n", 1)[1].split("```", 1)[0]
    catalogue = load_catalogue([_write(tmp_path, example)])
    assert catalogue.vehicle("acme-van-2025").name == "2025 Acme Van LR"
