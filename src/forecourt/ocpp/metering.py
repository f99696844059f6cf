"""Meter-value vocabulary shared by OCPP 1.6 and 2.0.1 (both use the same measurand strings).

Tables are explicit and total; tests check every wire value the schemas allow is mapped.
"""

from __future__ import annotations

import logging
import math
import re
from collections.abc import Mapping
from datetime import datetime
from typing import Any

from forecourt.domain.metering import (
    DEFAULT_UNITS,
    Measurand,
    MeterSample,
    ReadingContext,
    SignedMeterValue,
    normalise,
)
from forecourt.ocpp.errors import ErrorKind, OcppError

log = logging.getLogger("forecourt.ocpp")

MEASURANDS: dict[str, Measurand] = {
    "Current.Export": Measurand.CURRENT_EXPORT,
    "Current.Import": Measurand.CURRENT_IMPORT,
    "Current.Offered": Measurand.CURRENT_OFFERED,
    "Energy.Active.Export.Register": Measurand.ENERGY_EXPORT_REGISTER,
    "Energy.Active.Import.Register": Measurand.ENERGY_IMPORT_REGISTER,
    "Energy.Reactive.Export.Register": Measurand.OTHER,
    "Energy.Reactive.Import.Register": Measurand.OTHER,
    "Energy.Active.Export.Interval": Measurand.OTHER,
    "Energy.Active.Import.Interval": Measurand.ENERGY_IMPORT_INTERVAL,
    "Energy.Active.Net": Measurand.OTHER,
    "Energy.Reactive.Export.Interval": Measurand.OTHER,
    "Energy.Reactive.Import.Interval": Measurand.OTHER,
    "Energy.Reactive.Net": Measurand.OTHER,
    "Energy.Apparent.Net": Measurand.OTHER,
    "Energy.Apparent.Import": Measurand.OTHER,
    "Energy.Apparent.Export": Measurand.OTHER,
    "Frequency": Measurand.FREQUENCY,
    "Power.Active.Export": Measurand.POWER_EXPORT,
    "Power.Active.Import": Measurand.POWER_IMPORT,
    "Power.Factor": Measurand.POWER_FACTOR,
    "Power.Offered": Measurand.POWER_OFFERED,
    "Power.Reactive.Export": Measurand.OTHER,
    "Power.Reactive.Import": Measurand.OTHER,
    "RPM": Measurand.RPM,
    "SoC": Measurand.SOC,
    "Temperature": Measurand.TEMPERATURE,
    "Voltage": Measurand.VOLTAGE,
}

CONTEXTS: dict[str, ReadingContext] = {
    "Interruption.Begin": ReadingContext.INTERRUPTION_BEGIN,
    "Interruption.End": ReadingContext.INTERRUPTION_END,
    "Other": ReadingContext.OTHER,
    "Sample.Clock": ReadingContext.CLOCK,
    "Sample.Periodic": ReadingContext.PERIODIC,
    "Transaction.Begin": ReadingContext.TRANSACTION_BEGIN,
    "Transaction.End": ReadingContext.TRANSACTION_END,
    "Trigger": ReadingContext.TRIGGER,
}

DEFAULT_MEASURAND = "Energy.Active.Import.Register"  # both versions' documented default


def to_sample(
    timestamp: datetime,
    raw: Mapping[str, Any],
    value: float,
    unit: str | None,
    multiplier: int,
    signed: SignedMeterValue | None = None,
) -> MeterSample | None:
    """One SampledValue (version-specific value/unit already extracted) to a neutral sample,
    with the meter's signed form of it when the station sent one.

    None for a unit we cannot normalise: that one reading is dropped (and logged) rather than
    refusing the whole message, which may be the only record of a transaction's end.
    """
    measurand = MEASURANDS.get(raw.get("measurand", DEFAULT_MEASURAND), Measurand.OTHER)
    try:
        normalised, base_unit = normalise(value, unit, multiplier)
    except ValueError:
        log.warning("dropped a sampled value with unit %r", unit)
        return None
    return MeterSample(
        timestamp=timestamp,
        measurand=measurand,
        value=normalised,
        unit=base_unit or _default_unit(measurand),
        context=CONTEXTS.get(raw.get("context", "Sample.Periodic"), ReadingContext.OTHER),
        phase=raw.get("phase"),
        location=str(raw.get("location", "Outlet")).lower(),
        signed=signed,
    )


#: Signed data that names its format first, as OCMF does (``OCMF|{payload}|{signature}``).
_NAMED_FORMAT = re.compile(r"^([A-Za-z][A-Za-z0-9 ._-]{0,35})\|")


def encoding_named_in(signed_data: str) -> str:
    """The encoding method signed data names itself (``OCMF``), or '' (1.6 has no field)."""
    match = _NAMED_FORMAT.match(signed_data)
    return match.group(1) if match else ""


def sample_key(raw: Mapping[str, Any]) -> tuple[object, ...]:
    """What makes two sampled values of one meter value the same reading (a 1.6 ``SignedData``
    value and the ``Raw`` value it signs)."""
    return (
        raw.get("measurand", DEFAULT_MEASURAND),
        raw.get("context", "Sample.Periodic"),
        raw.get("phase"),
        raw.get("location", "Outlet"),
    )


def _default_unit(measurand: Measurand) -> str:
    return DEFAULT_UNITS.get(measurand, "")


#: 1.6 sampledValue.value with format Raw: "Value as a 'Raw' (decimal) number" (1.6 §7.45).
_DECIMAL = re.compile(r"[+-]?(?:\d+(?:\.\d*)?|\.\d+)(?:[eE][+-]?\d+)?")


def decimal_value(text: str) -> float:
    """A decimal-number string as a float; NaN when it is not one ("Infinity", "abc", "").

    NaN and an overflow such as "1e999" (infinite) are not energy: the domain's plausibility
    rule quarantines them when the message is accepted (see ``finite_or_reject``).
    """
    stripped = text.strip()
    return float(stripped) if _DECIMAL.fullmatch(stripped) else math.nan


def finite_or_reject(value: float, text: str, field: str) -> float:
    """In messages that carry no transaction lifecycle (MeterValues) a value that is not a
    finite decimal number is a malformed property: PropertyConstraintViolation (ADR 0002)."""
    if not math.isfinite(value):
        raise OcppError(
            ErrorKind.PROPERTY_CONSTRAINT,
            f"{field} is not a finite decimal number: {text[:40]!r}",
            {"field": field},
        )
    return value
