"""Small, exact vehicles, adapters and connectors so each rule can be tested in isolation."""

from __future__ import annotations

from forecourt.compat.domain import (
    AcCapability,
    Adapter,
    Confidence,
    ConnectorOffer,
    DcCapability,
    LowVoltageBehaviour,
    LowVoltageMode,
    Sourced,
    SourcedCurve,
    ThermalFoldback,
    ThermalPolicy,
    Vehicle,
)
from forecourt.domain.connectors import ConnectorRating, ConnectorType, PowerType

EST = Confidence.ESTIMATED


def fact(value: float) -> Sourced:
    return Sourced(value, "test", EST)


def curve(*points: tuple[float, float]) -> SourcedCurve:
    return SourcedCurve(tuple(points), "test", EST)


def flat(value: float) -> SourcedCurve:
    return curve((0, value), (100, value))


def vehicle(
    *,
    inlets: tuple[ConnectorType, ...] = (ConnectorType.CCS1,),
    kwh: float = 100.0,
    volts: SourcedCurve | None = None,
    curve_kw: SourcedCurve | None = None,
    max_current_a: float = 10_000.0,
    low_voltage: LowVoltageMode = LowVoltageMode.NOT_NEEDED,
    low_voltage_kw: float | None = None,
    boost_min_v: float | None = None,
    ac_kw: float = 11.5,
    dc: bool = True,
    make: str = "Testmake",
    oem_adapters: tuple[str, ...] = (),
) -> Vehicle:
    capability = None
    if dc:
        capability = DcCapability(
            max_power_kw=fact(400),
            max_current_a=fact(max_current_a),
            curve_kw=curve_kw or flat(200),
            low_voltage=LowVoltageBehaviour(
                low_voltage,
                "test",
                EST,
                None if low_voltage_kw is None else fact(low_voltage_kw),
                min_evse_voltage_v=None if boost_min_v is None else fact(boost_min_v),
            ),
        )
    return Vehicle(
        id="test-vehicle",
        make=make,
        model="Model",
        model_years=(2024, 2024),
        trim="",
        inlets=inlets,
        usable_kwh=fact(kwh),
        nominal_voltage_v=fact(400),
        pack_voltage_v=volts or flat(400),
        dc=capability,
        ac=AcCapability(fact(ac_kw), 1),
        oem_adapter_ids=oem_adapters,
    )


def adapter(
    adapter_id: str = "test-adapter",
    *,
    station: ConnectorType = ConnectorType.NACS,
    vehicle_plug: ConnectorType = ConnectorType.CCS1,
    dc: bool = True,
    ac: bool = False,
    volts: float = 1000,
    amps: float = 500,
    thermal: ThermalPolicy = ThermalPolicy.NONE,
    trigger_ambient_c: float | None = None,
    oem: bool = True,
    makes: tuple[str, ...] = ("Testmake",),
    built_in: bool = False,
) -> Adapter:
    return Adapter(
        id=adapter_id,
        name=f"Adapter {adapter_id}",
        station_plug=station,
        vehicle_plug=vehicle_plug,
        dc=dc,
        ac=ac,
        max_voltage_v=fact(volts),
        max_current_a=fact(amps),
        thermal=ThermalFoldback(thermal, "test", EST, trigger_ambient_c, None, None),
        oem_approved=oem,
        approved_for_makes=makes,
        built_in=built_in,
    )


def dc_connector(
    connector_type: ConnectorType = ConnectorType.CCS1,
    *,
    volts: float = 1000,
    amps: float = 500,
    kw: float = 350,
    connector_id: str = "c1",
    **extra: object,
) -> ConnectorOffer:
    rating = ConnectorRating(PowerType.DC, volts, amps, kw * 1000)
    return ConnectorOffer(connector_id, connector_type, rating, **extra)  # type: ignore[arg-type]


def ac_connector(
    connector_type: ConnectorType = ConnectorType.J1772,
    *,
    volts: float = 240,
    amps: float = 48,
    connector_id: str = "a1",
) -> ConnectorOffer:
    rating = ConnectorRating.from_limits(PowerType.AC_1_PHASE, volts, amps)
    return ConnectorOffer(connector_id, connector_type, rating)
