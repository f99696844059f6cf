"""Meter samples: a neutral snapshot of one EVSE, rendered by each protocol dialect."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime

from forecourt.simulator.rpc import Payload
from forecourt.simulator.session import ChargingSession, EvseState, ocpp_timestamp, utc_now

# Reading contexts have the same spelling in OCPP 1.6 and 2.0.1.
TRANSACTION_BEGIN = "Transaction.Begin"
SAMPLE_PERIODIC = "Sample.Periodic"
TRANSACTION_END = "Transaction.End"
TRIGGER = "Trigger"
REGISTER = "Energy.Active.Import.Register"


@dataclass(frozen=True)
class MeterSample:
    timestamp: datetime
    context: str
    register_wh: float
    power_w: float
    offered_w: float
    current_a: float
    voltage_v: float
    soc: float | None  # None on AC: J1772 / Type 2 carry no state of charge


@dataclass(frozen=True)
class Measurand:
    name: str
    unit: str
    location: str
    decimals: int
    read: Callable[[MeterSample], float | None]


MEASURANDS: tuple[Measurand, ...] = (
    Measurand(REGISTER, "Wh", "Outlet", 0, lambda s: s.register_wh),
    Measurand("Power.Active.Import", "W", "Outlet", 0, lambda s: s.power_w),
    Measurand("Power.Offered", "W", "Outlet", 0, lambda s: s.offered_w),
    Measurand("Current.Import", "A", "Outlet", 1, lambda s: s.current_a),
    Measurand("Voltage", "V", "Outlet", 1, lambda s: s.voltage_v),
    Measurand("SoC", "Percent", "EV", 1, lambda s: s.soc),
)


def take_sample(session: ChargingSession, context: str) -> MeterSample:
    reading = session.charge.reading
    return MeterSample(
        timestamp=utc_now(),
        context=context,
        register_wh=session.meter_now_wh,
        power_w=reading.delivered_w,
        offered_w=reading.offered_w or session.evse.config.max_power_w,
        current_a=reading.current_a,
        voltage_v=reading.voltage_v,
        soc=session.soc if session.evse.config.is_dc else None,
    )


def idle_sample(evse: EvseState, context: str) -> MeterSample:
    """What an EVSE without a session reports when asked (TriggerMessage)."""
    return MeterSample(
        utc_now(), context, evse.register_wh, 0.0, evse.config.max_power_w, 0, 0, None
    )


def selected_values(sample: MeterSample, selection: str) -> list[tuple[Measurand, float]]:
    """The measurands configured in MeterValuesSampledData (the register always), rounded."""
    wanted = {name.strip() for name in selection.split(",")} | {REGISTER}
    values: list[tuple[Measurand, float]] = []
    for measurand in MEASURANDS:
        value = measurand.read(sample)
        if measurand.name in wanted and value is not None:
            values.append((measurand, round(value, measurand.decimals)))
    return values


def render_v16(sample: MeterSample, selection: str) -> Payload:
    """OCPP 1.6 MeterValue: values are strings; units and contexts are enum strings."""
    return {
        "timestamp": ocpp_timestamp(sample.timestamp),
        "sampledValue": [
            {
                "value": f"{value:.{measurand.decimals}f}",
                "context": sample.context,
                "format": "Raw",
                "measurand": measurand.name,
                "location": measurand.location,
                "unit": measurand.unit,
            }
            for measurand, value in selected_values(sample, selection)
        ],
    }


def render_v201(sample: MeterSample, selection: str) -> Payload:
    """OCPP 2.0.1 MeterValueType: numeric values with a unitOfMeasure object."""
    return {
        "timestamp": ocpp_timestamp(sample.timestamp),
        "sampledValue": [
            {
                "value": value,
                "context": sample.context,
                "measurand": measurand.name,
                "location": measurand.location,
                "unitOfMeasure": {"unit": measurand.unit},
            }
            for measurand, value in selected_values(sample, selection)
        ],
    }
