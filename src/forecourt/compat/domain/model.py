"""Data model of the compatibility engine: sourced facts, vehicles, adapters, connectors.

Every number that comes from the catalogue carries where it came from and how sure we
are (:class:`Confidence`), so the API can show drivers and operators what an estimate
rests on.
"""

from __future__ import annotations

from bisect import bisect_right
from dataclasses import dataclass, field
from enum import StrEnum

from forecourt.domain.connectors import ConnectorRating, ConnectorType
from forecourt.domain.stations import ConnectorStatus


class Confidence(StrEnum):
    PUBLISHED = "published"  # the maker's own figure
    MEASURED = "measured-third-party"  # a named third party measured it
    ESTIMATED = "estimated"  # derived or assumed; see the note


@dataclass(frozen=True, slots=True)
class Sourced:
    """One number with its provenance."""

    value: float
    source: str
    confidence: Confidence
    note: str = ""


@dataclass(frozen=True, slots=True)
class SourcedCurve:
    """A piecewise-linear function of state of charge (%), with its provenance."""

    points: tuple[tuple[float, float], ...]
    source: str
    confidence: Confidence
    note: str = ""
    _socs: tuple[float, ...] = field(init=False, repr=False, compare=False)

    def __post_init__(self) -> None:
        if len(self.points) < 2:
            raise ValueError("a curve needs at least two points")
        object.__setattr__(self, "_socs", tuple(soc for soc, _ in self.points))

    def at(self, soc: float) -> float:
        """Value at ``soc``, interpolated linearly and held flat beyond the end points."""
        points = self.points
        index = bisect_right(self._socs, soc)
        if index == 0:
            return points[0][1]
        if index == len(points):
            return points[-1][1]
        (soc0, value0), (soc1, value1) = points[index - 1], points[index]
        return value0 + (value1 - value0) * (soc - soc0) / (soc1 - soc0)


class LowVoltageMode(StrEnum):
    """What a car does when its pack voltage is above what the EVSE can deliver."""

    NOT_NEEDED = "not_needed"  # 400 V-class pack: if it ever happens, charging stops
    BOOST = "boost"  # on-board DC-DC (or motor-inverter) boost, capped in kW
    RECONFIGURE = "reconfigure"  # pack switches its halves to parallel (half voltage)
    CANNOT_CHARGE = "cannot_charge"


@dataclass(frozen=True, slots=True)
class LowVoltageBehaviour:
    mode: LowVoltageMode
    source: str
    confidence: Confidence
    max_power_kw: Sourced | None = None  # cap while boosting / reconfigured
    note: str = ""
    #: the lowest EVSE (or adapter) maximum voltage the boost path can start from; below it
    #: the car cannot charge there (``None``: no minimum known)
    min_evse_voltage_v: Sourced | None = None

    def boost_unavailable(self, evse_max_v: float) -> bool:
        """Whether a boosting car cannot boost from an EVSE that reaches ``evse_max_v``."""
        floor = self.min_evse_voltage_v
        return self.mode is LowVoltageMode.BOOST and floor is not None and evse_max_v < floor.value


@dataclass(frozen=True, slots=True)
class DcCapability:
    max_power_kw: Sourced
    max_current_a: Sourced
    curve_kw: SourcedCurve  # power at the connector vs SoC on an unconstrained charger
    low_voltage: LowVoltageBehaviour


@dataclass(frozen=True, slots=True)
class AcCapability:
    max_power_kw: Sourced  # on-board charger limit
    phases: int  # phases the on-board charger uses (North America: 1)


class InletSide(StrEnum):
    LEFT = "left"  # driver's side in North America
    RIGHT = "right"
    CENTER = "center"  # in the nose or tail (e.g. the Nissan LEAF)


class InletEnd(StrEnum):
    FRONT = "front"
    REAR = "rear"


@dataclass(frozen=True, slots=True)
class InletPosition:
    """Where the DC (or only) inlet is on the car, seen from the driver's seat."""

    side: InletSide
    end: InletEnd
    source: str
    confidence: Confidence
    note: str = ""

    def describe(self) -> str:
        if self.side is InletSide.CENTER:
            return "in the nose" if self.end is InletEnd.FRONT else "in the tail"
        return f"{self.end.value} {self.side.value}"


