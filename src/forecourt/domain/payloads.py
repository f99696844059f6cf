"""Bounded copies of station payloads kept as records: a station never stores a megabyte.

DataTransfer ``data``, NotifyReport ``reportData``, NotifyEvent ``eventData`` and every 2.0.1
``customData`` are free-form and may be as large as a websocket message. A record keeps the
payload as sent when it fits; otherwise each large value is replaced by its size, SHA-256
and the start of it, so an operator can still tell what came and match it against the
station's own logs.
"""

from __future__ import annotations

import hashlib
import json
from typing import Any

#: Top-level strings up to this length are kept whatever the size (ids, types, statuses).
SHORT_VALUE_CHARS = 255


def bounded_payload(payload: dict[str, Any], max_bytes: int) -> dict[str, Any]:
    """``payload`` when its compact JSON is at most ``max_bytes``, else a bounded copy.

    In the copy, every top-level value that is not a short scalar becomes
    ``{"truncated": true, "size_bytes", "sha256", "excerpt"}``; size and digest are of the
    value as sent (a string's UTF-8 bytes, else its compact JSON). If that is still too
    big (a station sending many extra fields), the whole payload is summarised that way.
    """
    if len(_encoded(payload)) <= max_bytes:
        return payload
    large = [key for key, value in payload.items() if not _short(value)]
    excerpt = max_bytes // (2 * max(len(large), 1))
    bounded = {k: truncated(v, excerpt) if k in large else v for k, v in payload.items()}
    if len(_encoded(bounded)) <= max_bytes:
        return bounded
    return {"truncated": truncated(payload, max_bytes // 2)}


def truncated(value: Any, excerpt_bytes: int) -> dict[str, Any]:
    """Size, SHA-256 and the first ``excerpt_bytes`` (whole characters) of ``value``."""
    data = _encoded(value)
    return {
        "truncated": True,
        "size_bytes": len(data),
        "sha256": hashlib.sha256(data).hexdigest(),
        "excerpt": data[:excerpt_bytes].decode("utf-8", "ignore"),
    }


def _short(value: Any) -> bool:
    if isinstance(value, str):
        return len(value) <= SHORT_VALUE_CHARS
    return value is None or isinstance(value, bool | int | float)


def _encoded(value: Any) -> bytes:
    text = value if isinstance(value, str) else _compact_json(value)
    return text.encode("utf-8", "replace")


def _compact_json(value: Any) -> str:
    return json.dumps(value, separators=(",", ":"), ensure_ascii=False, default=str)
