"""Reading and changing many configuration items at once, within what the station takes
per message (2.0.1 ``DeviceDataCtrlr.ItemsPerMessage``/``BytesPerMessage`` of GetVariables
and SetVariables, 1.6 ``GetConfigurationMaxKeys`` and one key per ChangeConfiguration):
the items are split into as many messages as needed and the results merged per item."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from typing import Any, TypeVar

from forecourt.domain.commands import (
    CommandRecord,
    CommandStatus,
    ConfigKey,
    GetConfiguration,
    GetMessageLimits,
    SetConfiguration,
    SetConfigurationItems,
)
from forecourt.services.remote_control import RemoteControl, refuse_password_change

T = TypeVar("T")

#: Room for the message frame around the items (the CALL array, action, ids).
_ENVELOPE_BYTES = 64
#: A station that states no limit still gets messages of a reasonable size.
DEFAULT_ITEMS = 50


@dataclass(slots=True)
class BatchResult:
    """Merged per item; ``commands`` are the records of the messages it took."""

    status: CommandStatus
    items: list[dict[str, Any]] = field(default_factory=list)
    commands: list[int] = field(default_factory=list)
    error: str = ""


class ConfigurationBatches:
    def __init__(self, remote: RemoteControl) -> None:
        self._remote = remote

    async def read(
        self, station_id: str, keys: Sequence[ConfigKey], *, requested_by: str = ""
    ) -> BatchResult:
        return await self._batched(
            station_id,
            keys,
            direction="get",
            size=_key_bytes,
            command=GetConfiguration,
            answers="values",
            requested_by=requested_by,
        )

    async def write(
        self, station_id: str, items: Sequence[SetConfiguration], *, requested_by: str = ""
    ) -> BatchResult:
        for item in items:
            refuse_password_change(item)  # before anything is sent
        return await self._batched(
            station_id,
            items,
            direction="set",
            size=_item_bytes,
            command=SetConfigurationItems,
            answers="items",
            requested_by=requested_by,
        )

    async def _batched(
        self,
        station_id: str,
        items: Sequence[T],
        *,
        direction: str,
        size: Callable[[T], int],
        command: Callable[[tuple[T, ...]], GetConfiguration | SetConfigurationItems],
        answers: str,
        requested_by: str,
    ) -> BatchResult:
        """Send ``items`` in as many ``command`` messages as the station's ``direction``
        ("get"/"set") limits need; merge the per-item ``answers`` of every message."""
        limits = await self._limits(station_id, requested_by)
        if limits is None:
            return BatchResult(CommandStatus.OFFLINE, error="station is not connected")
        chunks = split(
            items,
            limits.get(f"{direction}_items", DEFAULT_ITEMS),
            limits.get(f"{direction}_bytes"),
            size,
        )
        result = BatchResult(CommandStatus.ACCEPTED)
        for chunk in chunks:
            record = await self._remote.send(
                station_id, command(tuple(chunk)), requested_by=requested_by
            )
            _merge(result, record, record.result.get(answers, []))
        return result

    async def _limits(self, station_id: str, requested_by: str) -> dict[str, int] | None:
        record = await self._remote.send(station_id, GetMessageLimits(), requested_by=requested_by)
        if record.status is CommandStatus.OFFLINE:
            return None
        return {k: v for k, v in record.result.items() if isinstance(v, int) and v > 0}


def split(
    items: Sequence[T], max_items: int, max_bytes: int | None, size: Callable[[T], int]
) -> list[list[T]]:
    """Consecutive chunks of at most ``max_items`` items and (estimated) ``max_bytes``."""
    chunks: list[list[T]] = []
    current: list[T] = []
    used = _ENVELOPE_BYTES
    for item in items:
        cost = size(item)
        too_big = max_bytes is not None and bool(current) and used + cost > max_bytes
        full = len(current) >= max_items or too_big
        if full:
            chunks.append(current)
            current, used = [], _ENVELOPE_BYTES
        current.append(item)
        used += cost
    if current:
        chunks.append(current)
    return chunks


def _key_bytes(key: ConfigKey) -> int:
    """The item as 2.0.1 JSON spells it, roughly: names plus the keys around them."""
    return 60 + len(str(key))


def _item_bytes(item: SetConfiguration) -> int:
    return 80 + len(str(item.key)) + len(item.value)


def _merge(result: BatchResult, record: CommandRecord, items: list[dict[str, Any]]) -> None:
    result.commands.append(record.id)
    result.items.extend(items)
    if not record.status.succeeded and result.status.succeeded:
        result.status, result.error = record.status, record.error
