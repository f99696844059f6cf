"""How close the charge-time engine is to published tests, fit and validation apart.

Run: ``python benchmarks/compat_accuracy.py`` (``make bench`` runs it).  Two data sets in
``benchmarks/data/compat/``: ``fit.json`` holds the times curves and the cold-battery
constants were shaped with; ``validation.json`` holds independent times nothing was tuned on
(tests/compat/test_calibration.py proves the two are disjoint).  The table reports the mean
and worst absolute error of each set separately, per kind of case: windows ending at or
below 80 % ("to 80 %"), windows reaching 90 % or more ("full range") and cold cases
("temperature").
"""

from __future__ import annotations

import json
import statistics
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from forecourt.compat.domain import ConnectorOffer, best_option, default_catalogue
from forecourt.domain.connectors import ConnectorRating, ConnectorType, PowerType

DATA = Path(__file__).parent / "data" / "compat"
SETS = ("fit", "validation")


def load(name: str) -> list[dict[str, Any]]:
    rows: list[dict[str, Any]] = json.loads((DATA / f"{name}.json").read_text())["rows"]
    return rows


def classes() -> dict[str, Any]:
    data: dict[str, Any] = json.loads((DATA / "evse_classes.json").read_text())
    return data


def connector(evse_class: str) -> ConnectorOffer:
    spec = classes()["evse_classes"][evse_class]
    rating = ConnectorRating(
        PowerType(spec["power_type"]),
        spec["max_voltage_v"],
        spec["max_current_a"],
        spec["max_power_w"],
    )
    return ConnectorOffer(evse_class, ConnectorType(spec["connector_type"]), rating)


def kind(row: dict[str, Any]) -> str:
    if row.get("ambient_c") is not None:
        return "temperature"
    return "full range" if row["soc_to"] >= 90 else "to 80 %"


@dataclass(frozen=True)
class Result:
    row: dict[str, Any]
    minutes: float | None  # None: the engine says it cannot charge there

    @property
    def error(self) -> float | None:
        """Signed relative error of the estimate against the published time."""
        if self.minutes is None:
            return None
        published: float = self.row["published_min"]
        return (self.minutes - published) / published


def evaluate(row: dict[str, Any]) -> Result:
    vehicle = default_catalogue().vehicle(row["vehicle_id"])
    _, result = best_option(
        vehicle,
        connector(row["evse_class"]),
        row["soc_from"],
        row["soc_to"],
        None,
        row.get("ambient_c"),
        preconditioned=row.get("preconditioned", False),
    )
    if result is None or not result.complete:
        return Result(row, None)
    return Result(row, result.duration_s / 60)


def report() -> list[tuple[str, str, int, float, float]]:
    """(set, kind, rows, mean |error| %, worst |error| %) for every set and kind."""
    lines = []
    for name in SETS:
        results = [evaluate(row) for row in load(name)]
        for group in ("to 80 %", "full range", "temperature", "all"):
            chosen = [r for r in results if group in ("all", kind(r.row))]
            errors = [abs(r.error) * 100 for r in chosen if r.error is not None]
            if not chosen:
                continue
            failed = len(chosen) - len(errors)
            mean = statistics.fmean(errors) if errors else float("nan")
            worst = max(errors) if errors and not failed else float("inf")
            lines.append((name, group, len(chosen), mean, worst))
    return lines


def main() -> None:
    print(f"{'set':<11} {'case':<12} {'rows':>4} {'mean |err|':>11} {'worst':>8}")
    for name, group, count, mean, worst in report():
        print(f"{name:<11} {group:<12} {count:>4} {mean:>10.1f}% {worst:>7.1f}%")
    print("\nper validation row:")
    for row in load("validation"):
        result = evaluate(row)
        got = "cannot" if result.minutes is None else f"{result.minutes:.1f} min"
        err = "" if result.error is None else f"{result.error * 100:+.1f}%"
        print(f"  {row['id']:<58} {row['published_min']:>5} min  {got:>9}  {err}")


if __name__ == "__main__":
    main()
