"""Detector state machines, one observation at a time (pure, no I/O)."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import UTC, datetime, timedelta

import pytest

from forecourt.reliability.domain.detectors.connector import ConnectorWatch
from forecourt.reliability.domain.detectors.link import LinkWatch
from forecourt.reliability.domain.detectors.meter import DriftWatch, MeterWatch
from forecourt.reliability.domain.detectors.payment import ReaderWatch
from forecourt.reliability.domain.detectors.power import PowerWatch
from forecourt.reliability.domain.detectors.silence import RefusalWatch, SilenceWatch
from forecourt.reliability.domain.model import FaultKind, Finding, PortRef
from forecourt.reliability.domain.sessions import (
    PowerSample,
    SessionEnd,
    SessionOutcome,
    classify,
)
from forecourt.reliability.domain.thresholds import Thresholds

T0 = datetime(2027, 6, 1, 12, 0, tzinfo=UTC)
PORT = PortRef("CS", 1)
LIMITS = Thresholds()


def t(seconds: float) -> datetime:
    return T0 + timedelta(seconds=seconds)


def end(
    tx: int, *, peak: float = 150_000, energy: float = 20_000, token: str = "A", **kw: object
) -> SessionEnd:
    values: dict[str, object] = {
        "port": PORT,
        "connector_id": 1,
        "transaction_id": tx,
        "started_at": t(tx * 3600),
        "stopped_at": t(tx * 3600 + 1800),
        "energy_wh": energy,
        "peak_power_w": peak,
        "id_token": token,
        **kw,
    }
    return SessionEnd(**values)  # type: ignore[arg-type]


def run_session(
    watch: PowerWatch, tx: int, powers: Sequence[tuple[float, float]], token: str = "A"
) -> list[Finding]:
    for index, (power, offered) in enumerate(powers):
        watch.on_sample(PowerSample(PORT, 1, tx, t(tx * 3600 + index * 10), power, offered), LIMITS)
    peak = max(p for p, _ in powers)
    return watch.on_end(end(tx, peak=peak, token=token), True, LIMITS)


# -- session outcomes ---------------------------------------------------------------------------
@pytest.mark.parametrize(
    ("kwargs", "outcome"),
    [
        ({}, SessionOutcome.SUCCESS),
        ({"energy": 0.0}, SessionOutcome.ZERO_ENERGY),
        ({"energy": 0.0, "token": None}, SessionOutcome.ABANDONED),
        ({"auth_accepted": False, "energy": 0.0}, SessionOutcome.NOT_AUTHORIZED),
        ({"stop_reason": "ground_fault"}, SessionOutcome.ERROR_STOP),
        ({"energy": 500.0, "stopped_at": t(3660)}, SessionOutcome.SHORT),
    ],
)
def test_classify(kwargs: dict[str, object], outcome: SessionOutcome) -> None:
    token = kwargs.pop("token", "A")
    session = end(1, token=token, **kwargs)  # type: ignore[arg-type]
    assert classify(session, LIMITS) is outcome


# -- power --------------------------------------------------------------------------------------
def test_one_derated_session_is_an_observation_two_vehicles_make_a_pattern() -> None:
    watch = PowerWatch(PORT, rated_w=150_000)
    derated = [(75_000, 75_000)] * 5
    (first,) = run_session(watch, 1, derated, token="A")
    assert first.kind is FaultKind.DERATED
    assert first.confidence < LIMITS.ticket_min_confidence
    assert not watch.derate_active
    (second,) = run_session(watch, 2, derated, token="B")
    assert second.confidence >= 0.8
    assert second.evidence["vehicles"] == 2
    assert watch.derate_active
    assert watch.capability_w == 75_000


def test_a_slow_vehicle_is_not_a_derated_station() -> None:
    watch = PowerWatch(PORT, rated_w=150_000)
    # the car takes 40 kW while the station offers all 150 kW: nothing binds
    assert run_session(watch, 1, [(40_000, 150_000)] * 5) == []
    # offered low but the car takes far less: the station's limit does not bind either
    assert run_session(watch, 2, [(20_000, 75_000)] * 5) == []


def test_derating_clears_on_a_session_at_full_offer() -> None:
    watch = PowerWatch(PORT, rated_w=150_000)
    run_session(watch, 1, [(75_000, 75_000)] * 5, "A")
    run_session(watch, 2, [(75_000, 75_000)] * 5, "B")
    (cleared,) = run_session(watch, 3, [(150_000, 150_000)] * 5, "A")
    assert not cleared.active
    assert not watch.derate_active


def test_power_module_step_across_vehicles() -> None:
    watch = PowerWatch(PORT, rated_w=150_000)
    run_session(watch, 1, [(150_000, 150_000)] * 5)  # history: full power
    assert run_session(watch, 2, [(100_000, 150_000)] * 5, "A") == []
    assert run_session(watch, 3, [(50_000, 150_000)] * 5, "B") == []  # a 50 kW car: ignored
    assert run_session(watch, 4, [(100_000, 150_000)] * 5, "B") == []
    (finding,) = run_session(watch, 5, [(100_000, 150_000)] * 5, "C")
    assert finding.kind is FaultKind.POWER_MODULE_LOSS
    assert finding.evidence["ceiling_w"] == 100_000
    assert finding.confidence >= 0.8
    assert watch.capability_w == 100_000
    (recovered,) = run_session(watch, 6, [(150_000, 150_000)] * 5)
    assert not recovered.active


def test_the_same_car_stopping_at_the_same_power_is_not_enough() -> None:
    watch = PowerWatch(PORT, rated_w=150_000)
    run_session(watch, 1, [(150_000, 150_000)] * 5)
    for tx in (2, 3):
        run_session(watch, tx, [(100_000, 150_000)] * 5, "SAME")
    (finding,) = run_session(watch, 4, [(100_000, 150_000)] * 5, "SAME")
    assert finding.confidence < LIMITS.ticket_min_confidence


# -- connectors ---------------------------------------------------------------------------------
def test_connector_fault_needs_a_streak_and_a_working_sibling_raises_confidence() -> None:
    watch = ConnectorWatch("CS")
    zero = end(1, energy=0.0)
    assert watch.on_end(zero, SessionOutcome.ZERO_ENERGY, LIMITS) == []
    sibling = SessionEnd(PortRef("CS", 2), 1, 2, t(5500), t(6000), 20_000, 150_000)
    watch.on_end(sibling, SessionOutcome.SUCCESS, LIMITS)
    watch.on_end(end(3, energy=0.0), SessionOutcome.NOT_AUTHORIZED, LIMITS)  # not counted
    watch.on_end(end(4, energy=0.0), SessionOutcome.ZERO_ENERGY, LIMITS)
    (finding,) = watch.on_end(end(5, energy=0.0), SessionOutcome.ZERO_ENERGY, LIMITS)
    assert finding.evidence["failed_sessions"] == [1, 4, 5]
    assert finding.evidence["working_siblings"] == ["2/1"]
    assert finding.confidence == 0.9
    (cleared,) = watch.on_end(end(6), SessionOutcome.SUCCESS, LIMITS)
    assert not cleared.active


def test_sessions_interrupted_by_a_reset_or_deauthorization_do_not_blame_the_connector() -> None:
    watch = ConnectorWatch("CS")
    for tx, reason in enumerate(("hard_reset", "deauthorized", "reboot", "superseded"), start=1):
        interrupted = end(tx, stop_reason=reason)
        assert watch.on_end(interrupted, SessionOutcome.ERROR_STOP, LIMITS) == [], reason
    for tx in (5, 6):
        assert watch.on_end(end(tx, stop_reason="ground_fault"), SessionOutcome.ERROR_STOP,
                            LIMITS) == []  # fmt: skip
    (finding,) = watch.on_end(end(7, stop_reason="power_loss"), SessionOutcome.ERROR_STOP, LIMITS)
    assert finding.evidence["failed_sessions"] == [5, 6, 7]


# -- payment reader -----------------------------------------------------------------------------
def test_reader_silence_judged_against_the_station_mix() -> None:
    watch = ReaderWatch("CS")
    for method in ("app", "rfid_account", "app", "card_at_dispenser"):
        assert watch.on_session(method, T0, LIMITS) == []
    # cards started 2 of 4: (1/2)^4 = 6.3 % of the time 4 others in a row are luck, 5: 3.1 %
    for _ in range(3):
        assert watch.on_session("app", T0, LIMITS) == []
    assert watch.on_session("plug_and_charge", T0, LIMITS) == []
    (finding,) = watch.on_session("app", T0, LIMITS)
    assert finding.evidence["chance"] == pytest.approx(0.5**5, abs=1e-5)
    (cleared,) = watch.on_session("card_at_dispenser", T0, LIMITS)
    assert not cleared.active


def test_a_station_where_cards_are_rare_is_never_judged() -> None:
    watch = ReaderWatch("CS")
    for method in ["app"] * 10 + ["card_at_dispenser"] + ["app"] * 20:
        assert watch.on_session(method, T0, LIMITS) == []  # 1 in 11: below reader_min_share
    fresh = ReaderWatch("CS")
    for method in ["card_at_dispenser"] + ["app"] * 20:
        assert fresh.on_session(method, T0, LIMITS) == []  # one session is no history


def test_abandoned_plug_ins_count_as_sessions_without_a_card() -> None:
    watch = ReaderWatch("CS")
    for method in ("rfid_account", "app", "rfid_account"):
        watch.on_session(method, T0, LIMITS)
    watch.on_session(None, T0, LIMITS, abandoned=True)
    watch.on_session("app", T0, LIMITS)
    (finding,) = watch.on_session("app", T0, LIMITS)
    assert finding.evidence["abandoned"] == 1
    assert watch.on_session(None, T0, LIMITS) == []  # unidentified but charged: no evidence


# -- link ---------------------------------------------------------------------------------------
def test_offline_only_after_the_grace_and_cleared_on_reconnect() -> None:
    link = LinkWatch("CS")
    link.on_connected(t(0), LIMITS)
    link.on_disconnected(t(10))
    assert link.tick(t(10 + LIMITS.offline_after_s - 1), LIMITS) == []
    (offline,) = link.tick(t(10 + LIMITS.offline_after_s), LIMITS)
    assert offline.kind is FaultKind.OFFLINE
    assert link.tick(t(1000), LIMITS) == []  # reported once
    (back,) = link.on_connected(t(2000), LIMITS)
    assert not back.active


def test_heartbeat_gap_on_a_connected_station() -> None:
    link = LinkWatch("CS")
    link.on_connected(t(0), LIMITS)
    allowed = LIMITS.heartbeat_interval_s * LIMITS.heartbeat_gap_factor
    assert link.tick(t(allowed), LIMITS) == []
    (gap,) = link.tick(t(allowed + 1), LIMITS)
    assert gap.evidence["signal"] == "heartbeat_gap"
    assert link.silent_since == t(0)
    (heard,) = link.on_heard(t(allowed + 5))
    assert not heard.active


def test_half_open_needs_timeouts_while_heartbeats_arrive() -> None:
    link = LinkWatch("CS")
    link.on_connected(t(0), LIMITS)
    assert link.on_command("timeout", t(10), LIMITS) == []
    (half,) = link.on_command("timeout", t(20), LIMITS)
    assert half.kind is FaultKind.HALF_OPEN
    assert link.first_timeout == t(10)
    (answered,) = link.on_command("accepted", t(30), LIMITS)
    assert not answered.active
    silent = LinkWatch("CS")
    silent.on_connected(t(0), LIMITS)
    late = LIMITS.heartbeat_interval_s * LIMITS.heartbeat_gap_factor + 10
    silent.on_command("timeout", t(late), LIMITS)
    assert silent.on_command("timeout", t(late + 1), LIMITS) == []  # nothing heard: not half-open


def test_reconnect_loop() -> None:
    link = LinkWatch("CS")
    for second in range(LIMITS.reconnects - 1):
        assert link.on_connected(t(second), LIMITS) == []
    (loop,) = link.on_connected(t(LIMITS.reconnects), LIMITS)
    assert loop.kind is FaultKind.RECONNECT_LOOP


# -- silence ------------------------------------------------------------------------------------
def test_silence_is_judged_against_the_ports_own_rhythm() -> None:
    silence = SilenceWatch("CS", 1)
    for index in range(5):
        silence.on_start(t(index * 1800))  # one session every 30 min
    limit = silence.limit_s(LIMITS)
    assert limit is not None
    assert limit == pytest.approx(1800 * 6.9077, rel=1e-3)  # ln(1/0.001) gaps: ~3.5 h
    last = t(4 * 1800)
    assert silence.tick(last + timedelta(seconds=limit - 1), LIMITS, can_charge=True) == []
    assert silence.tick(last + timedelta(seconds=limit + 1), LIMITS, can_charge=False) == []
    (finding,) = silence.tick(last + timedelta(seconds=limit + 1), LIMITS, can_charge=True)
    assert finding.confidence >= 0.7
    (cleared,) = silence.on_start(last + timedelta(hours=5))
    assert not cleared.active


def test_no_history_no_judgment() -> None:
    silence = SilenceWatch("CS", 1)
    silence.on_start(T0)
    assert silence.tick(T0 + timedelta(days=30), LIMITS, can_charge=True) == []


def test_refused_remote_starts() -> None:
    refusals = RefusalWatch("CS")
    assert refusals.on_remote_start("rejected", T0, True, LIMITS) == []
    assert refusals.on_remote_start("rejected", T0, False, LIMITS) == []  # busy: fair refusal
    (finding,) = refusals.on_remote_start("rejected", T0, True, LIMITS)
    assert finding.evse_id is None


# -- clock and meter ----------------------------------------------------------------------------
def test_clock_drift_opens_and_clears() -> None:
    drift = DriftWatch("CS")
    assert drift.on_drift(30.0, T0, LIMITS) == []
    (finding,) = drift.on_drift(-75.0, T0, LIMITS)
    assert "behind" in finding.explanation
    assert drift.on_drift(-80.0, T0, LIMITS) == []
    (cleared,) = drift.on_drift(1.0, T0, LIMITS)
    assert not cleared.active


def test_meter_anomalies() -> None:
    meter = MeterWatch("CS", 1)
    sample = PowerSample(PORT, 1, 7, T0, 400_000.0, 150_000.0)
    (power,) = meter.on_sample(sample, 150_000.0, LIMITS)
    assert "400.0 kW" in power.explanation
    (reset,) = meter.on_resets(7, 1, T0)
    assert reset.evidence == {"transaction_id": 7, "resets": 1}
    assert meter.on_resets(7, 1, T0) == []  # the same reset reported again
    impossible = end(8, energy=200_000.0)  # 200 kWh in 30 min on a 150 kW port
    (energy,) = meter.on_end(impossible, 150_000.0, LIMITS)
    assert "more than a 150 kW port" in energy.explanation


def test_thresholds_refuse_unknown_names_and_bad_values() -> None:
    assert Thresholds().with_overrides({"tick_s": 1, "reader_methods": "app"}).tick_s == 1.0
    for bad in ({"nope": 1}, {"tick_s": -1}, {"failing_sessions": 1.5}, {"tick_s": "x"}):
        with pytest.raises(ValueError, match=r"."):
            Thresholds().with_overrides(bad)
