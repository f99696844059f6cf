"""Meter samples: a neutral snapshot of one EVSE, rendered by each protocol dialect."""

from __future__ import annotations

import base64
import hashlib
import json
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


def render_v201(sample: MeterSample, selection: str, meter_id: str | None = None) -> Payload:
    """OCPP 2.0.1 MeterValueType: numeric values with a unitOfMeasure object. With a
    ``meter_id`` (a station with a signing meter) the register reading of a transaction's
    begin and end carries a ``signedMeterValue``."""
    values: list[Payload] = []
    for measurand, value in selected_values(sample, selection):
        sampled: Payload = {
            "value": value,
            "context": sample.context,
            "measurand": measurand.name,
            "location": measurand.location,
            "unitOfMeasure": {"unit": measurand.unit},
        }
        signs = sample.context in _SIGNED_CONTEXTS and measurand.name == REGISTER
        if meter_id is not None and signs:
            sampled["signedMeterValue"] = signed_register(sample, meter_id)
        values.append(sampled)
    return {"timestamp": ocpp_timestamp(sample.timestamp), "sampledValue": values}


#: Readings a signing meter signs (German Eichrecht: a transaction's start and end).
_SIGNED_CONTEXTS = {TRANSACTION_BEGIN: "B", TRANSACTION_END: "E"}
SIGNING_METHOD = "ECDSA-secp256r1-SHA256"


def meter_public_key(meter_id: str) -> str:
    """The simulated meter's public key, base64 (stable per meter; not a real key)."""
    return base64.b64encode(hashlib.sha256(f"key:{meter_id}".encode()).digest()).decode()


def signed_register(sample: MeterSample, meter_id: str) -> Payload:
    """A SignedMeterValueType for the register reading, in the OCMF layout
    (``OCMF|{payload}|{signature}``, base64 as 2.0.1 asks). Simulated: the "signature" is a
    SHA-256 digest of the payload, so it changes with the reading but proves nothing."""
    reading = {
        "TM": ocpp_timestamp(sample.timestamp),
        "TX": _SIGNED_CONTEXTS.get(sample.context, "T"),
        "RV": round(sample.register_wh / 1000, 4),
        "RI": "1-b:1.8.0",
        "RU": "kWh",
        "ST": "G",
    }
    payload = json.dumps({"FV": "1.0", "GS": meter_id, "RD": [reading]}, separators=(",", ":"))
    signature = {"SA": SIGNING_METHOD, "SD": hashlib.sha256(payload.encode()).hexdigest()}
    ocmf = f"OCMF|{payload}|{json.dumps(signature, separators=(',', ':'))}"
    return {
        "signedMeterData": base64.b64encode(ocmf.encode()).decode(),
        "signingMethod": SIGNING_METHOD,
        "encodingMethod": "OCMF",
        "publicKey": meter_public_key(meter_id),
    }
