"""Station certificates near expiry or not renewed (the PKI slice's expiry watch, published
as ``pki.certificate_expiring`` / ``pki.renewal_failed``; ``pki.certificate_issued`` clears).

A station whose client certificate lapses cannot connect on security profile 3, so this is a
fault with a ticket and an alert. Reliability does not import the PKI: it reads the event's
data (``serial``, ``not_after``, ``reason``) and nothing else.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from forecourt.reliability.domain.model import FaultKind, Finding, Severity, cleared

EXPIRING = "pki.certificate_expiring"
RENEWAL_FAILED = "pki.renewal_failed"
ISSUED = "pki.certificate_issued"
STATION_USE = "charging_station"  # the TLS client certificate's use, as the event says it


def certificate_findings(
    station_id: str, topic: str, data: dict[str, Any], at: datetime
) -> list[Finding]:
    serial, not_after = data.get("serial"), data.get("not_after")
    if topic == ISSUED:
        if data.get("use", STATION_USE) != STATION_USE:  # a V2G certificate: not the TLS one
            return []
        why = f"a new station certificate {serial} was issued"
        return [cleared(FaultKind.CERTIFICATE, station_id, None, at, why)]
    evidence = {"serial": serial, "not_after": not_after, "reason": data.get("reason", "")}
    if topic == RENEWAL_FAILED:
        text = (
            f"The station certificate {serial} expires {not_after} and its renewal could not"
            f" be triggered ({data.get('reason') or 'no reason given'})"
        )
        return [Finding(FaultKind.CERTIFICATE, station_id, None, at, 1.0, text, evidence)]
    if topic == EXPIRING:
        text = f"The station certificate {serial} expires {not_after}; renewal was requested"
        finding = Finding(
            FaultKind.CERTIFICATE, station_id, None, at, 1.0, text, evidence,
            severity=Severity.MINOR,
        )  # fmt: skip
        return [finding]
    return []


CERTIFICATE_TOPICS = (EXPIRING, RENEWAL_FAILED, ISSUED)
