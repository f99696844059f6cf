"""Every knob of the detectors, with defaults an operator can override per station model.

Times are seconds, powers W, energies Wh. ``Thresholds.with_overrides`` validates a JSON-like
mapping (unknown names and negative numbers are refused) so a typo never passes silently.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import asdict, dataclass, fields, replace
from typing import Any


@dataclass(frozen=True, slots=True)
class Thresholds:
    # -- what a session achieved -------------------------------------------------------------
    min_energy_wh: float = 100.0  # less: the session dispensed nothing worth the name
    short_session_s: float = 120.0  # shorter, with less than short_energy_wh: a "short" session
    short_energy_wh: float = 1_000.0
    visit_gap_s: float = 900.0  # attempts by one driver at one station this close: one visit
    fault_after_s: float = 60.0  # the port Faulted this soon after a stop: not a success
    failing_sessions: int = 3  # consecutive failures that make an "Available" port down
    # -- power ---------------------------------------------------------------------------------
    dc_min_power_w: float = 150_000.0  # NEVI §680.106(d): up to 150 kW per DC port
    ac_min_power_w: float = 6_000.0  # NEVI: at least 6 kW per AC Level 2 port
    rated_power_w: float = 0.0  # model-wide rated power per port; 0 = from the connectors
    derate_ratio: float = 0.9  # Power.Offered below this share of the rating: derated
    binding_ratio: float = 0.85  # delivered at least this share of offered: the limit binds
    derate_min_samples: int = 3
    derate_sessions: int = 2  # derated sessions within the last derate_window: a pattern
    derate_window: int = 5
    module_step_ratio: float = 0.15  # a ceiling this far below the port's best: a step
    module_sessions: int = 3  # sessions stopped at the same ceiling: a lost module
    module_plateau_ratio: float = 0.1  # their peaks lie this close together
    normal_power_ratio: float = 0.9  # a session this close to the expected power is "normal"
    implausible_power_ratio: float = 1.5  # power above rating × this: the meter is wrong
    # -- connectors ----------------------------------------------------------------------------
    connector_failures: int = 3  # consecutive failed sessions on one connector
    # -- payment reader ------------------------------------------------------------------------
    reader_methods: str = "card_at_dispenser,rfid_account,roaming"  # need the card reader
    reader_min_share: float = 0.2  # only stations where the reader normally matters
    reader_min_history: int = 3  # sessions before the streak needed to know the mix
    reader_streak: int = 3  # other-method sessions in a row with no card session...
    reader_alpha: float = 0.05  # ...that chance alone explains less often than this
    # -- connectivity --------------------------------------------------------------------------
    offline_after_s: float = 300.0  # disconnected this long: an offline fault
    heartbeat_interval_s: float = 300.0  # what stations were told at boot
    heartbeat_gap_factor: float = 3.0  # connected but silent for this many intervals
    command_timeouts: int = 2  # commands timing out within command_window_s...
    command_window_s: float = 900.0  # ...while heartbeats still arrive: half-open
    reconnects: int = 5  # connections within reconnect_window_s: a reconnect loop
    reconnect_window_s: float = 600.0
    # -- silence -------------------------------------------------------------------------------
    silence_min_sessions: int = 5  # history needed before silence means anything
    silence_alpha: float = 0.001  # a gap this unlikely under the port's own session rate
    silence_min_s: float = 3_600.0  # and never a gap shorter than this
    silence_rejected_starts: int = 2  # remote starts refused by an "Available" station
    # -- clock and meter -----------------------------------------------------------------------
    clock_drift_s: float = 60.0
    # -- workflow ------------------------------------------------------------------------------
    ticket_min_confidence: float = 0.6  # findings below are recorded, never ticketed
    remediation_interval_s: float = 21_600.0  # at most one automatic soft reset per 6 h
    tick_s: float = 5.0  # how often time-based detectors look at the clock

    def with_overrides(self, overrides: Mapping[str, Any]) -> Thresholds:
        return replace(self, **checked_overrides(overrides))

    def as_dict(self) -> dict[str, Any]:
        return asdict(self)

    @property
    def reader_method_set(self) -> frozenset[str]:
        return frozenset(m.strip() for m in self.reader_methods.split(",") if m.strip())


_TYPES = {f.name: f.type for f in fields(Thresholds)}
#: Far above any real threshold (about 31,700 years in seconds), yet every value still fits a
#: ``timedelta`` and a 64-bit integer: larger ones would crash the detectors later.
MAX_THRESHOLD = 10**12


def checked_overrides(overrides: Mapping[str, Any]) -> dict[str, Any]:
    """Validated, type-converted overrides; ValueError names what is wrong."""
    out: dict[str, Any] = {}
    for name, value in overrides.items():
        kind = _TYPES.get(name)
        if kind is None:
            raise ValueError(f"unknown threshold {name!r}")
        out[name] = _convert(name, kind, value)
    return out


def _convert(name: str, kind: object, value: Any) -> Any:
    if kind == "str":
        if not isinstance(value, str):
            raise ValueError(f"{name} must be text")
        return value
    if isinstance(value, bool) or not isinstance(value, int | float):
        raise ValueError(f"{name} must be a number")
    if value < 0:
        raise ValueError(f"{name} must not be negative")
    if value > MAX_THRESHOLD:
        raise ValueError(f"{name} must be at most {MAX_THRESHOLD}")
    if kind == "int":
        if int(value) != value:
            raise ValueError(f"{name} must be a whole number")
        return int(value)
    return float(value)


def resolve(
    defaults: Thresholds, per_model: Mapping[str, Mapping[str, Any]], model: str
) -> Thresholds:
    """The thresholds for a station model: defaults, then the model's overrides."""
    overrides = per_model.get(model)
    return defaults.with_overrides(overrides) if overrides else defaults
