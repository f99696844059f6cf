"""Bulk provisioning from CSV: stations (with connectors) and tokens.

Policy (docs/cli.md): the whole file is validated first, against itself and the database, and
every problem is reported with its line, column and reason; if there is any, nothing is
written. Then each row is applied on its own, idempotently (a row that matches what is stored
changes nothing), so importing the same file again, or again after an interruption, leaves the
network as the file describes.
"""

from __future__ import annotations

import csv
import io
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from datetime import UTC, datetime
from enum import StrEnum

from forecourt.domain.connectors import ConnectorType
from forecourt.domain.errors import InvalidInput
from forecourt.domain.ratings import RatingOverrides, rating_with_defaults
from forecourt.domain.stations import Station, check_station_id
from forecourt.domain.tokens import TokenKind, TokenRecord
from forecourt.services.credentials import verify_password
from forecourt.services.network import ConnectorSpec, Network

STATION_COLUMNS = ("id", "site", "password", "connectors")
TOKEN_COLUMNS = ("tag", "kind", "expires", "group", "label")


@dataclass(frozen=True, slots=True)
class RowError:
    line: int
    column: str
    reason: str

    def __str__(self) -> str:
        return f"line {self.line}, {self.column}: {self.reason}"


class ImportRejected(InvalidInput):
    """The file has errors; nothing was written."""

    def __init__(self, errors: list[RowError]) -> None:
        super().__init__(f"{len(errors)} error(s); nothing was imported")
        self.errors = errors


class Outcome(StrEnum):
    ADDED = "added"
    UPDATED = "updated"
    UNCHANGED = "unchanged"


@dataclass(slots=True)
class ImportReport:
    counts: dict[Outcome, int] = field(default_factory=lambda: dict.fromkeys(Outcome, 0))

    def __str__(self) -> str:
        return ", ".join(f"{n} {outcome.value}" for outcome, n in self.counts.items())


@dataclass(frozen=True, slots=True)
class StationRow:
    line: int
    id: str
    site: str | None
    password: str | None
    connectors: tuple[ConnectorSpec, ...]


Progress = Callable[[], None]


def read_rows(
    text: str, columns: tuple[str, ...], required: str
) -> tuple[list[tuple[int, dict[str, str]]], list[RowError]]:
    """(line number, cells) of each data row; header problems as errors on line 1."""
    reader = csv.DictReader(io.StringIO(text.lstrip("\ufeff")))
    header = [name.strip() for name in reader.fieldnames or []]
    errors = [RowError(1, name, f"unknown column; use {', '.join(columns)}")
              for name in header if name not in columns]  # fmt: skip
    if required not in header:
        errors.append(RowError(1, required, "required column is missing"))
    rows = []
    for cells in reader:
        values = {(k or "").strip(): (v or "").strip() for k, v in cells.items() if k}
        if any(values.values()):
            rows.append((reader.line_num, values))
    return rows, errors


def parse_connectors(text: str) -> tuple[ConnectorSpec, ...]:
    """``"1/1:ccs1:150 1/2:nacs:150"``: EVSE/CONNECTOR:TYPE[:KW], separated by spaces or ';'."""
    specs = []
    for item in text.replace(";", " ").split():
        place, _, rest = item.partition(":")
        type_text, _, kw_text = rest.partition(":")
        evse, _, connector = place.partition("/")
        if not (evse.isdigit() and connector.isdigit() and int(evse) > 0 and int(connector) > 0):
            raise InvalidInput(f"{item!r}: expected EVSE/CONNECTOR:TYPE[:KW], e.g. 1/1:ccs1:150")
        try:
            plug = ConnectorType(type_text.lower())
        except ValueError:
            known = ", ".join(t.value for t in ConnectorType if t is not ConnectorType.UNKNOWN)
            raise InvalidInput(f"{item!r}: unknown plug type; use one of {known}") from None
        kw = _positive_number(kw_text, item) if kw_text else None
        overrides = RatingOverrides(max_power_w=None if kw is None else kw * 1000)
        specs.append(
            ConnectorSpec(int(evse), int(connector), plug, rating_with_defaults(plug, overrides))
        )
    return tuple(specs)


def _positive_number(text: str, item: str) -> float:
    try:
        value = float(text)
    except ValueError:
        value = -1.0
    if not value > 0:
        raise InvalidInput(f"{item!r}: power {text!r} must be a positive number of kW")
    return value


def station_rows(text: str, known_sites: Iterable[str]) -> list[StationRow]:
    """Every row checked; ImportRejected lists all problems of the file."""
    rows, errors = read_rows(text, STATION_COLUMNS, "id")
    sites, seen, parsed = set(known_sites), dict[str, int](), []
    for line, cells in rows:
        problems = _station_problems(line, cells, sites, seen)
        errors += problems
        if not problems:
            connectors = parse_connectors(cells.get("connectors", ""))
            parsed.append(StationRow(line, cells["id"], cells.get("site") or None,
                                     cells.get("password") or None, connectors))  # fmt: skip
    if errors:
        raise ImportRejected(errors)
    return parsed


