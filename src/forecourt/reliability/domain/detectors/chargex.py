"""ChargeX error codes (CX001…CX026) a station reports, one rule for every OCPP version.

1.6 sends them in ``StatusNotification`` (``vendorErrorCode`` "CXnnn", ``vendorId`` ChargeX's):
a connector's code holds until its next status report without it. 2.0.1/2.1 send them in
``NotifyEvent`` (``techCode`` "CXnnn"): a code holds until the same code comes back with
``cleared``. Both arrive here as neutral events (``connector.status``, ``device.event``) and
become one finding per port listing every active code, cleared when none is left.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from forecourt.reliability.domain.chargex import (
    ChargeXCode,
    codes_in,
    is_chargex_vendor,
    lookup,
)
from forecourt.reliability.domain.model import FaultKind, Finding, cleared

STATUS_NOTIFICATION = "StatusNotification"
NOTIFY_EVENT = "NotifyEvent"


@dataclass(slots=True)
class ChargeXWatch:
    station_id: str
    # (evse, connector) -> codes in its last status report (1.6); evse 0 = the station
    _by_status: dict[tuple[int, int], frozenset[str]] = field(default_factory=dict)
    # evse (0 = the station) -> codes raised and not yet cleared by events (2.0.1/2.1)
    _by_event: dict[int, set[str]] = field(default_factory=dict)
    _shown: dict[int, frozenset[str]] = field(default_factory=dict)  # what was last reported

    def on_status(
        self,
        evse_id: int,
        connector_id: int,
        vendor_id: str,
        vendor_error_code: str,
        at: datetime,
    ) -> list[Finding]:
        codes = codes_in(vendor_error_code) if is_chargex_vendor(vendor_id) else []
        key = (evse_id, connector_id or (0 if evse_id == 0 else 1))
        self._by_status[key] = frozenset(c.code for c in codes)
        return self._report(evse_id, at, STATUS_NOTIFICATION)

    def on_event(self, data: dict[str, Any], at: datetime) -> list[Finding]:
        code = lookup(str(data.get("tech_code") or ""))
        if code is None:
            return []
        evse = data.get("evse_id")
        evse_id = evse if isinstance(evse, int) else 0
        active = self._by_event.setdefault(evse_id, set())
        if data.get("cleared"):
            active.discard(code.code)
        else:
            active.add(code.code)
        return self._report(evse_id, at, NOTIFY_EVENT)

    def active(self, evse_id: int) -> list[ChargeXCode]:
        """The codes holding on a port now (the station's own, evse 0, included)."""
        codes = self._codes(evse_id) | (self._codes(0) if evse_id else frozenset())
        return [c for c in (lookup(code) for code in sorted(codes)) if c is not None]

    def _codes(self, evse_id: int) -> frozenset[str]:
        from_status = (
            c for (e, _), codes in self._by_status.items() if e == evse_id for c in codes
        )
        return frozenset(from_status) | frozenset(self._by_event.get(evse_id, ()))

    def _report(self, evse_id: int, at: datetime, via: str) -> list[Finding]:
        now = self._codes(evse_id)
        before = self._shown.get(evse_id, frozenset())
        if now == before:
            return []
        self._shown[evse_id] = now
        port = evse_id or None
        if not now:
            why = f"the station no longer reports {', '.join(sorted(before))}"
            return [cleared(FaultKind.CHARGEX, self.station_id, port, at, why)]
        entries = [c for c in (lookup(code) for code in sorted(now)) if c is not None]
        where = f"EVSE {evse_id}" if evse_id else "The station"
        text = f"{where} reports ChargeX " + "; ".join(
            f"{c.code} {c.name}: {c.meaning}" for c in entries
        )
        worst = max((c.severity for c in entries), key=lambda s: s.rank)
        evidence = {
            "codes": [c.as_dict() for c in entries],
            "via": via,
            "categories": sorted({c.category.value for c in entries}),
        }
        finding = Finding(
            FaultKind.CHARGEX, self.station_id, port, at, 1.0, text, evidence, severity=worst
        )
        return [finding]
