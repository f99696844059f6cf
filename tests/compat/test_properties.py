"""Monotonicity properties of the estimator over the real catalogue (Hypothesis)."""

from __future__ import annotations

from hypothesis import given, settings
from hypothesis import strategies as st

from forecourt.compat.domain import (
    ConnectorOffer,
    Vehicle,
    compatibility,
    default_catalogue,
    estimate,
)
from forecourt.compat.domain.estimate import Estimate
from forecourt.domain.connectors import ConnectorRating, ConnectorType, PowerType

DC_VEHICLES = sorted(
    (v for v in default_catalogue().vehicles.values() if v.dc is not None), key=lambda v: v.id
)
_DC_PLUG = {ConnectorType.CCS1: ConnectorType.CCS1, ConnectorType.NACS: ConnectorType.NACS,
            ConnectorType.CHADEMO: ConnectorType.CHADEMO}  # fmt: skip

vehicles = st.sampled_from(DC_VEHICLES)
volts = st.floats(min_value=400, max_value=1000)
amps = st.floats(min_value=50, max_value=800)
kws = st.floats(min_value=20, max_value=400)
socs = st.floats(min_value=0, max_value=100)


def _run(
    car: Vehicle, v: float, a: float, kw: float, start: float = 10, end: float = 80
) -> Estimate | None:
    """Estimate on a native plug; ``None`` when the car cannot use this EVSE at all."""
    plug = next(_DC_PLUG[inlet] for inlet in car.inlets if inlet in _DC_PLUG)
    connector = ConnectorOffer("p", plug, ConnectorRating(PowerType.DC, v, a, kw * 1000))
    options = [o for o in compatibility(car, connector, ()) if o.works]
    return estimate(car, connector, options[0], start, end) if options else None


def _no_worse(better: Estimate | None, worse: Estimate | None) -> bool:
    if worse is None or better is None:
        return worse is None
    if better.reached_soc != worse.reached_soc:
        return better.reached_soc > worse.reached_soc
    return better.duration_s <= worse.duration_s * (1 + 1e-9)


@settings(max_examples=150, deadline=None)
@given(vehicles, volts, amps, kws, st.floats(min_value=0, max_value=300))
def test_more_evse_power_is_never_slower(
    car: Vehicle, v: float, a: float, kw: float, extra: float
) -> None:
    assert _no_worse(_run(car, v, a, kw + extra), _run(car, v, a, kw))


@settings(max_examples=150, deadline=None)
@given(vehicles, volts, amps, kws, st.floats(min_value=0, max_value=500))
def test_more_evse_current_is_never_slower(
    car: Vehicle, v: float, a: float, kw: float, extra: float
) -> None:
    assert _no_worse(_run(car, v, a + extra, kw), _run(car, v, a, kw))


@settings(max_examples=150, deadline=None)
@given(vehicles, socs, socs, socs)
def test_higher_target_is_never_faster_and_needs_more_energy(
    car: Vehicle, start: float, end1: float, end2: float
) -> None:
    start, low, high = sorted((start, end1, end2))
    if not start < low:
        return
    near = _run(car, 1000, 500, 350, start, low)
    far = _run(car, 1000, 500, 350, start, high)
    assert near is not None
    assert far is not None
    assert far.duration_s >= near.duration_s
    assert far.energy_to_battery_kwh >= near.energy_to_battery_kwh
    assert far.energy_from_grid_kwh >= near.energy_from_grid_kwh


@settings(max_examples=150, deadline=None)
@given(vehicles, socs, socs, socs)
def test_lower_start_is_never_faster(
    car: Vehicle, start1: float, start2: float, end: float
) -> None:
    low, high, end = sorted((start1, start2, end))
    if not high < end:
        return
    early, late = _run(car, 1000, 500, 350, low, end), _run(car, 1000, 500, 350, high, end)
    assert early is not None
    assert late is not None
    assert early.duration_s >= late.duration_s


@settings(max_examples=100, deadline=None)
@given(vehicles, volts, amps, kws)
def test_power_never_exceeds_any_nameplate(car: Vehicle, v: float, a: float, kw: float) -> None:
    result = _run(car, v, a, kw, 0, 100)
    if result is None:
        return
    assert car.dc is not None
    for soc, watts in result.curve:
        assert watts <= kw * 1000 + 1e-6
        nearby = max(car.dc.curve_kw.at(soc + delta) for delta in (-0.5, 0, 0.5))
        assert watts <= nearby * 1000 + 1e-6
