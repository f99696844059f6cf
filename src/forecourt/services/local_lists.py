"""Local authorization lists (1.6 Local Auth List Management, 2.0.1 block D) and the
authorization cache switch (C11): one rule for every version.

A list is kept per station or per site (a station without a list of its own uses its
site's). What a station should hold is computed from the tokens, so a token that is blocked,
expires or disappears leaves the list by itself: every token change, every (re)connection and
every operator edit runs :meth:`LocalLists.sync`, which sends the differential update from
what the station last accepted, or a full update when the versions disagree.
"""

from __future__ import annotations

import asyncio
from dataclasses import dataclass
from datetime import datetime

from forecourt.domain.commands import CommandRecord, CommandStatus
from forecourt.domain.errors import InvalidInput, NotFound
from forecourt.domain.local_auth import (
    GetLocalListLimits,
    GetLocalListVersion,
    ListSync,
    LocalListEntry,
    LocalListState,
    SendLocalList,
    SetAuthCache,
    chunks,
    list_changes,
)
from forecourt.domain.tokens import AuthorizationStatus, TokenRecord
from forecourt.ports.repositories import UnitOfWork
from forecourt.ports.station_gateway import StationGateway
from forecourt.services.context import ServiceContext
from forecourt.services.remote_control import RemoteControl

SCOPES = ("site", "station")


class _Unread:
    """The station's site is not known yet: read it."""


_UNREAD = _Unread()
#: The most entries one list may hold (larger lists are a mistake, not a fleet).
MAX_LIST_SIZE = 10_000
_ANSWERS_NEEDING_FULL = (CommandStatus.VERSION_MISMATCH, CommandStatus.FAILED)


@dataclass(frozen=True, slots=True)
class LocalListView:
    """A station's list as the operator sees it: where it comes from, what it should hold,
    and what the station last accepted."""

    station_id: str
    source: str  # "station", "site" or "" (no list)
    tokens: tuple[str, ...]
    state: LocalListState


