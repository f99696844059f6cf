"""Recovering lost transaction events (OCPP 2.0.1 E-block): when an offline ``Ended`` arrives
with a gap in ``seqNo``, ask the station whether the missing messages are still queued
(``GetTransactionStatus``); the answer is kept in the command log like any command's."""

from __future__ import annotations

from forecourt.domain.commands import GetTransactionStatus
from forecourt.domain.events import DomainEvent
from forecourt.services.remote_control import RemoteControl

TOPIC = "transaction.events_missing"
REQUESTER = "forecourt: seqNo gap before an offline end"


def events_missing(last_seq_no: int | None, seq_no: int | None, offline: bool) -> bool:
    """Messages are numbered from 0 per transaction; an offline end that skips numbers
    after the highest one received means some were lost or are still queued."""
    if seq_no is None or not offline:
        return False
    expected = 0 if last_seq_no is None else last_seq_no + 1
    return seq_no > expected


class LostEventRecovery:
    def __init__(self, remote: RemoteControl) -> None:
        self._remote = remote

    async def on_events_missing(self, event: DomainEvent) -> None:
        station_tx_id = str(event.data["station_tx_id"])
        await self._remote.send(
            event.station_id, GetTransactionStatus(station_tx_id), requested_by=REQUESTER
        )
