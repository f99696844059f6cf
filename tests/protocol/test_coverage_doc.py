"""``docs/ocpp-coverage.md`` says what the code does: every message of every version is listed,
and a message is ``implemented`` exactly when the code handles (station -> CSMS) or renders
(CSMS -> station) it.

The implemented sets come from the code: each version's inbound handler table, and the actions
its adapter renders for an example of every neutral command (the outbound tests keep those
examples complete). The message lists come from the OCA schemas the ``ocpp`` package ships.
"""

from __future__ import annotations

import importlib
import re
from pathlib import Path

import ocpp
import pytest

from forecourt.domain.commands import (
    Command,
    NotifyWebPaymentStarted,
    RemoteStop,
    TriggerKind,
    TriggerMessage,
)
from forecourt.domain.errors import CommandNotSupported, InvalidInput
from forecourt.ocpp.adapter import VersionAdapter
from tests.protocol.test_certificate_frames import CERTIFICATE_RENDERED
from tests.protocol.v21.test_tariff_frames import TARIFF_COMMANDS
from tests.protocol.v201.test_device import DEVICE_RENDERED
from tests.protocol.v201.test_outbound import RENDERED, V201_FRAMES

ROOT = Path(__file__).resolve().parents[2]
DOC = ROOT / "docs" / "ocpp-coverage.md"
SCHEMAS = Path(ocpp.__file__).resolve().parent
WEB_PAYMENT = NotifyWebPaymentStarted(evse_id=1, timeout_s=300)
#: Version folder -> the heading of its table in the document.
HEADINGS = {
    "v16": "## OCPP 1.6 (all profiles, with the security whitepaper)",
    "v201": "## OCPP 2.0.1",
    "v21": "## OCPP 2.1",
}
UP = "station → CSMS"
DOWN = "CSMS → station"
BOTH = "both"
STATUSES = {"implemented", "not yet", "not applicable"}
ROW = re.compile(r"^\| (\w+) \| ([^|]+?) \| ([^|]+?) \| ([^|]*?) \|$")


def schema_messages(version: str) -> set[str]:
    folder = SCHEMAS / version / "schemas"
    if version == "v16":
        return {p.stem for p in folder.glob("*.json") if not p.stem.endswith("Response")}
    return {p.name.removesuffix("Request.json") for p in folder.glob("*Request.json")}


def adapter(version: str) -> VersionAdapter | None:
    """The version's adapter; None while the version has none (2.1 before issue 14)."""
    found: VersionAdapter | None = getattr(
        importlib.import_module(f"forecourt.ocpp.{version}"), "ADAPTER", None
    )
    return found


def example_commands() -> list[Command]:
    examples = [command for command, _, _ in [*RENDERED, *DEVICE_RENDERED, *V201_FRAMES]]
    examples += TARIFF_COMMANDS  # 2.1 only: earlier versions refuse them
    examples.append(WEB_PAYMENT)  # 2.1 only (C25)
    triggers = [TriggerMessage(kind) for kind in TriggerKind]
    certificates = [command for command, *_ in CERTIFICATE_RENDERED]
    return [
        *examples,
        *triggers,
        *certificates,
        RemoteStop("7"),
    ]  # 1.6 transaction ids are integers


def implemented(version: str) -> tuple[set[str], set[str]]:
    """(actions handled from stations, actions rendered to stations) by the code."""
    found = adapter(version)
    if found is None:
        return set(), set()
    rendered: set[str] = set()
    for command in example_commands():
        try:
            rendered.add(found.render(command)[0])
        except (CommandNotSupported, InvalidInput):
            continue
    return set(found.handlers), rendered


def documented(version: str) -> dict[str, tuple[str, str, str]]:
    """Message -> (direction, status, note) from the version's table."""
    text = DOC.read_text()
    start = text.index(HEADINGS[version] + "\n")
    end = text.find("\n## ", start + 1)
    rows: dict[str, tuple[str, str, str]] = {}
    for line in text[start : None if end < 0 else end].splitlines():
        match = ROW.match(line)
        if match and match[1] != "Message":
            assert match[1] not in rows, f"{version}: {match[1]} is listed twice"
            rows[match[1]] = (match[2], match[3], match[4])
    return rows


@pytest.mark.parametrize("version", HEADINGS)
def test_every_message_of_the_version_is_listed_once(version: str) -> None:
    rows = documented(version)
    assert set(rows) == schema_messages(version)
    for message, (direction, status, note) in rows.items():
        assert direction in (UP, DOWN, BOTH), message
        assert status in STATUSES, message
        if status != "implemented":
            assert note, f"{version} {message}: say which issue (or why not applicable)"


@pytest.mark.parametrize("version", HEADINGS)
def test_the_implemented_messages_are_exactly_what_the_code_does(version: str) -> None:
    handled, rendered = implemented(version)
    rows = documented(version)
    claimed = {m for m, (_, status, _) in rows.items() if status == "implemented"}
    by_code = set()
    for message, (direction, _, _) in rows.items():
        inbound, outbound = message in handled, message in rendered
        done = {UP: inbound, DOWN: outbound, BOTH: inbound and outbound}[direction]
        if done:
            by_code.add(message)
    assert claimed - by_code == set(), "documented as implemented, but the code does not"
    assert by_code - claimed == set(), "implemented in the code, but documented otherwise"


@pytest.mark.parametrize("version", ["v16", "v201"])
def test_the_code_speaks_only_documented_directions(version: str) -> None:
    handled, rendered = implemented(version)
    rows = documented(version)
    assert handled, "no handler found: has the adapter changed shape?"
    assert rendered, "nothing rendered: has the adapter changed shape?"
    for message in handled:
        assert rows[message][0] in (UP, BOTH), f"{message} is handled but documented {DOWN}"
    for message in rendered:
        assert rows[message][0] in (DOWN, BOTH), f"{message} is rendered but documented {UP}"
