"""Smart charging's verification (``smart_charging.exceeded``, read as data) opens a
``profile_exceeded`` fault on the port; the monitor hears it on the bus topic."""

from __future__ import annotations

from datetime import UTC, datetime

from forecourt.reliability.domain.detectors.profile import profile_exceeded
from forecourt.reliability.domain.model import FaultKind, Severity
from forecourt.reliability.services.monitor import TOPICS

AT = datetime(2026, 12, 7, 12, tzinfo=UTC)
DATA = {"site_id": "DEPOT", "evse_id": 2, "power_w": 80_000.0, "accepted_w": 50_000.0,
        "station_tx_id": "T-9"}  # fmt: skip


def test_an_exceeded_profile_is_a_ticketed_fault_on_its_port() -> None:
    [finding] = profile_exceeded("CS-1", DATA, AT)
    assert (finding.kind, finding.station_id, finding.evse_id) == (
        FaultKind.PROFILE_EXCEEDED,
        "CS-1",
        2,
    )
    assert (finding.confidence, finding.effective_severity) == (1.0, Severity.MAJOR)
    assert finding.explanation == (
        "EVSE 2 draws 80.0 kW, above the 50.0 kW charging profile it accepted"
    )
    assert finding.evidence == {k: DATA[k] for k in ("site_id", "power_w", "accepted_w",
                                                     "station_tx_id")}  # fmt: skip


def test_data_it_cannot_judge_is_ignored() -> None:
    assert profile_exceeded("CS-1", {"evse_id": 1, "power_w": "a lot"}, AT) == []
    assert profile_exceeded("CS-1", {}, AT) == []


def test_the_monitor_listens_to_the_topic() -> None:
    assert "smart_charging.exceeded" in TOPICS
