"""Bodies of the catalogue API: vehicles and adapters, every number with its source."""

from __future__ import annotations

from pydantic import BaseModel, Field

from forecourt.compat.domain import Adapter, Sourced, Vehicle
from forecourt.domain.connectors import ConnectorType


class FactOut(BaseModel):
    """A number with where it came from."""

    name: str
    value: float
    unit: str
    source: str
    confidence: str = Field(description="`published`, `measured-third-party` or `estimated`.")
    note: str

    @classmethod
    def of(cls, name: str, fact: Sourced, unit: str) -> FactOut:
        return cls(
            name=name,
            value=fact.value,
            unit=unit,
            source=fact.source,
            confidence=fact.confidence.value,
            note=fact.note,
        )


class VehicleOut(BaseModel):
    id: str
    name: str
    make: str
    model: str
    model_years: tuple[int, int]
    trim: str
    aliases: list[str] = Field(description="Other trim names sold with this pack and limits.")
    inlets: list[ConnectorType]
    usable_kwh: float
    peak_dc_power_w: float | None = Field(description="None: the vehicle cannot DC charge.")
    ac_power_w: float
    above_evse_voltage: str | None = Field(
        description="What the car does on an EVSE below its pack voltage: `not_needed`, "
        "`boost`, `reconfigure` or `cannot_charge`."
    )
    oem_adapters: list[str]
    curve_confidence: str | None
    facts: list[FactOut]

    @classmethod
    def from_domain(cls, vehicle: Vehicle) -> VehicleOut:
        dc = vehicle.dc
        facts = [
            FactOut.of("usable_kwh", vehicle.usable_kwh, "kWh"),
            FactOut.of("nominal_voltage_v", vehicle.nominal_voltage_v, "V"),
            FactOut.of("ac_max_power_kw", vehicle.ac.max_power_kw, "kW"),
        ]
        if dc is not None:
            facts.append(FactOut.of("dc_max_power_kw", dc.max_power_kw, "kW"))
            facts.append(FactOut.of("dc_max_current_a", dc.max_current_a, "A"))
            if dc.low_voltage.min_evse_voltage_v is not None:
                boost_min = dc.low_voltage.min_evse_voltage_v
                facts.append(FactOut.of("dc_boost_min_evse_voltage_v", boost_min, "V"))
        return cls(
            id=vehicle.id,
            name=vehicle.name,
            make=vehicle.make,
            model=vehicle.model,
            model_years=vehicle.model_years,
            trim=vehicle.trim,
            aliases=list(vehicle.aliases),
            inlets=list(vehicle.inlets),
            usable_kwh=vehicle.usable_kwh.value,
            peak_dc_power_w=dc.max_power_kw.value * 1000 if dc else None,
            ac_power_w=vehicle.ac.max_power_kw.value * 1000,
            above_evse_voltage=dc.low_voltage.mode.value if dc else None,
            oem_adapters=list(vehicle.oem_adapter_ids),
            curve_confidence=dc.curve_kw.confidence.value if dc else None,
            facts=facts,
        )


class AdapterOut(BaseModel):
    id: str
    name: str
    station_plug: ConnectorType
    vehicle_plug: ConnectorType
    dc: bool
    ac: bool
    max_voltage_v: float
    max_current_a: float
    thermal_foldback: str
    oem_approved: bool
    approved_for_makes: list[str]
    built_in: bool = Field(description="Part of a dispenser (e.g. Magic Dock), not carried.")
    products: list[str]
    notes: str
    facts: list[FactOut]

    @classmethod
    def from_domain(cls, adapter: Adapter) -> AdapterOut:
        return cls(
            id=adapter.id,
            name=adapter.name,
            station_plug=adapter.station_plug,
            vehicle_plug=adapter.vehicle_plug,
            dc=adapter.dc,
            ac=adapter.ac,
            max_voltage_v=adapter.max_voltage_v.value,
            max_current_a=adapter.max_current_a.value,
            thermal_foldback=adapter.thermal.policy.value,
            oem_approved=adapter.oem_approved,
            approved_for_makes=list(adapter.approved_for_makes),
            built_in=adapter.built_in,
            products=list(adapter.products),
            notes=adapter.notes,
            facts=[
                FactOut.of("max_voltage_v", adapter.max_voltage_v, "V"),
                FactOut.of("max_current_a", adapter.max_current_a, "A"),
            ],
        )
