"""Every domain event goes through the outbox (ADR 0012): no code outside the buses and the
composition root hands an event to a bus, so none can be published after a commit (a crash
between the two would lose it). Services stage events in the unit of work of their change
(``ctx.stage`` / ``ctx.stage_event``, or ``ctx.notify`` for a fact that changes nothing)."""

from __future__ import annotations

import ast
import re
from pathlib import Path

from forecourt.bus.cluster_bus import JetStreamBus
from forecourt.bus.inprocess import InProcessBus
from forecourt.ports.events import EventBus
from forecourt.services.context import ServiceContext

SRC = Path(__file__).resolve().parents[2] / "src" / "forecourt"
#: Where events may be handed to a bus: the buses themselves and the composition root
#: (which wires the outbox relay's delivery).
ALLOWED = ("bus/", "bootstrap.py", "app.py")
#: Handing an event to a bus, by any name it has had.
HANDING = frozenset({"publish", "publish_with", "deliver", "dispatch"})
#: A receiver that is (or reaches) an event bus or the service context.
BUS_OR_CONTEXT = re.compile(r"(^|\.)_?(bus|ctx|context|events_bus)$|bus$", re.IGNORECASE)


def post_commit_publishes(source: str) -> list[str]:
    """Calls in ``source`` that hand an event to a bus or publish through the context."""
    found = []
    for node in ast.walk(ast.parse(source)):
        if not (isinstance(node, ast.Call) and isinstance(node.func, ast.Attribute)):
            continue
        receiver = ast.unparse(node.func.value)
        if node.func.attr in HANDING and BUS_OR_CONTEXT.search(receiver):
            found.append(f"line {node.lineno}: {ast.unparse(node.func)}(...)")
    return found


def test_no_code_outside_the_buses_publishes_an_event() -> None:
    offenders = {
        str(path.relative_to(SRC)): calls
        for path in sorted(SRC.rglob("*.py"))
        if not str(path.relative_to(SRC)).startswith(ALLOWED)
        and (calls := post_commit_publishes(path.read_text(encoding="utf-8")))
    }
    assert offenders == {}, "stage events in the change's unit of work (ctx.stage_event)"


def test_the_check_catches_each_way_an_event_was_published_after_commit() -> None:
    before = """
async def old(self, uow):
    await uow.commit()
    await self._ctx.publish("connector.status", station_id, status="Available")
    await self._ctx.publish_with("station.booted", station_id, station)
    await self._ctx.bus.publish(DomainEvent("station.security", station_id, now, data))
    await ctx.bus.deliver(event)
    bus.dispatch(event)
"""
    assert len(post_commit_publishes(before)) == 5
    harmless = """
async def fine(self, uow):
    self._ctx.stage_event(uow, "connector.status", station_id, status="Available")
    await self._ctx.notify("token.authorized", station_id, token="T")
    await payments.tariffs.publish(tariff)
    await self._publishing.publish(station_id, image)
"""
    assert post_commit_publishes(harmless) == []


def test_services_cannot_reach_a_publish() -> None:
    """The context offers no after-commit publish, and the bus port services see (``ctx.bus``)
    only subscribes: ``mypy --strict`` rejects ``ctx.bus.publish`` / ``deliver``."""
    for name in ("publish", "publish_with"):
        assert not hasattr(ServiceContext, name), name
    assert {"publish", "deliver"}.isdisjoint(vars(EventBus))
    for bus in (InProcessBus, JetStreamBus):  # the relay's way in is ``deliver`` only
        assert not hasattr(bus, "publish"), bus
