"""Any car, any plug: vehicle/adapter catalogue, compatibility rules and charge-time estimates.

Pure and data-driven: imports only the standard library and ``forecourt.domain``; the only
I/O is reading the packaged catalogue and operator-supplied catalogue files.
"""

from forecourt.compat.domain.catalogue import Catalogue, default_catalogue, load_catalogue
from forecourt.compat.domain.chart import render_power_curve_svg
from forecourt.compat.domain.estimate import (
    AC_CHARGING_EFFICIENCY,
    DC_CHARGING_EFFICIENCY,
    ConstraintBand,
    Estimate,
    estimate,
)
from forecourt.compat.domain.model import (
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
from forecourt.compat.domain.options import ChargePath, Notice, Option
from forecourt.compat.domain.parsing import CatalogueError
from forecourt.compat.domain.power import Constraint
from forecourt.compat.domain.recommend import (
    Recommendation,
    best_option,
    clear_cache,
    drivers_adapters,
    recommend,
)
from forecourt.compat.domain.rules import INLET_ACCEPTS, compatibility

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
