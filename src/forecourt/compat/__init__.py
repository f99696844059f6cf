"""Any car, any plug: vehicle/adapter catalogue, compatibility rules and charge-time estimates.

Pure and data-driven: imports only the standard library and ``forecourt.domain``; the only
I/O is reading the packaged catalogue and operator-supplied catalogue files.
"""

from forecourt.compat.catalogue import Catalogue, default_catalogue, load_catalogue
from forecourt.compat.chart import render_power_curve_svg
from forecourt.compat.estimate import (
    AC_CHARGING_EFFICIENCY,
    DC_CHARGING_EFFICIENCY,
    ConstraintBand,
    Estimate,
    estimate,
)
from forecourt.compat.model import (
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
from forecourt.compat.options import ChargePath, Notice, Option
from forecourt.compat.parsing import CatalogueError
from forecourt.compat.power import Constraint
from forecourt.compat.recommend import (
    Recommendation,
    best_option,
    clear_cache,
    drivers_adapters,
    recommend,
)
from forecourt.compat.rules import INLET_ACCEPTS, compatibility

# The connector status is the network's own (one place per rule); re-exported for callers.
from forecourt.domain.stations import ConnectorStatus

__all__ = [
    "AC_CHARGING_EFFICIENCY",
    "DC_CHARGING_EFFICIENCY",
    "INLET_ACCEPTS",
    "AcCapability",
    "Adapter",
    "Catalogue",
    "CatalogueError",
    "ChargePath",
    "Confidence",
    "ConnectorOffer",
    "ConnectorStatus",
    "Constraint",
    "ConstraintBand",
    "DcCapability",
    "Estimate",
    "LowVoltageBehaviour",
    "LowVoltageMode",
    "Notice",
    "Option",
    "Recommendation",
    "Sourced",
    "SourcedCurve",
    "ThermalFoldback",
    "ThermalPolicy",
    "Vehicle",
    "best_option",
    "clear_cache",
    "compatibility",
    "default_catalogue",
    "drivers_adapters",
    "estimate",
    "load_catalogue",
    "recommend",
    "render_power_curve_svg",
]
