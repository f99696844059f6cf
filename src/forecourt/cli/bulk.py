"""``forecourt stations import`` and ``forecourt tokens import``: provisioning from CSV.

The policy (validate everything first, write nothing on any error, idempotent rows) lives in
:mod:`forecourt.services.bulk_import`; this module reads the file, shows progress and prints
the per-row errors.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from pathlib import Path
from typing import TYPE_CHECKING, Annotated

import typer
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeRemainingColumn

from forecourt.cli.runtime import EXIT_USAGE, console, errors, fail, with_services

if TYPE_CHECKING:
    from forecourt.services.bulk_import import ImportRejected, ImportReport
    from forecourt.services.bulk_import import Progress as Advance
    from forecourt.services.core import Services
    from forecourt.services.network import Network

CsvFile = Annotated[
    Path,
    typer.Argument(
        metavar="FILE.csv", exists=True, dir_okay=False, readable=True, help="UTF-8 CSV file."
    ),
]
Importer = Callable[["Network", str, "Advance"], Awaitable["ImportReport"]]


def run_import(ctx: typer.Context, path: Path, what: str, importer: Importer) -> None:
    """Import ``path``; on errors print each (line, column, reason) and exit 2."""
    from forecourt.services.bulk_import import ImportRejected as Rejected

    try:
        text = path.read_text(encoding="utf-8")
    except UnicodeDecodeError as exc:
        fail(f"{path} is not UTF-8 text: {exc}", EXIT_USAGE)
    rows = max(0, len(text.splitlines()) - 1)
    with Progress(
        TextColumn(f"importing {what}"),
        BarColumn(),
        MofNCompleteColumn(),
        TimeRemainingColumn(),
        console=errors,
        transient=True,
        disable=not errors.is_terminal,
    ) as progress:
        task = progress.add_task(what, total=rows)

        async def work(services: Services) -> ImportReport | ImportRejected:
            try:
                return await importer(services.network, text, lambda: progress.advance(task))
            except Rejected as rejected:
                return rejected

        outcome = with_services(ctx, work)
    if isinstance(outcome, Rejected):
        for error in outcome.errors:
            errors.print(f"{path}: {error}", markup=False)
        fail(str(outcome), EXIT_USAGE)
    console.print(f"{what} from {path}: {outcome}")
