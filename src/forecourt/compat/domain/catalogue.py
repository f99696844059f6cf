"""The vehicle and adapter catalogue: packaged JSON plus operator-supplied files.

Operator files use the same format (``{"vehicles": [...], "adapters": [...]}``); an entry
whose ``id`` already exists replaces the packaged one, so operators can correct data.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass
from functools import cache
from importlib import resources
from os import PathLike
from pathlib import Path
from types import MappingProxyType
from typing import TypeVar

from forecourt.compat.domain.model import (
    AcCapability,
    Adapter,
    DcCapability,
    InletEnd,
    InletPosition,
    InletSide,
    LowVoltageBehaviour,
    LowVoltageMode,
    ThermalFoldback,
    ThermalPolicy,
    Vehicle,
)
from forecourt.compat.domain.parsing import CatalogueError, Reader
from forecourt.domain.connectors import ConnectorType

_PACKAGED = ("adapters.json", "vehicles.json")
T = TypeVar("T")


@dataclass(frozen=True, slots=True)
class Catalogue:
    vehicles: Mapping[str, Vehicle]
    adapters: Mapping[str, Adapter]

    def vehicle(self, vehicle_id: str) -> Vehicle:
        try:
            return self.vehicles[vehicle_id]
        except KeyError:
            raise KeyError(f"no vehicle {vehicle_id!r} in the catalogue") from None

    def adapter(self, adapter_id: str) -> Adapter:
        try:
            return self.adapters[adapter_id]
        except KeyError:
            raise KeyError(f"no adapter {adapter_id!r} in the catalogue") from None

    def built_in_adapter(self, cable: ConnectorType, presents: ConnectorType) -> Adapter | None:
        """The dispenser-integrated adapter on a ``cable`` plug that presents ``presents`` to
        the car (OCPP 2.1 ``cNACS-CCS1`` is NACS presenting CCS1: the Magic Dock)."""
        return next(
            (
                a
                for a in self.adapters.values()
                if a.built_in and a.station_plug is cable and a.vehicle_plug is presents
            ),
            None,
        )


def load_catalogue(extra_paths: Iterable[str | PathLike[str]] = ()) -> Catalogue:
    """Load the packaged catalogue and merge operator files over it, in order."""
    vehicles: dict[str, Vehicle] = {}
    adapters: dict[str, Adapter] = {}
    origin: dict[str, str] = {}
    sources = [(name, _packaged_text(name)) for name in _PACKAGED]
    sources += [(str(path), Path(path).read_text(encoding="utf-8")) for path in extra_paths]
    for label, text in sources:
        new_vehicles, new_adapters = _parse_file(label, text)
        adapters.update(new_adapters)
        vehicles.update(new_vehicles)
        origin.update(dict.fromkeys(new_vehicles, label))
    _check_references(vehicles, adapters, origin)
    return Catalogue(MappingProxyType(vehicles), MappingProxyType(adapters))


@cache
def default_catalogue() -> Catalogue:
    """The packaged catalogue, loaded once."""
    return load_catalogue()


def _packaged_text(name: str) -> str:
    return (
        resources.files("forecourt.compat.domain")
        .joinpath("data", name)
        .read_text(encoding="utf-8")
    )


def _parse_file(label: str, text: str) -> tuple[dict[str, Vehicle], dict[str, Adapter]]:
    try:
        data = json.loads(text)
    except json.JSONDecodeError as exc:
        raise CatalogueError(label, "file", "", f"invalid JSON: {exc}") from None
    top = Reader(data, label, "file")
    top.only("vehicles", "adapters", "comment")
    vehicles = _entries(top, "vehicles", _vehicle)
    adapters = _entries(top, "adapters", _adapter)
    return vehicles, adapters


def _entries(top: Reader, key: str, parse: Callable[[Reader], T]) -> dict[str, T]:
    raw = top.data.get(key, [])
    if not isinstance(raw, list):
        raise top.error(key, "expected a list")
    parsed: dict[str, T] = {}
    for index, item in enumerate(raw):
        entry = f"{key}[{index}]"
        if isinstance(item, Mapping) and isinstance(item.get("id"), str):
            entry += f" (id {item['id']!r})"
        reader = Reader(item, top.file, entry)
        item_id = reader.text("id")
        if item_id in parsed:
            raise reader.error("id", f"duplicate id {item_id!r} in this file")
        parsed[item_id] = parse(reader)
    return parsed


def _vehicle(r: Reader) -> Vehicle:
    r.only(
        "id", "make", "model", "model_years", "trim", "inlets", "oem_adapters", "usable_kwh",
        "nominal_voltage_v", "pack_voltage_v", "dc", "ac", "notes", "aliases", "inlet_position",
    )  # fmt: skip
    return Vehicle(
        id=r.text("id"),
        make=r.text("make"),
        model=r.text("model"),
        model_years=_years(r),
        trim=r.text("trim", ""),
        inlets=_inlets(r),
        usable_kwh=r.sourced("usable_kwh", minimum=1, maximum=400),
        nominal_voltage_v=r.sourced("nominal_voltage_v", minimum=100, maximum=1500),
        pack_voltage_v=r.curve("pack_voltage_v", maximum=1500),
        dc=_dc(r.child("dc")) if r.has("dc") else None,
        ac=_ac(r.child("ac")),
        oem_adapter_ids=r.strings("oem_adapters"),
        notes=r.text("notes", ""),
        aliases=r.strings("aliases"),
        inlet_position=_inlet_position(r.child("inlet_position"))
        if r.has("inlet_position")
        else None,
    )


def _inlet_position(r: Reader) -> InletPosition:
    r.only("side", "end", "source", "confidence", "note")
    source, confidence, note = r.provenance()
    return InletPosition(
        r.choice("side", InletSide), r.choice("end", InletEnd), source, confidence, note
    )


def _years(r: Reader) -> tuple[int, int]:
    raw = r.raw("model_years")
    if not (isinstance(raw, list) and len(raw) == 2 and all(type(y) is int for y in raw)):
        raise r.error("model_years", "expected [first, last] model years as integers")
    first, last = raw
    if not 1990 <= first <= last <= 2100:
        raise r.error("model_years", f"{first}..{last} is not a plausible range")
    return first, last


def _inlets(r: Reader) -> tuple[ConnectorType, ...]:
    inlets = []
    for index, value in enumerate(r.strings("inlets")):
        try:
            inlet = ConnectorType(value)
        except ValueError:
            inlet = ConnectorType.UNKNOWN
        if inlet is ConnectorType.UNKNOWN:
            raise r.error(f"inlets[{index}]", f"{value!r} is not a known inlet type")
        inlets.append(inlet)
    if not inlets:
        raise r.error("inlets", "a vehicle needs at least one inlet")
    return tuple(inlets)


def _dc(r: Reader) -> DcCapability:
    r.only("max_power_kw", "max_current_a", "curve_kw", "low_voltage")
    low = r.child("low_voltage")
    low.only("mode", "max_power_kw", "min_evse_voltage_v", "source", "confidence", "note")
    mode = low.choice("mode", LowVoltageMode)
    cap = low.sourced("max_power_kw", maximum=2000) if low.has("max_power_kw") else None
    if mode is LowVoltageMode.BOOST and cap is None:
        raise low.error("max_power_kw", "a boosting vehicle needs its boost power cap")
    floor = None
    if low.has("min_evse_voltage_v"):
        if mode is not LowVoltageMode.BOOST:
            raise low.error("min_evse_voltage_v", "only a boosting vehicle has a boost minimum")
        floor = low.sourced("min_evse_voltage_v", minimum=50, maximum=1500)
    return DcCapability(
        max_power_kw=r.sourced("max_power_kw", minimum=1, maximum=2000),
        max_current_a=r.sourced("max_current_a", minimum=1, maximum=3000),
        curve_kw=r.curve("curve_kw", maximum=2000),
        low_voltage=LowVoltageBehaviour(
            mode, *low.provenance()[:2], cap, low.text("note", ""), floor
        ),
    )


def _ac(r: Reader) -> AcCapability:
    r.only("max_power_kw", "phases")
    phases = int(r.number("phases", minimum=1, maximum=3))
    return AcCapability(r.sourced("max_power_kw", minimum=0.5, maximum=50), phases)


def _adapter(r: Reader) -> Adapter:
    r.only(
        "id", "name", "station_plug", "vehicle_plug", "dc", "ac", "max_voltage_v",
        "max_current_a", "thermal", "oem_approved", "approved_for_makes", "products",
        "built_in", "notes",
    )  # fmt: skip
    station, vehicle = (
        r.choice("station_plug", ConnectorType),
        r.choice("vehicle_plug", ConnectorType),
    )
    if station is vehicle:
        raise r.error("vehicle_plug", "an adapter must change the plug type")
    dc, ac = r.flag("dc"), r.flag("ac")
    if not (dc or ac):
        raise r.error("dc", "an adapter must carry AC, DC or both")
    return Adapter(
        id=r.text("id"),
        name=r.text("name"),
        station_plug=station,
        vehicle_plug=vehicle,
        dc=dc,
        ac=ac,
        max_voltage_v=r.sourced("max_voltage_v", minimum=50, maximum=1500),
        max_current_a=r.sourced("max_current_a", minimum=1, maximum=1500),
        thermal=_thermal(r.child("thermal")),
        oem_approved=r.flag("oem_approved"),
        approved_for_makes=r.strings("approved_for_makes"),
        products=r.strings("products"),
        built_in=r.flag("built_in", False),
        notes=r.text("notes", ""),
    )


def _thermal(r: Reader) -> ThermalFoldback:
    r.only(
        "policy", "trigger_ambient_c", "trigger_current_a", "foldback_current_a", "source",
        "confidence", "note",
    )  # fmt: skip
    policy = r.choice("policy", ThermalPolicy)
    source, confidence, note = r.provenance()

    def optional(key: str, low: float, high: float) -> float | None:
        return r.number(key, minimum=low, maximum=high) if r.has(key) else None

    ambient = optional("trigger_ambient_c", -40, 80)
    if policy in (ThermalPolicy.HALVE, ThermalPolicy.CAP) and ambient is None:
        raise r.error("trigger_ambient_c", f"policy {policy.value!r} needs a trigger ambient")
    cap = optional("foldback_current_a", 1, 1500)
    if policy is ThermalPolicy.CAP and cap is None:
        raise r.error("foldback_current_a", "policy 'cap' needs foldback_current_a")
    trigger = optional("trigger_current_a", 1, 1500)
    return ThermalFoldback(policy, source, confidence, ambient, trigger, cap, note)


def _check_references(
    vehicles: Mapping[str, Vehicle], adapters: Mapping[str, Adapter], origin: Mapping[str, str]
) -> None:
    for vehicle in vehicles.values():
        for index, adapter_id in enumerate(vehicle.oem_adapter_ids):
            if adapter_id not in adapters:
                entry = f"vehicle {vehicle.id!r}"
                field = f"oem_adapters[{index}]"
                problem = f"unknown adapter id {adapter_id!r}"
                raise CatalogueError(origin[vehicle.id], entry, field, problem)
