"""Pieces of the web layer on their own: plain-word statuses, charts, live events, cookies."""

from __future__ import annotations

import asyncio
import json
import re
from datetime import UTC, datetime, timedelta

import pytest

from forecourt.bus.inprocess import InProcessBus
from forecourt.domain.connectors import DEFAULT_RATINGS, ConnectorType
from forecourt.domain.events import DomainEvent, StationEvent, StationEventKind
from forecourt.domain.metering import Measurand, MeterSample
from forecourt.domain.stations import (
    Connector,
    ConnectorStatus,
    Evse,
    RegistrationStatus,
    Site,
    Station,
)
from forecourt.domain.transactions import Transaction
from forecourt.ports.users import User
from forecourt.web.auth import SessionCodec
from forecourt.web.charts import chart_points, chart_rows
from forecourt.web.live import LiveFeed, LiveFilter, group_of, server_sent_events
from forecourt.web.rendering import STATIC_DIR, duration, kilowatt_hours, kilowatts, masked
from forecourt.web.routes.login import safe_next
from forecourt.web.status import connector_status, max_power_w, plug_label
from forecourt.web.views import build_overview, connector_views

T0 = datetime(2026, 11, 21, 12, 0, tzinfo=UTC)


def station(
    *statuses: ConnectorStatus, connected: bool = True, site_id: str | None = "north"
) -> Station:
    connectors = [
        Connector("CP-1", 1, i, ConnectorType.CCS1, DEFAULT_RATINGS[ConnectorType.CCS1], s)
        for i, s in enumerate(statuses, start=1)
    ]
    return Station(
        "CP-1", site_id, connected=connected, evses=[Evse("CP-1", 1, connectors, 150_000)]
    )


@pytest.mark.parametrize(
    ("status", "words"),
    [
        (ConnectorStatus.AVAILABLE, "Available"),
        (ConnectorStatus.OCCUPIED, "In use"),
        (ConnectorStatus.RESERVED, "Reserved"),
        (ConnectorStatus.FAULTED, "Out of order"),
        (ConnectorStatus.UNAVAILABLE, "Out of service"),
        (ConnectorStatus.UNKNOWN, "Status unknown"),
    ],
)
def test_every_status_has_plain_words(status: ConnectorStatus, words: str) -> None:
    cp = station(status)
    assert connector_status(cp, cp.evses[0], cp.evses[0].connectors[0]).words == words


def test_status_is_honest_about_offline_and_unapproved_stations() -> None:
    offline = station(ConnectorStatus.AVAILABLE, connected=False)
    assert [v.status.words for v in connector_views(offline)] == ["Offline — status unknown"]
    pending = station(ConnectorStatus.AVAILABLE)
    pending.registration = RegistrationStatus.PENDING
    assert [v.status.words for v in connector_views(pending)] == ["Out of service"]


def test_the_other_cable_of_a_busy_port_is_in_use_not_broken() -> None:
    views = connector_views(station(ConnectorStatus.OCCUPIED, ConnectorStatus.UNAVAILABLE))
    assert [v.status.words for v in views] == ["In use", "In use"]
    idle = connector_views(station(ConnectorStatus.AVAILABLE, ConnectorStatus.UNAVAILABLE))
    assert [v.status.words for v in idle] == ["Available", "Out of service"]


def test_plugs_power_and_numbers_read_well() -> None:
    assert [plug_label(t) for t in (ConnectorType.NACS, ConnectorType.TYPE2)] == [
        "NACS (J3400)",
        "Type 2",
    ]
    cp = station(ConnectorStatus.AVAILABLE)
    evse = cp.evses[0]
    assert max_power_w(evse, evse.connectors[0]) == 150_000  # capped by the EVSE
    assert max_power_w(Evse("CP-1", 2, [], None), Connector("CP-1", 2, 1)) is None
    assert (kilowatts(150_000), kilowatts(7_400), kilowatts(None)) == ("150 kW", "7.4 kW", "—")
    assert kilowatt_hours(12_345) == "12.35 kWh"
    assert (duration(59), duration(3_725)) == ("0 min 59 s", "1 h 02 min")
    assert (masked("04A1B2C3", reveal=False), masked("04A1B2C3")) == ("••••B2C3", "04A1B2C3")


def test_chart_rows_merge_power_and_soc_per_instant() -> None:
    t1 = T0 + timedelta(seconds=10)
    samples = [
        MeterSample(T0, Measurand.POWER_IMPORT, 50_000, "W"),
        MeterSample(T0, Measurand.SOC, 20, "%"),
        MeterSample(t1, Measurand.POWER_IMPORT, 10_000, "W", phase="L1"),
        MeterSample(t1, Measurand.POWER_IMPORT, 11_000, "W", phase="L2"),
        MeterSample(t1, Measurand.ENERGY_IMPORT_REGISTER, 1_000, "Wh"),
    ]
    rows = chart_rows(samples)
    assert [(r.power_w, r.soc) for r in rows] == [(50_000, 20), (21_000, None)]
    assert chart_points(rows)[0] == (int(T0.timestamp() * 1000), 50_000, 20)


