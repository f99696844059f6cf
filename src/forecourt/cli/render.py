"""Rich tables for people; the API's own JSON shapes (``forecourt.api.schemas``) for machines."""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from datetime import datetime
from typing import TYPE_CHECKING, Any

from rich.table import Table
from rich.text import Text

from forecourt.cli.runtime import console

if TYPE_CHECKING:  # the API package imports FastAPI: only the commands that print these need it
    from forecourt.api.command_bodies import CommandRecordOut
    from forecourt.api.schemas import (
        ApiKeyOut,
        SignedReadingOut,
        SiteOut,
        StationOut,
        StationSummary,
        TokenOut,
        TransactionDetailOut,
        TransactionOut,
    )


def when(at: datetime | str | None) -> str:
    if at is None:
        return "-"
    if isinstance(at, str):
        at = datetime.fromisoformat(at)
    return at.strftime("%Y-%m-%d %H:%M:%S %Z").strip()


def number(value: float | None, unit: str = "", scale: float = 1.0) -> str:
    return "-" if value is None else f"{value / scale:g}{unit}"


def cell(value: Any) -> Text:
    """Station- and operator-given text is shown as is, never read as Rich markup."""
    if isinstance(value, Text):
        return value
    return Text("-" if value is None or value == "" else str(value))


def table(title: str, columns: Sequence[str], rows: Iterable[Sequence[Any]]) -> None:
    grid = Table(title=title, title_justify="left")
    for column in columns:
        grid.add_column(column, overflow="fold")
    for row in rows:
        grid.add_row(*(cell(value) for value in row))
    console.print(grid)


def fields(title: str, pairs: Sequence[tuple[str, Any]]) -> None:
    grid = Table(title=title, title_justify="left", show_header=False)
    grid.add_column(style="bold")
    grid.add_column(overflow="fold")
    for name, value in pairs:
        grid.add_row(name, cell(value))
    console.print(grid)


def sites(items: Sequence[SiteOut]) -> None:
    table(
        "Sites",
        ("id", "name", "address", "timezone"),
        ((s.id, s.name, s.address, s.timezone) for s in items),
    )


def stations(items: Sequence[StationSummary]) -> None:
    table(
        "Stations",
        ("id", "site", "registration", "connected", "protocol", "vendor / model", "last seen"),
        (
            (
                s.id,
                s.site_id or "-",
                s.registration.value,
                "yes" if s.connected else "no",
                s.protocol.value if s.protocol else "-",
                f"{s.vendor} {s.model}".strip() or "-",
                when(s.last_seen_at),
            )
            for s in items
        ),
    )


def station(item: StationOut) -> None:
    drift = None if item.clock_drift_s is None else f"{item.clock_drift_s:+.1f} s"
    fields(
        f"Station {item.id}",
        [
            ("site", item.site_id),
            ("registration", item.registration.value),
            ("connected", "yes" if item.connected else "no"),
            ("protocol", item.protocol.value if item.protocol else None),
            ("vendor / model", f"{item.vendor} {item.model}".strip()),
            ("serial", item.serial_number),
            ("firmware", item.firmware_version),
            ("password", "set" if item.has_password else "none"),
            ("last seen", when(item.last_seen_at)),
            ("booted", when(item.booted_at)),
            ("clock drift", drift),
        ],
    )
    table(
        "Connectors",
        ("evse", "connector", "type", "power", "rating", "status", "since"),
        (
            (
                evse.evse_id,
                c.connector_id,
                f"{c.type.value}+{c.built_in_plug.value}" if c.built_in_plug else c.type.value,
                c.rating.power_type.value if c.rating else "-",
                _rating(c.rating.max_power_w, c.rating.max_voltage_v, c.rating.max_current_a)
                if c.rating
                else "-",
                c.status.value + (f" ({c.status_detail})" if c.status_detail else ""),
                when(c.status_at),
            )
            for evse in item.evses
            for c in evse.connectors
        ),
    )


