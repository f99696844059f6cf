"""Record the SQL a piece of code runs on a real engine (SQLAlchemy event hooks), so tests can
pin how many statements and units of work a hot path costs."""

from __future__ import annotations

import asyncio
import re
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from typing import Any

from sqlalchemy import event
from sqlalchemy.ext.asyncio import AsyncEngine


@dataclass
class Recorded:
    statements: list[str] = field(default_factory=list)  # whitespace collapsed
    #: The same statements' asyncio task names: background loops are named ``periodic:…``,
    #: so a per-message count can leave out a timer's pass that happened to fall inside it.
    tasks: list[str] = field(default_factory=list)
    begins: int = 0  # database transactions opened: one per unit of work
    commits: int = 0

    def on(self, table: str) -> list[str]:
        """The verbs (SELECT, INSERT, UPDATE, DELETE) of the statements that touch ``table``."""
        touches = re.compile(rf'\b(FROM|INTO|UPDATE|JOIN)\s+"?{re.escape(table)}"?(\s|$)')
        return [s.split()[0].upper() for s in self.statements if touches.search(s)]


@contextmanager
def recording(engine: AsyncEngine) -> Iterator[Recorded]:
    recorded = Recorded()

    def on_execute(_conn: Any, _cursor: Any, statement: str, *_args: Any) -> None:
        recorded.statements.append(" ".join(statement.split()))
        task = _current_task()
        recorded.tasks.append(task.get_name() if task is not None else "")

    def on_begin(_conn: Any) -> None:
        recorded.begins += 1

    def on_commit(_conn: Any) -> None:
        recorded.commits += 1

    hooks = [("before_cursor_execute", on_execute), ("begin", on_begin), ("commit", on_commit)]
    for name, hook in hooks:
        event.listen(engine.sync_engine, name, hook)
    try:
        yield recorded
    finally:
        for name, hook in hooks:
            event.remove(engine.sync_engine, name, hook)


def _current_task() -> asyncio.Task[Any] | None:
    try:
        return asyncio.current_task()
    except RuntimeError:  # no running loop in this thread
        return None


def periodic(task_name: str) -> bool:
    """A timer-driven background pass, not work caused by a message."""
    return task_name.startswith("periodic:")