def test_overview_counts_in_one_pass() -> None:
    busy = station(ConnectorStatus.OCCUPIED, ConnectorStatus.FAULTED)
    gone = Station("CP-2", "north", evses=[Evse("CP-2", 1, [Connector("CP-2", 1, 1)])])
    tx = Transaction("CP-1", 1, 1, T0, id=7, energy_wh=5_000)
    drift = StationEvent("CP-2", StationEventKind.CLOCK_DRIFT, T0, {"drift_s": 95.0})
    overview = build_overview([busy, gone], [Site("north", "North")], [tx], 5_000, [drift])
    summary = overview.summary
    assert (summary.stations, summary.online, summary.offline) == (2, 1, 1)
    assert summary.active_sessions == 1
    assert {s.key: n for s, n in summary.counts.items} == {
        "in_use": 1,
        "out_of_order": 1,
        "offline": 1,
    }
    assert overview.sites[0].stations == 2
    # newest first; a fault without a timestamp goes last
    assert [a.title for a in overview.alerts] == [
        "Station clock drift",
        "Connector 1/2 out of order",
    ]


@pytest.mark.parametrize(
    ("topic", "group"),
    [
        ("transaction.updated", "meter"),
        ("transaction.started", "session"),
        ("connector.status", "connector"),
        ("command.completed", "command"),
        ("station.connected", "station"),
        ("station.security", "alert"),
        ("token.authorized", None),
    ],
)
def test_event_groups(topic: str, group: str | None) -> None:
    assert group_of(topic) == group


async def test_live_feed_filters_by_group_station_and_visibility() -> None:
    bus = InProcessBus()
    feed = LiveFeed(bus)
    mine = LiveFilter(frozenset({"meter"}), lambda s: s == "CP-1", reveal_tokens=False)
    with feed.open(mine) as stream:
        for station_id, topic in (
            ("CP-1", "transaction.updated"),
            ("CP-2", "transaction.updated"),
            ("CP-1", "connector.status"),
        ):
            data = {"power_w": 1.0, "id_token": "SECRET"}
            bus.dispatch(DomainEvent(topic, station_id, T0, data))
        await bus.drain()
        assert stream.queue.qsize() == 1
        message = stream.queue.get_nowait()
    assert message["station_id"] == "CP-1"
    assert "id_token" not in message["data"]
    assert feed.open_streams == 0


async def test_server_sent_events_format_and_overflow() -> None:
    bus = InProcessBus()
    feed = LiveFeed(bus)
    everything = LiveFilter(frozenset({"station"}), lambda _: True)
    events = server_sent_events(feed, everything)
    assert await anext(events) == "retry: 2000\n\n"
    waiting = asyncio.ensure_future(anext(events))
    await asyncio.sleep(0)
    bus.dispatch(DomainEvent("station.connected", "CP-1", T0, {"protocol": "1.6"}))
    text = await asyncio.wait_for(waiting, 2)
    assert text.startswith("data: ")
    assert text.endswith("\n\n")
    assert json.loads(text[6:])["topic"] == "station.connected"
    for _ in range(300):  # a client that does not read
        bus.dispatch(DomainEvent("station.connected", "CP-1", T0))
    await bus.drain()
    assert json.loads((await anext(events))[6:]) == {"group": "resync"}
    await events.aclose()
    assert feed.open_streams == 0


def test_session_cookies_are_signed_and_bound_to_the_password() -> None:
    codec = SessionCodec("secret-1")
    user = User(5, "ops", "scrypt$hash", "operator")
    cookie = codec.issue(user)
    assert codec.read(cookie) is not None
    assert codec.read(cookie)[0] == 5  # type: ignore[index]
    assert SessionCodec("secret-2").read(cookie) is None
    assert codec.read(cookie[:-2] + "xx") is None
    token = codec.new_csrf_token("session-a")
    assert codec.csrf_token_valid(token, "session-a")
    assert not codec.csrf_token_valid(token, "session-b")  # bound to one session
    assert not codec.csrf_token_valid("made-up", "session-a")


@pytest.mark.parametrize(
    ("target", "safe"),
    [
        ("/dashboard/sessions?state=active", "/dashboard/sessions?state=active"),
        ("//evil.example/x", "/dashboard"),
        ("/\\evil.example", "/dashboard"),
        ("https://evil.example", "/dashboard"),
    ],
)
def test_sign_in_returns_only_to_local_paths(target: str, safe: str) -> None:
    assert safe_next(target) == safe


def _luminance(hex_colour: str) -> float:
    channels = [int(hex_colour[i : i + 2], 16) / 255 for i in (1, 3, 5)]
    linear = [c / 12.92 if c <= 0.03928 else ((c + 0.055) / 1.055) ** 2.4 for c in channels]
    return 0.2126 * linear[0] + 0.7152 * linear[1] + 0.0722 * linear[2]


def _contrast(a: str, b: str) -> float:
    high, low = sorted((_luminance(a), _luminance(b)), reverse=True)
    return (high + 0.05) / (low + 0.05)


def test_status_and_text_colours_meet_wcag_aa() -> None:
    css = (STATIC_DIR / "app.css").read_text()
    colours = dict(re.findall(r"--([a-z-]+):\s*(#[0-9a-f]{6})", css))
    pairs = [("ink", "paper"), ("muted", "paper"), ("muted", "wash"), ("brand", "paper")]
    pairs += [(f"{tone}-ink", f"{tone}-bg") for tone in ("ok", "busy", "bad", "unknown")]
    for text, background in pairs:
        ratio = _contrast(colours[text], colours[background])
        assert ratio >= 4.5, f"{text} on {background}: {ratio:.2f}"
