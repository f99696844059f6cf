"""The estimator reproduces published or measured charge times (rows in calibration.json)."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from forecourt.compat.domain import ConnectorOffer, best_option, default_catalogue
from forecourt.domain.connectors import ConnectorRating, ConnectorType, PowerType

CALIBRATION = json.loads((Path(__file__).parent / "calibration.json").read_text())
ROWS: list[dict[str, Any]] = CALIBRATION["rows"]


def _connector(evse_class: str) -> ConnectorOffer:
    spec = CALIBRATION["evse_classes"][evse_class]
    rating = ConnectorRating(
        PowerType(spec["power_type"]),
        spec["max_voltage_v"],
        spec["max_current_a"],
        spec["max_power_w"],
    )
    return ConnectorOffer(evse_class, ConnectorType(spec["connector_type"]), rating)


def test_calibration_covers_enough_vehicles_with_sources() -> None:
    vehicles = {row["vehicle_id"] for row in ROWS}
    assert len(vehicles) >= 15
    assert vehicles <= set(default_catalogue().vehicles)
    assert all(row["source"].startswith("http") for row in ROWS)
    assert sum(row["independent"] for row in ROWS) >= 8


@pytest.mark.parametrize(
    "row",
    ROWS,
    ids=[f"{r['vehicle_id']}@{r['evse_class']}:{r['soc_from']}-{r['soc_to']}" for r in ROWS],
)
def test_estimate_matches_the_published_time(row: dict[str, Any]) -> None:
    vehicle = default_catalogue().vehicle(row["vehicle_id"])
    option, result = best_option(
        vehicle, _connector(row["evse_class"]), row["soc_from"], row["soc_to"]
    )
    assert result is not None, option.reason
    assert result.complete
    published = row["published_min"]
    tolerance = max(
        CALIBRATION["tolerance"]["relative"] * published, CALIBRATION["tolerance"]["absolute_min"]
    )
    minutes = result.duration_s / 60
    assert abs(minutes - published) <= tolerance, (
        f"{minutes:.1f} min vs {published} min ({row['source']})"
    )
