"""A dead card / NFC reader: sessions that need the reader stop, while sessions started
another way (app, Plug & Charge, scan-to-pay) keep coming.

A dead reader produces no message at all (the card is never read), so the signal is an
absence judged against the station's own mix: if card sessions are normally a share ``p`` of
all sessions, ``n`` other sessions in a row with none by card happen by chance with
probability (1 − p)^n. Below ``reader_alpha`` that is no longer chance.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from forecourt.reliability.domain.model import FaultKind, Finding, cleared
from forecourt.reliability.domain.thresholds import Thresholds


@dataclass(slots=True)
class ReaderWatch:
    station_id: str
    reader_sessions: int = 0
    other_sessions: int = 0
    streak: int = 0  # sessions by other methods since the last reader session
    abandoned: int = 0  # of those, plugged in and never identified: a card not read?
    active: bool = False

    @property
    def history(self) -> int:
        """Sessions before the current streak: what the usual mix is learned from."""
        return self.reader_sessions + self.other_sessions - self.streak

    @property
    def reader_share(self) -> float:
        return self.reader_sessions / self.history if self.history else 0.0

    def on_session(
        self,
        payment_method: str | None,
        at: datetime,
        limits: Thresholds,
        *,
        abandoned: bool = False,
    ) -> list[Finding]:
        """``abandoned``: the driver plugged in and left without ever being identified."""
        if payment_method is None and not abandoned:
            return []
        if payment_method in limits.reader_method_set:
            self.reader_sessions += 1
            self.streak = self.abandoned = 0
            if self.active:
                self.active = False
                why = "a session was started by card again"
                return [cleared(FaultKind.PAYMENT_READER, self.station_id, None, at, why)]
            return []
        self.other_sessions += 1
        self.streak += 1
        self.abandoned += abandoned
        return self._judge(at, limits)

    def _judge(self, at: datetime, limits: Thresholds) -> list[Finding]:
        share = self.reader_share
        if self.history < limits.reader_min_history or share < limits.reader_min_share:
            return []
        if self.streak < limits.reader_streak:
            return []
        chance = (1.0 - share) ** self.streak
        if chance > limits.reader_alpha:
            return []
        self.active = True
        confidence = min(0.95, 1.0 - chance)
        text = (
            f"No session started by card in the last {self.streak} sessions, although cards "
            f"normally start {share:.0%} of them; app and other methods keep working. The card "
            f"reader is likely dead (chance of this by luck: {chance:.1%})."
        )
        if self.abandoned:
            text += f" {self.abandoned} driver(s) plugged in and left without being identified."
        evidence = {
            "streak": self.streak,
            "abandoned": self.abandoned,
            "reader_share": round(share, 3),
            "chance": round(chance, 5),
            "reader_sessions": self.reader_sessions,
            "other_sessions": self.other_sessions,
        }
        return [
            Finding(FaultKind.PAYMENT_READER, self.station_id, None, at, confidence, text, evidence)
        ]