def _rating(power_w: float, voltage_v: float, current_a: float) -> str:
    return f"{power_w / 1000:g} kW, {voltage_v:g} V, {current_a:g} A"


def tokens(items: Sequence[TokenOut]) -> None:
    table(
        "Tokens",
        ("token", "kind", "blocked", "expires", "group", "label"),
        (
            (
                t.value,
                t.kind.value,
                "yes" if t.blocked else "no",
                when(t.expires_at),
                t.group or "-",
                t.label or "-",
            )
            for t in items
        ),
    )


def transactions(items: Sequence[TransactionOut], total: int) -> None:
    table(
        f"Transactions ({len(items)} of {total})",
        ("id", "station", "evse", "token", "state", "started", "stopped", "energy"),
        (
            (
                tx.id,
                tx.station_id,
                f"{tx.evse_id}/{tx.connector_id}",
                tx.id_token or "-",
                tx.state.value,
                when(tx.started_at),
                when(tx.stopped_at),
                number(tx.energy_wh, " kWh", 1000),
            )
            for tx in items
        ),
    )


def transaction(item: TransactionDetailOut) -> None:
    fields(
        f"Transaction {item.id}",
        [
            ("station", f"{item.station_id} evse {item.evse_id} connector {item.connector_id}"),
            ("station's id", item.station_tx_id),
            ("state", item.state.value),
            ("token", item.id_token),
            ("started", when(item.started_at)),
            ("stopped", when(item.stopped_at)),
            ("stop reason", item.stop_reason.value if item.stop_reason else None),
            ("energy", number(item.energy_wh, " kWh", 1000)),
            (
                "meter start / stop",
                f"{number(item.meter_start_wh)} / {number(item.meter_stop_wh)} Wh",
            ),
            ("peak power", number(item.peak_power_w, " kW", 1000)),
            ("state of charge", number(item.last_soc, " %")),
            ("signed start", _signed(item.signed_start)),
            ("signed end", _signed(item.signed_end)),
        ],
    )
    table(
        f"Meter samples ({len(item.samples)})",
        ("time", "measurand", "value", "phase", "context"),
        (
            (when(s.timestamp), s.measurand, f"{s.value:g} {s.unit}", s.phase or "-", s.context)
            for s in item.samples
        ),
    )


def api_keys(items: Sequence[ApiKeyOut]) -> None:
    table(
        "API keys",
        ("id", "name", "prefix", "role", "created", "revoked"),
        (
            (k.id, k.name, k.prefix, k.role, when(k.created_at), "yes" if k.revoked else "no")
            for k in items
        ),
    )


def command_record(record: CommandRecordOut) -> None:
    verdict = Text("yes", "green") if record.succeeded else Text("no", "red")
    fields(
        f"Command {record.id}: {record.kind.value}",
        [
            ("station", record.station_id),
            ("status", record.status.value),
            ("succeeded", verdict),
            ("error", record.error),
            ("requested", when(record.requested_at)),
            ("completed", when(record.completed_at)),
        ],
    )
    answer(record.result)


def answer(result: dict[str, Any]) -> None:
    """The answer's extras: lists of records become tables, everything else one list."""
    scalars: list[tuple[str, Any]] = []
    for name, value in result.items():
        if isinstance(value, list) and value and all(isinstance(v, dict) for v in value):
            columns = list(dict.fromkeys(key for item in value for key in item))
            table(name, columns, ([item.get(c) for c in columns] for item in value))
        elif isinstance(value, list):
            scalars.append((name, ", ".join(str(v) for v in value)))
        else:
            scalars.append((name, value))
    if scalars:
        fields("Answer", scalars)


def _signed(reading: SignedReadingOut | None) -> str | None:
    """The meter's signed reading, in short: its plain value and format."""
    if reading is None:
        return None
    return f"{reading.plain_data or '?'} ({reading.encoding_method or 'signed'})"