@dataclass(frozen=True, slots=True)
class Vehicle:
    id: str
    make: str
    model: str
    model_years: tuple[int, int]
    trim: str
    inlets: tuple[ConnectorType, ...]
    usable_kwh: Sourced
    nominal_voltage_v: Sourced
    pack_voltage_v: SourcedCurve  # pack voltage while charging vs SoC
    dc: DcCapability | None
    ac: AcCapability
    oem_adapter_ids: tuple[str, ...] = ()
    notes: str = ""
    #: other trim names sold with this entry's pack and limits ("SV Plus", "4S"), for lookup
    aliases: tuple[str, ...] = ()
    #: where the (DC) inlet is, for stall fit (``stalls.py``); None: not known
    inlet_position: InletPosition | None = None

    @property
    def name(self) -> str:
        first, last = self.model_years
        years = str(first) if first == last else f"{first}–{last}"
        return f"{years} {self.make} {self.model} {self.trim}".strip()


class ThermalPolicy(StrEnum):
    """How an adapter reduces current when it gets hot (J3400 / UL 2251 thermal foldback)."""

    NONE = "none"  # no foldback: the adapter relies on the EVSE and vehicle
    HALVE = "halve"  # current halved while folded back
    CAP = "cap"  # current capped at ``foldback_current_a`` while folded back
    UNKNOWN = "unknown"  # not documented: assume nothing, warn the driver


@dataclass(frozen=True, slots=True)
class ThermalFoldback:
    policy: ThermalPolicy
    source: str
    confidence: Confidence
    trigger_ambient_c: float | None = None  # folded back at or above this ambient
    trigger_current_a: float | None = None  # ... and only when drawing more than this
    foldback_current_a: float | None = None  # the cap for ``CAP``
    note: str = ""

    def current_limit_a(self, max_current_a: float, ambient_c: float | None) -> float | None:
        """Folded-back current limit at ``ambient_c``, or ``None`` when not folded back."""
        if self.policy in (ThermalPolicy.NONE, ThermalPolicy.UNKNOWN) or ambient_c is None:
            return None
        if self.trigger_ambient_c is None or ambient_c < self.trigger_ambient_c:
            return None
        if self.policy is ThermalPolicy.HALVE:
            limit = max_current_a / 2
        else:
            limit = min(max_current_a, self.foldback_current_a or max_current_a)
        if self.trigger_current_a is not None:
            limit = max(limit, min(self.trigger_current_a, max_current_a))
        return limit


@dataclass(frozen=True, slots=True)
class Adapter:
    """A coupler adapter: takes ``station_plug`` and presents ``vehicle_plug`` to the car."""

    id: str
    name: str
    station_plug: ConnectorType
    vehicle_plug: ConnectorType
    dc: bool
    ac: bool
    max_voltage_v: Sourced
    max_current_a: Sourced
    thermal: ThermalFoldback
    oem_approved: bool
    approved_for_makes: tuple[str, ...] = ()
    products: tuple[str, ...] = ()
    built_in: bool = False  # part of a dispenser (e.g. Tesla Magic Dock), not carried
    notes: str = ""


@dataclass(frozen=True, slots=True)
class ConnectorOffer:
    """One connector as a driver would meet it now: plug, nameplate and live state."""

    connector_id: str
    connector_type: ConnectorType
    rating: ConnectorRating
    status: ConnectorStatus = ConnectorStatus.AVAILABLE
    status_reason: str = ""
    available_power_w: float | None = None  # cabinet power left for this cable right now
    derated_power_w: float | None = None  # e.g. failed cooling or a lost power module
    derate_reason: str = ""
    built_in_adapter_id: str | None = None
    label: str = ""

    def class_key(self) -> tuple[object, ...]:
        """Everything that changes an estimate; connectors sharing it share estimates."""
        rating = self.rating  # flattened: hashing plain values is much cheaper
        return (
            self.connector_type,
            rating.power_type,
            rating.max_voltage_v,
            rating.max_current_a,
            rating.max_power_w,
            self.available_power_w,
            self.derated_power_w,
            self.built_in_adapter_id,
        )
