"""StationWatch: events in, timeline transitions and findings out (pure)."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from forecourt.reliability.domain.model import Condition, FaultKind, PortRef
from forecourt.reliability.domain.sessions import SessionEnd
from forecourt.reliability.domain.status import DriverStatus, honest_status
from forecourt.reliability.domain.thresholds import Thresholds
from forecourt.reliability.domain.watch import Decisions, PortSpec, StationProfile, StationWatch

T0 = datetime(2027, 6, 1, 12, 0, tzinfo=UTC)


def t(minutes: float) -> datetime:
    return T0 + timedelta(minutes=minutes)


def watch(**ports: PortSpec) -> StationWatch:
    specs = {int(k.removeprefix("evse")): v for k, v in ports.items()}
    return StationWatch(StationProfile("CS", ports=specs), Thresholds())


def zero_energy(tx: int, start: float, evse: int = 1) -> SessionEnd:
    return SessionEnd(
        PortRef("CS", evse), 1, tx, t(start), t(start + 1), 0.0, 0.0, "other", True, "A"
    )


def success(tx: int, start: float, evse: int = 1) -> SessionEnd:
    return SessionEnd(
        PortRef("CS", evse), 1, tx, t(start), t(start + 30), 30_000, 150_000, None, True, "A"
    )


def test_a_port_timeline_starts_when_first_seen_and_offline_applies_to_every_port() -> None:
    station = watch()
    out = Decisions()
    station.connected(t(0), out)
    station.status(1, 1, "available", t(0), out)
    station.status(2, 1, "available", t(1), out)
    assert [(tr.port.evse_id, tr.at, tr.conditions) for tr in out.transitions] == [
        (1, t(0), frozenset()),
        (2, t(1), frozenset()),
    ]
    out = Decisions()
    station.disconnected(t(10), out)
    assert {(tr.port.evse_id, tr.conditions) for tr in out.transitions} == {
        (1, frozenset({Condition.OFFLINE})),
        (2, frozenset({Condition.OFFLINE})),
    }
    out = Decisions()
    station.status(3, 1, "available", t(11), out)  # a new port inherits the station's state
    assert out.transitions[0].conditions == {Condition.OFFLINE}


def test_faulted_only_when_every_connector_of_the_port_is() -> None:
    station = watch()
    out = Decisions()
    station.status(1, 1, "faulted", t(0), out)
    station.status(1, 2, "available", t(0), out)
    view = station.view(1)
    assert view is not None
    assert not view.conditions
    station.status(1, 2, "faulted", t(5), out)
    view = station.view(1)
    assert view is not None
    assert view.conditions == {Condition.FAULTED}
    station.status(0, 0, "unavailable", t(6), out)  # the whole station taken out of service
    view = station.view(1)
    assert view is not None
    assert view.conditions == {Condition.UNAVAILABLE}


def test_available_but_failing_sessions_is_down_from_the_first_failure() -> None:
    station = watch()
    out = Decisions()
    station.connected(t(0), out)
    station.status(1, 1, "available", t(0), out)
    for tx, start in ((1, 10), (2, 20)):
        station.session_ended(zero_energy(tx, start), out)
    assert all(Condition.FAILING_SESSIONS not in tr.conditions for tr in out.transitions)
    out = Decisions()
    station.session_ended(zero_energy(3, 30), out)
    (down,) = out.transitions
    assert down.at == t(10)  # back to the first failed session's start
    assert down.conditions == {Condition.FAILING_SESSIONS}
    view = station.view(1)
    assert honest_status(view, ["available"]).status is DriverStatus.OUT_OF_ORDER
    out = Decisions()
    station.session_ended(success(4, 40), out)
    assert [tr.conditions for tr in out.transitions] == [frozenset()]
    assert out.verified[0].normal_power


def test_failures_never_reach_back_before_the_open_interval() -> None:
    station = watch()
    out = Decisions()
    station.connected(t(0), out)
    station.status(1, 1, "available", t(0), out)
    station.session_ended(zero_energy(1, 10), out)
    station.disconnected(t(15), out)
    station.connected(t(20), out)
    out = Decisions()
    for tx, start in ((2, 25), (3, 30)):
        station.session_ended(zero_energy(tx, start), out)
    assert out.transitions[-1].at == t(20)  # the open interval began at the reconnect


def test_derated_below_nevi_minimum_is_down_above_it_only_limited() -> None:
    from forecourt.reliability.domain.sessions import PowerSample

    def derated_sessions(station: StationWatch, offered: float) -> None:
        out = Decisions()
        for tx, token in ((1, "A"), (2, "B")):
            for second in range(5):
                sample = PowerSample(PortRef("CS", 1), 1, tx, t(tx * 60 + second), offered, offered)
                station.session_sample(sample, out)
            end = SessionEnd(
                PortRef("CS", 1),
                1,
                tx,
                t(tx * 60),
                t(tx * 60 + 30),
                30_000,
                offered,
                None,
                True,
                token,
            )
            station.session_ended(end, out)

    big = watch(evse1=PortSpec(350_000.0, dc=True))
    derated_sessions(big, 175_000.0)  # a 350 kW port at half power still meets 150 kW
    view = big.view(1)
    assert view is not None
    assert view.limited
    assert not view.conditions
    assert honest_status(view, ["available"]).message == "Working, ~175 kW max today"

    small = watch(evse1=PortSpec(150_000.0, dc=True))
    derated_sessions(small, 75_000.0)
    view = small.view(1)
    assert view is not None
    assert view.conditions == {Condition.BELOW_MIN_POWER}
    assert honest_status(view, ["available"]).status is DriverStatus.LIMITED


def test_half_open_marks_the_ports_unreachable_from_the_first_timeout() -> None:
    station = watch()
    out = Decisions()
    station.connected(t(0), out)
    station.status(1, 1, "available", t(0), out)
    station.heard(t(1), out)
    out = Decisions()
    station.command("trigger_message", "timeout", t(2), out)
    station.command("reset", "timeout", t(3), out)
    assert [f.kind for f in out.findings] == [FaultKind.HALF_OPEN]
    assert out.transitions[-1].at == t(2)
    assert out.transitions[-1].conditions == {Condition.UNREACHABLE}
    out = Decisions()
    station.command("trigger_message", "accepted", t(4), out)
    assert out.transitions[-1].conditions == frozenset()


def test_restart_resumes_the_open_interval() -> None:
    station = watch()
    station.resume(1, t(0), frozenset({Condition.FAULTED}))
    out = Decisions()
    station.disconnected(t(5), out)
    assert out.transitions[-1].conditions == {Condition.FAULTED, Condition.OFFLINE}