class LocalLists:
    def __init__(self, ctx: ServiceContext, remote: RemoteControl, gateway: StationGateway) -> None:
        self._ctx = ctx
        self._remote = remote
        self._gateway = gateway
        self._locks: dict[str, asyncio.Lock] = {}

    # -- the lists ----------------------------------------------------------------------------
    async def members(self, scope: str, scope_id: str) -> list[str]:
        _check_scope(scope)
        async with self._ctx.uow() as uow:
            return await uow.local_lists.members(scope, scope_id)

    async def set_members(self, scope: str, scope_id: str, tokens: list[str]) -> list[str]:
        """Replace a site's or station's list; returns the stations it applies to (synced)."""
        _check_scope(scope)
        if len(tokens) > MAX_LIST_SIZE:
            raise InvalidInput(f"a local list holds at most {MAX_LIST_SIZE} tokens")
        async with self._ctx.uow() as uow:
            await _require_scope(uow, scope, scope_id)
            unknown = [t for t in tokens if await uow.tokens.get(t) is None]
            if unknown:
                raise InvalidInput(f"unknown tokens: {', '.join(sorted(unknown)[:10])}")
            await uow.local_lists.set_members(scope, scope_id, tokens)
            stations = await _stations_in(uow, scope, scope_id)
            await uow.commit()
        await self._sync_all(stations)
        return stations

    async def view(self, station_id: str) -> LocalListView:
        async with self._ctx.uow() as uow:
            if await uow.stations.get(station_id) is None:
                raise NotFound("station", station_id)
            source, tokens = await _list_of(uow, station_id)
            state = await uow.local_lists.state(station_id) or LocalListState(station_id)
        return LocalListView(station_id, source, tuple(tokens), state)

    async def views(self) -> list[LocalListState]:
        async with self._ctx.uow() as uow:
            return await uow.local_lists.states()

    async def set_limit(self, station_id: str, max_per_message: int | None) -> LocalListState:
        """The station's entries-per-message limit (1.6 SendLocalListMaxLength, 2.0.1
        LocalAuthListCtrlr.ItemsPerMessage): larger updates are sent in chunks."""
        if max_per_message is not None and max_per_message < 1:
            raise InvalidInput("max_per_message must be at least 1")
        state = await self._state_for_update(station_id)
        state.max_per_message = max_per_message
        return await self._save(state)

    def is_connected(self, station_id: str) -> bool:
        return self._gateway.is_connected(station_id)

    # -- keeping stations in sync -------------------------------------------------------------
    async def token_changed(self, value: str) -> list[str]:
        """A token was created, blocked, changed or expired: every list holding it is resent."""
        async with self._ctx.uow() as uow:
            stations: set[str] = set()
            for scope, scope_id in await uow.local_lists.scopes_of(value):
                stations.update(await _stations_in(uow, scope, scope_id))
        await self._sync_all(sorted(stations))
        return sorted(stations)

    async def drifted(self, states: list[LocalListState]) -> list[str]:
        """Stations whose accepted list is no longer what their tokens say they should hold
        (every token read once, whatever the number of stations)."""
        if not states:
            return []
        now = self._ctx.clock.now()
        async with self._ctx.uow() as uow:
            tokens = {t.value: t for t in await uow.tokens.list()}
            drifted = []
            for state in states:
                if state.sync is ListSync.NOT_SUPPORTED:
                    continue
                _, members = await _list_of(uow, state.station_id)
                wanted = _wanted_of(members, tokens, now)
                if wanted != state.entries:
                    drifted.append(state.station_id)
        return drifted

    async def station_connected(
        self, station_id: str, site_id: str | _Unread | None = _UNREAD
    ) -> None:
        """On (re)connection: bring the station's list up to date if it has one (``site_id``
        from the event's snapshot: a boot costs no extra read of the station)."""
        async with self._ctx.uow() as uow:
            source, _ = await _list_of(uow, station_id, site_id)
            known = await uow.local_lists.state(station_id)
        if source or (known is not None and known.entries):
            await self.sync(station_id)

    async def sync(self, station_id: str, *, full: bool = False) -> LocalListState:
        """Send what changed since the station's last accepted version (or everything when
        ``full``, or when the station reports another version). Offline: left pending."""
        lock = self._locks.setdefault(station_id, asyncio.Lock())
        async with lock:
            state = await self._state_for_update(station_id)
            wanted = await self._wanted(station_id)
            if not self._gateway.is_connected(station_id):
                return await self._mark(
                    state, ListSync.PENDING, "station offline: sent on reconnect"
                )
            reported, answer = await self._reported_version(station_id)
            if reported is None:
                return await self._refused(state, answer)
            # a first list, a station that reports another version, or a refused update:
            # everything is sent again
            full = full or not state.version or reported != state.version
            full = full or state.sync is ListSync.FAILED
            return await self._send(state, wanted, max(state.version, reported), full)

    async def set_auth_cache(
        self, station_id: str, enabled: bool, *, requested_by: str = ""
    ) -> CommandRecord:
        record = await self._remote.send(
            station_id, SetAuthCache(enabled), requested_by=requested_by
        )
        if record.status.succeeded:
            state = await self._state_for_update(station_id)
            state.auth_cache_enabled = enabled
            await self._save(state)
        return record

    async def _send(
        self,
        state: LocalListState,
        wanted: dict[str, LocalListEntry],
        base: int,
        full: bool,
    ) -> LocalListState:
        entries = tuple(wanted[v] for v in sorted(wanted)) if full else None
        if entries is None:
            entries = list_changes(state.entries, wanted)
            if not entries:
                state.version = base
                return await self._mark(state, ListSync.IN_SYNC, "")
        elif (too_many := await self._read_limits(state, len(entries))) is not None:
            return await self._mark(state, ListSync.FAILED, too_many)
        version = base
        for index, part in enumerate(chunks(entries, state.max_per_message)):
            version += 1
            command = SendLocalList(version, full and index == 0, part)
            record = await self._remote.send(state.station_id, command)
            if record.status in _ANSWERS_NEEDING_FULL and not full:
                return await self._send(state, wanted, version, full=True)
            if record.status is not CommandStatus.ACCEPTED:
                return await self._refused(state, record.status)
            state.version = version
            state.entries = {} if command.full else state.entries
            _apply(state.entries, part)
            await self._save(state)
        return await self._mark(state, ListSync.IN_SYNC, "")

    async def _read_limits(self, state: LocalListState, size: int) -> str | None:
        """Before a full update: the station's limits (1.6 SendLocalListMaxLength and
        LocalAuthListMaxLength, 2.0.1 LocalAuthListCtrlr.ItemsPerMessage). Adopts its
        per-message limit unless the operator set one (0: it reports none); returns why the
        list cannot be sent when it is larger than the station holds."""
        record = await self._remote.send(state.station_id, GetLocalListLimits())
        limits = record.result if record.status is CommandStatus.ACCEPTED else {}
        per_message, capacity = limits.get("per_message"), limits.get("entries")
        if state.max_per_message is None:
            state.max_per_message = per_message if isinstance(per_message, int) else 0
        if isinstance(capacity, int) and size > capacity:
            return f"the list has {size} tokens; the station holds at most {capacity}"
        return None

    async def _refused(self, state: LocalListState, status: CommandStatus) -> LocalListState:
        if status is CommandStatus.NOT_SUPPORTED:
            return await self._mark(state, ListSync.NOT_SUPPORTED, "the station has no local list")
        if status in (CommandStatus.OFFLINE, CommandStatus.TIMEOUT, CommandStatus.ACCEPTED):
            return await self._mark(state, ListSync.PENDING, f"update not delivered: {status}")
        return await self._mark(state, ListSync.FAILED, f"the station answered {status}")

    async def _reported_version(self, station_id: str) -> tuple[int | None, CommandStatus]:
        record = await self._remote.send(station_id, GetLocalListVersion())
        version = record.result.get("version")
        if record.status is CommandStatus.ACCEPTED and isinstance(version, int):
            return version, record.status
        return None, record.status

    async def _wanted(self, station_id: str) -> dict[str, LocalListEntry]:
        now = self._ctx.clock.now()
        async with self._ctx.uow() as uow:
            _, members = await _list_of(uow, station_id)
            tokens = {v: t for v in members if (t := await uow.tokens.get(v)) is not None}
        return _wanted_of(members, tokens, now)

    async def _state_for_update(self, station_id: str) -> LocalListState:
        async with self._ctx.uow() as uow:
            if await uow.stations.get(station_id) is None:
                raise NotFound("station", station_id)
            return await uow.local_lists.state(station_id) or LocalListState(station_id)

    async def _mark(self, state: LocalListState, sync: ListSync, detail: str) -> LocalListState:
        state.sync, state.detail = sync, detail
        return await self._save(state)

    async def _save(self, state: LocalListState) -> LocalListState:
        state.updated_at = self._ctx.clock.now()
        async with self._ctx.uow() as uow:
            await uow.local_lists.save_state(state)
            self._ctx.stage_event(
                uow,
                "local_list.changed",
                state.station_id,
                version=state.version,
                sync=state.sync.value,
            )
            await uow.commit()
        return state

    async def _sync_all(self, stations: list[str]) -> None:
        for station_id in stations:
            await self.sync(station_id)


