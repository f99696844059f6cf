"""Alert rules: who hears about which tickets, how they are grouped, signed and retried.

No alert storms: an alert is held for a short grouping window and everything for the same
route and site arriving meanwhile joins it; a ticket alerts only when it opens, reopens or
gets worse (never on every new finding); failed deliveries back off exponentially.
"""

from __future__ import annotations

import hashlib
import hmac
from dataclasses import dataclass, field
from datetime import datetime
from enum import StrEnum
from typing import Any

from forecourt.reliability.domain.model import Severity

SIGNATURE_HEADER = "X-Forecourt-Signature"
TIMESTAMP_HEADER = "X-Forecourt-Timestamp"
MAX_ATTEMPTS = 8


class Channel(StrEnum):
    WEBHOOK = "webhook"
    EMAIL = "email"


class AlertState(StrEnum):
    PENDING = "pending"
    SENT = "sent"
    FAILED = "failed"  # gave up after MAX_ATTEMPTS


class AlertReason(StrEnum):
    OPENED = "opened"
    REOPENED = "reopened"
    ESCALATED = "escalated"


@dataclass(slots=True)
class AlertRoute:
    """Where alerts go: one webhook URL or one e-mail address, for a site (None: all sites),
    for tickets at or above ``min_severity``. ``secret`` signs webhook bodies (HMAC-SHA256)."""

    channel: Channel
    target: str
    site_id: str | None = None
    min_severity: Severity = Severity.MINOR
    secret: str = ""
    enabled: bool = True
    name: str = ""
    id: int = 0

    def matches(self, site_id: str | None, severity: Severity) -> bool:
        return (
            self.enabled
            and self.site_id in (None, site_id)
            and severity.rank >= self.min_severity.rank
        )


@dataclass(slots=True)
class Alert:
    """One message to one route, possibly about several tickets (``items``)."""

    route_id: int
    group_key: str
    created_at: datetime
    send_after: datetime
    items: list[dict[str, Any]] = field(default_factory=list)
    state: AlertState = AlertState.PENDING
    attempts: int = 0
    next_attempt_at: datetime | None = None
    sent_at: datetime | None = None
    error: str = ""
    id: int = 0


def group_key(route_id: int, site_id: str | None, station_id: str) -> str:
    """Alerts for one route group per site (per station when the station has no site)."""
    return f"{route_id}|{site_id or 'station:' + station_id}"


def backoff_s(attempts: int, base_s: float = 30.0, cap_s: float = 3600.0) -> float:
    """Delay before the next delivery attempt after ``attempts`` failed ones."""
    return min(cap_s, base_s * 2.0 ** max(0, attempts - 1))


def sign(secret: str, timestamp: str, body: bytes) -> str:
    """``sha256=<hex>`` of HMAC-SHA256(secret, timestamp + "." + body).

    Including the timestamp lets receivers refuse replays of an old, validly signed body.
    """
    mac = hmac.new(secret.encode(), timestamp.encode() + b"." + body, hashlib.sha256)
    return "sha256=" + mac.hexdigest()


def verify_signature(secret: str, timestamp: str, body: bytes, signature: str) -> bool:
    return hmac.compare_digest(sign(secret, timestamp, body), signature)


def webhook_payload(alert: Alert) -> dict[str, Any]:
    return {
        "type": "forecourt.reliability.alert",
        "alert_id": alert.id,
        "created_at": alert.created_at.isoformat(),
        "tickets": alert.items,
    }


def email_message(alert: Alert) -> tuple[str, str]:
    """(subject, plain-text body)."""
    items = alert.items
    worst = max((Severity(i["severity"]) for i in items), key=lambda s: s.rank)
    where = sorted({i.get("site_id") or i["station_id"] for i in items})
    subject = f"[Forecourt] {worst.value}: {len(items)} ticket(s) at {', '.join(where)}"
    lines = [f"Forecourt found {len(items)} problem(s) that need attention.", ""]
    for item in items:
        lines.append(f"* Ticket #{item['ticket_id']} ({item['reason']}): {item['title']}")
        lines.append(f"  severity {item['severity']}, ports {item.get('ports') or 'all'}")
        for explanation in item.get("explanations", []):
            lines.append(f"  - {explanation}")
        lines.append("")
    return subject, "\n".join(lines)
