"""The simulated station's charging profiles: installed, cleared, and applied to its power.

An independent peer of the CSMS (wire only): it reads profiles from 1.6 and 2.0.1 payloads
and computes its own limits, so tests check Forecourt's profiles against a second,
separately written reading of the rules (highest stack level per purpose; a transaction
profile replaces the default; the station maximum caps both).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any

from forecourt.simulator.rpc import Payload

#: 1.6 and 2.0.1 purpose words -> the simulator's three.
PURPOSE = {
    "ChargePointMaxProfile": "max",
    "ChargingStationMaxProfile": "max",
    "TxDefaultProfile": "default",
    "TxProfile": "tx",
}
CYCLE_S = {"Daily": 86_400, "Weekly": 7 * 86_400}


@dataclass(frozen=True)
class Installed:
    evse_id: int
    id: int
    stack_level: int
    purpose: str  # max, default, tx
    kind: str  # Absolute, Recurring, Relative
    unit: str  # A or W
    periods: tuple[tuple[int, float, int | None], ...]  # (startPeriod, limit, numberPhases)
    start: datetime | None = None
    duration: int | None = None
    recurrency: str | None = None
    valid_from: datetime | None = None
    valid_to: datetime | None = None
    transaction_id: str | None = None


def parse(evse_id: int, profile: Payload, schedule: Payload) -> Installed:
    """One profile, from its (already version-picked) profile and schedule objects."""
    tx = profile.get("transactionId")
    return Installed(
        evse_id=evse_id,
        id=int(profile.get("chargingProfileId") or profile.get("id") or 0),
        stack_level=int(profile["stackLevel"]),
        purpose=PURPOSE[str(profile["chargingProfilePurpose"])],
        kind=str(profile["chargingProfileKind"]),
        unit=str(schedule["chargingRateUnit"]),
        periods=tuple(
            (int(p["startPeriod"]), float(p["limit"]), p.get("numberPhases"))
            for p in schedule["chargingSchedulePeriod"]
        ),
        start=_instant(schedule.get("startSchedule")),
        duration=schedule.get("duration"),
        recurrency=profile.get("recurrencyKind"),
        valid_from=_instant(profile.get("validFrom")),
        valid_to=_instant(profile.get("validTo")),
        transaction_id=None if tx is None else str(tx),
    )


@dataclass
class ProfileStore:
    """Profiles by id. Watts per amp: the EVSE's voltage x phases (given by the caller)."""

    profiles: dict[int, Installed] = field(default_factory=dict)
    accepted: int = 0  # SetChargingProfile calls accepted (tests count messages)

    def install(self, profile: Installed) -> None:
        same_slot = [
            p.id
            for p in self.profiles.values()
            if (p.evse_id, p.purpose, p.stack_level)
            == (profile.evse_id, profile.purpose, profile.stack_level)
        ]
        for stale in same_slot:  # 1.6 §3.13.2 / K01.FR.05: same purpose and level replaces
            del self.profiles[stale]
        self.profiles[profile.id] = profile
        self.accepted += 1

    def clear(self, **criteria: Any) -> bool:
        wanted = {k: v for k, v in criteria.items() if v is not None}
        gone = [p.id for p in self.profiles.values() if _matches(p, wanted)]
        for profile_id in gone:
            del self.profiles[profile_id]
        return bool(gone)

    def end_transaction(self, transaction_id: str) -> None:
        """A TxProfile lives as long as its transaction."""
        for profile in [p for p in self.profiles.values() if p.purpose == "tx"]:
            if profile.transaction_id in (None, transaction_id):
                del self.profiles[profile.id]

    def limit_w(
        self,
        evse_id: int,
        now: datetime,
        watts_per_amp: float,
        tx: tuple[str, datetime] | None = None,
    ) -> float | None:
        """The EVSE's limit now, in watts (None: no profile limits it)."""
        station_max = self._best("max", 0, now, tx, watts_per_amp)
        session = None
        if tx is not None:
            candidates = [p for p in self._of("tx", evse_id) if p.transaction_id in (None, tx[0])]
            session = _best(candidates, now, tx, watts_per_amp)
        if session is None:
            session = self._best("default", evse_id, now, tx, watts_per_amp)
        if session is None:
            session = self._best("default", 0, now, tx, watts_per_amp)
        limits = [v for v in (station_max, session) if v is not None]
        return min(limits) if limits else None

    def _of(self, purpose: str, evse_id: int) -> list[Installed]:
        return [p for p in self.profiles.values() if p.purpose == purpose and p.evse_id == evse_id]

    def _best(
        self,
        purpose: str,
        evse_id: int,
        now: datetime,
        tx: tuple[str, datetime] | None,
        watts_per_amp: float,
    ) -> float | None:
        return _best(self._of(purpose, evse_id), now, tx, watts_per_amp)


def _best(
    profiles: list[Installed],
    now: datetime,
    tx: tuple[str, datetime] | None,
    watts_per_amp: float,
) -> float | None:
    ranked = sorted(profiles, key=lambda p: -p.stack_level)
    for profile in ranked:
        value = _value(profile, now, tx, watts_per_amp)
        if value is not None:
            return value
    return None


def _value(
    p: Installed, now: datetime, tx: tuple[str, datetime] | None, watts_per_amp: float
) -> float | None:
    if (p.valid_from and now < p.valid_from) or (p.valid_to and now >= p.valid_to):
        return None
    if p.kind == "Relative":
        origin = tx[1] if tx is not None else None
    else:
        origin = p.start or p.valid_from or datetime.min.replace(tzinfo=now.tzinfo)
    if origin is None or now < origin:
        return None
    offset = (now - origin).total_seconds()
    if p.kind == "Recurring" and p.recurrency in CYCLE_S:
        offset %= CYCLE_S[p.recurrency]
    if p.duration is not None and offset >= p.duration:
        return None
    limit = [lim for start, lim, _ in p.periods if start <= offset][-1]
    return limit * watts_per_amp if p.unit == "A" else limit


def _matches(p: Installed, wanted: dict[str, Any]) -> bool:
    if "id" in wanted:
        return bool(p.id == wanted["id"])
    purpose = wanted.get("purpose")
    return (
        ("evse_id" not in wanted or p.evse_id == wanted["evse_id"])
        and (purpose is None or p.purpose == PURPOSE.get(purpose))
        and ("stack_level" not in wanted or p.stack_level == wanted["stack_level"])
    )


def composite(
    store: ProfileStore,
    evse_id: int,
    now: datetime,
    duration_s: int,
    watts_per_amp: float,
    unit: str,
    tx: tuple[str, datetime] | None,
) -> list[Payload]:
    """GetCompositeSchedule periods: the limit sampled each minute, one period per change."""
    periods: list[Payload] = []
    for offset in range(0, max(duration_s, 1), 60):
        watts = store.limit_w(evse_id, now + timedelta(seconds=offset), watts_per_amp, tx)
        if watts is None:
            continue
        limit = round(watts / watts_per_amp, 1) if unit == "A" else round(watts, 1)
        if not periods or periods[-1]["limit"] != limit:
            periods.append({"startPeriod": offset, "limit": limit})
    return periods


def _instant(text: Any) -> datetime | None:
    if not isinstance(text, str):
        return None
    return datetime.fromisoformat(text.replace("Z", "+00:00"))