def _station_problems(
    line: int, cells: dict[str, str], sites: set[str], seen: dict[str, int]
) -> list[RowError]:
    problems = []
    station_id = cells.get("id", "")
    try:
        check_station_id(station_id)
    except InvalidInput as exc:
        problems.append(RowError(line, "id", str(exc)))
    if station_id in seen:
        problems.append(RowError(line, "id", f"{station_id!r} is also on line {seen[station_id]}"))
    seen.setdefault(station_id, line)
    site = cells.get("site", "")
    if site and site not in sites:
        problems.append(RowError(line, "site", f"no site {site!r}; add it first (sites add)"))
    try:
        specs = parse_connectors(cells.get("connectors", ""))
    except InvalidInput as exc:
        problems.append(RowError(line, "connectors", str(exc)))
    else:
        places = [(s.evse_id, s.connector_id) for s in specs]
        if len(set(places)) != len(places):
            problems.append(RowError(line, "connectors", "a connector is listed twice"))
    return problems


async def import_stations(
    network: Network, text: str, progress: Progress | None = None
) -> ImportReport:
    sites = [site.id for site in await network.sites()]
    rows = station_rows(text, sites)
    stored = {station.id: station for station in await network.stations()}
    report = ImportReport()
    for row in rows:
        outcome = await _apply_station(network, row, stored.get(row.id))
        report.counts[outcome] += 1
        if progress:
            progress()
    return report


async def _apply_station(network: Network, row: StationRow, stored: Station | None) -> Outcome:
    if stored is None:
        await network.add_station(row.id, password=row.password, site_id=row.site)
        for spec in row.connectors:
            await network.set_connector(row.id, spec)
        return Outcome.ADDED
    changed = False
    new_site = row.site if row.site and row.site != stored.site_id else None
    new_password = (
        row.password if row.password and not _same_password(row.password, stored) else None
    )
    if new_site or new_password:
        await network.update_station(row.id, site_id=new_site, password=new_password)
        changed = True
    for spec in row.connectors:
        evse = stored.evse(spec.evse_id)
        now = (
            next((c for c in evse.connectors if c.connector_id == spec.connector_id), None)
            if evse
            else None
        )
        if now is None or now.type is not spec.type or now.rating != spec.rating:
            await network.set_connector(row.id, spec)
            changed = True
    return Outcome.UPDATED if changed else Outcome.UNCHANGED


def _same_password(password: str, stored: Station) -> bool:
    if stored.password_hash is None:
        return False
    return verify_password(password, stored.password_hash, subject=f"station:{stored.id}")


def token_rows(text: str) -> list[tuple[int, TokenRecord]]:
    rows, errors = read_rows(text, TOKEN_COLUMNS, "tag")
    seen: dict[str, int] = {}
    parsed = []
    for line, cells in rows:
        tag = cells.get("tag", "")
        try:
            record = _token(cells)
        except _CellError as exc:
            errors.append(RowError(line, exc.column, exc.reason))
            continue
        if tag in seen:
            errors.append(RowError(line, "tag", f"{tag!r} is also on line {seen[tag]}"))
        seen.setdefault(tag, line)
        parsed.append((line, record))
    if errors:
        raise ImportRejected(errors)
    return parsed


class _CellError(Exception):
    def __init__(self, column: str, reason: str) -> None:
        super().__init__(reason)
        self.column, self.reason = column, reason


def _token_changes(before: TokenRecord, wanted: TokenRecord) -> bool:
    """Only what ``update_token`` can set counts; an empty cell leaves a field as stored."""
    expires = wanted.expires_at or before.expires_at
    group = wanted.group or before.group
    return (before.kind, before.expires_at, before.group) != (wanted.kind, expires, group)


def _token(cells: dict[str, str]) -> TokenRecord:
    tag = cells.get("tag", "")
    if not tag or len(tag) > 255:
        raise _CellError("tag", "a token value must be 1-255 characters")
    try:
        kind = TokenKind(cells.get("kind") or TokenKind.RFID.value)
    except ValueError:
        raise _CellError("kind", f"use one of {', '.join(k.value for k in TokenKind)}") from None
    expires = None
    if cells.get("expires"):
        try:
            expires = datetime.fromisoformat(cells["expires"])
        except ValueError:
            raise _CellError("expires", "not an ISO 8601 date or time, e.g. 2027-01-31") from None
        expires = expires.replace(tzinfo=UTC) if expires.tzinfo is None else expires.astimezone(UTC)
    return TokenRecord(tag, kind, expires_at=expires, group=cells.get("group") or None,
                       label=cells.get("label", ""))  # fmt: skip


async def import_tokens(
    network: Network, text: str, progress: Progress | None = None
) -> ImportReport:
    rows = token_rows(text)
    stored = {token.value: token for token in await network.tokens()}
    report = ImportReport()
    for _, record in rows:
        before = stored.get(record.value)
        if before is None:
            await network.add_token(record)
            outcome = Outcome.ADDED
        elif _token_changes(before, record):
            await network.update_token(record.value, expires_at=record.expires_at,
                                       group=record.group, kind=record.kind)  # fmt: skip
            outcome = Outcome.UPDATED
        else:
            outcome = Outcome.UNCHANGED
        report.counts[outcome] += 1
        if progress:
            progress()
    return report