def _check_scope(scope: str) -> None:
    if scope not in SCOPES:
        raise InvalidInput(f"a local list belongs to a site or a station, not {scope!r}")


async def _require_scope(uow: UnitOfWork, scope: str, scope_id: str) -> None:
    found = await (uow.sites.get(scope_id) if scope == "site" else uow.stations.get(scope_id))
    if found is None:
        raise NotFound(scope, scope_id)


async def _stations_in(uow: UnitOfWork, scope: str, scope_id: str) -> list[str]:
    if scope == "station":
        return [scope_id]
    # a site's list reaches its stations that have no list of their own
    return [
        s.id
        for s in await uow.stations.list(scope_id)
        if not await uow.local_lists.members("station", s.id)
    ]


async def _list_of(
    uow: UnitOfWork, station_id: str, site_id: str | _Unread | None = _UNREAD
) -> tuple[str, list[str]]:
    own = await uow.local_lists.members("station", station_id)
    if own:
        return "station", own
    if isinstance(site_id, _Unread):
        station = await uow.stations.get(station_id)
        site_id = station.site_id if station is not None else None
    if site_id:
        inherited = await uow.local_lists.members("site", site_id)
        if inherited:
            return "site", inherited
    return "", []


def _wanted_of(
    members: list[str], tokens: dict[str, TokenRecord], now: datetime
) -> dict[str, LocalListEntry]:
    """The entries a list of these members holds: registered, admitted tokens only."""
    found = (tokens.get(value) for value in members)
    return {t.value: _entry(t) for t in found if t is not None and _admitted(t, now)}


def _admitted(token: TokenRecord, now: datetime) -> bool:
    """Blocked and expired tokens leave the list (a station would admit them offline)."""
    return not token.blocked and (token.expires_at is None or token.expires_at > now)


def _entry(token: TokenRecord) -> LocalListEntry:
    expires = token.expires_at.isoformat().replace("+00:00", "Z") if token.expires_at else None
    return LocalListEntry(
        token.value, token.kind, AuthorizationStatus.ACCEPTED, expires, token.group or None
    )


def _apply(entries: dict[str, LocalListEntry], part: tuple[LocalListEntry, ...]) -> None:
    for entry in part:
        if entry.status is None:
            entries.pop(entry.id_token, None)
        else:
            entries[entry.id_token] = entry
