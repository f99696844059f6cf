"""The PKI's expiry watch (``pki.*`` events, read as data) opens a ``certificate`` fault:
minor while a renewal was asked for, major when it could not be; a new certificate clears."""

from __future__ import annotations

from datetime import UTC, datetime

from forecourt.reliability.domain.detectors.certificate import certificate_findings
from forecourt.reliability.domain.model import FaultKind, Severity
from forecourt.reliability.services.monitor import TOPICS

AT = datetime(2026, 12, 7, 12, tzinfo=UTC)
FACTS = {"serial": "0A1B", "not_after": "2026-12-12T12:00:00+00:00"}


def test_a_failed_renewal_is_a_major_fault_on_the_station() -> None:
    [finding] = certificate_findings(
        "CS-1", "pki.renewal_failed", FACTS | {"reason": "offline"}, AT
    )
    assert (finding.kind, finding.evse_id, finding.active) == (FaultKind.CERTIFICATE, None, True)
    assert finding.effective_severity is Severity.MAJOR
    assert finding.explanation == (
        "The station certificate 0A1B expires 2026-12-12T12:00:00+00:00 and its renewal could"
        " not be triggered (offline)"
    )


def test_a_certificate_near_expiry_is_minor_and_a_new_one_clears_it() -> None:
    [expiring] = certificate_findings("CS-1", "pki.certificate_expiring", FACTS, AT)
    assert expiring.effective_severity is Severity.MINOR
    assert certificate_findings("CS-1", "pki.certificate_issued", {"use": "v2g"}, AT) == []
    issued_data = {"serial": "0C", "use": "charging_station"}
    [issued] = certificate_findings("CS-1", "pki.certificate_issued", issued_data, AT)
    assert (issued.kind, issued.active) == (FaultKind.CERTIFICATE, False)
    assert certificate_findings("CS-1", "pki.profile_changed", {}, AT) == []


def test_the_monitor_listens_to_the_pki_topics() -> None:
    assert "pki." in TOPICS
