"""Meter samples to chart points: ``[epoch ms, power W | None, SoC % | None]`` per instant.

The browser draws them (``static/js/chart.js``) and appends live points from server-sent
events; pages also list them in a table so the numbers are readable without the chart.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import UTC, datetime

from forecourt.domain.metering import Measurand, MeterSample

Point = tuple[int, float | None, float | None]

#: A long session sampled every few seconds still draws fast: keep the newest points.
MAX_POINTS = 2000


@dataclass(frozen=True, slots=True)
class ChartRow:
    at: datetime
    power_w: float | None
    soc: float | None


def chart_rows(samples: Sequence[MeterSample]) -> list[ChartRow]:
    """Power (total, or the sum of phases when only phases are given) and SoC per instant."""
    totals: dict[datetime, float] = {}
    phases: dict[datetime, float] = defaultdict(float)
    soc: dict[datetime, float] = {}
    for sample in samples:
        if sample.measurand is Measurand.POWER_IMPORT:
            if sample.phase is None:
                totals[sample.timestamp] = sample.value
            else:
                phases[sample.timestamp] += sample.value
        elif sample.measurand is Measurand.SOC:
            soc[sample.timestamp] = sample.value
    instants = sorted(set(totals) | set(phases) | set(soc))
    return [
        ChartRow(at, totals.get(at, phases.get(at)), soc.get(at)) for at in instants[-MAX_POINTS:]
    ]


def chart_points(rows: Sequence[ChartRow]) -> list[Point]:
    return [(_epoch_ms(row.at), row.power_w, row.soc) for row in rows]


def _epoch_ms(at: datetime) -> int:
    return int(at.astimezone(UTC).timestamp() * 1000)
