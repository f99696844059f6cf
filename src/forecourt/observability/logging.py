"""Log setup: every record carries a station id ("-" when none), text or JSON lines.

Both formatters pass every field through ``redaction.safe_text``: credentials are redacted
and control characters escaped at every level and for every logger, so a station id such as
``evil%0D%0A...CRITICAL`` can never start a forged line. Tracebacks keep their line breaks
but every line of them is indented, so no line of one can pass for a record of its own.
"""

from __future__ import annotations

import json
import logging
import sys
from datetime import UTC, datetime

from forecourt.observability.redaction import safe_text

_STANDARD = set(logging.makeLogRecord({}).__dict__) | {"message", "asctime", "station_id"}
#: Longest station id shown: an unknown station may send thousands of characters.
MAX_LOGGED_ID = 64
_TRACE_INDENT = "    "


class StationIdFilter(logging.Filter):
    def filter(self, record: logging.LogRecord) -> bool:
        if not hasattr(record, "station_id"):
            record.station_id = "-"
        return True


def _station_id(record: logging.LogRecord) -> str:
    station_id = str(getattr(record, "station_id", "-"))
    if len(station_id) > MAX_LOGGED_ID:
        station_id = f"{station_id[:MAX_LOGGED_ID]}...({len(station_id)} chars)"
    return safe_text(station_id)


def _message(record: logging.LogRecord) -> str:
    try:
        return safe_text(record.getMessage())
    except Exception:  # a bad format string must not lose the record
        return safe_text(f"{record.msg!r} % {record.args!r}")


def _indented(text: str) -> str:
    return "\n".join(_TRACE_INDENT + safe_text(line) for line in text.splitlines())


class TextFormatter(logging.Formatter):
    """``TEXT_FORMAT`` lines, made safe; the record itself is left untouched for others."""

    def format(self, record: logging.LogRecord) -> str:
        shown = logging.makeLogRecord(record.__dict__)
        shown.msg, shown.args = _message(record), None
        shown.station_id = _station_id(record)
        shown.name = safe_text(record.name)
        shown.exc_info = shown.exc_text = shown.stack_info = None
        line = super().format(shown)
        if record.exc_info:
            line += "\n" + _indented(self.formatException(record.exc_info))
        if record.stack_info:
            line += "\n" + _indented(self.formatStack(record.stack_info))
        return line


class JsonFormatter(logging.Formatter):
    def format(self, record: logging.LogRecord) -> str:
        entry: dict[str, object] = {
            "ts": datetime.fromtimestamp(record.created, UTC).isoformat(timespec="milliseconds"),
            "level": record.levelname,
            "logger": safe_text(record.name),
            "station_id": _station_id(record),
            "msg": _message(record),
        }
        extra = {k: v for k, v in record.__dict__.items() if k not in _STANDARD}
        entry.update({k: safe_text(_text(v)) for k, v in extra.items()})
        if record.exc_info:
            entry["exc"] = safe_text(self.formatException(record.exc_info))
        return json.dumps(entry, default=str)


def _text(value: object) -> str:
    return value if isinstance(value, str) else json.dumps(value, default=str)


TEXT_FORMAT = "%(asctime)s %(levelname)-7s %(name)s [%(station_id)s] %(message)s"


def configure_logging(level: str = "INFO", fmt: str = "text") -> None:
    handler = logging.StreamHandler(sys.stderr)
    handler.addFilter(StationIdFilter())
    handler.setFormatter(JsonFormatter() if fmt == "json" else TextFormatter(TEXT_FORMAT))
    root = logging.getLogger()
    root.handlers[:] = [handler]
    root.setLevel(level)
    for noisy in ("uvicorn.access", "sqlalchemy.engine"):
        logging.getLogger(noisy).setLevel(max(logging.WARNING, root.level))
