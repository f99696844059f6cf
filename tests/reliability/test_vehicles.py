"""Vehicle identification (pure): what a token says about the car, and how sure that is."""

from __future__ import annotations

import pytest

from forecourt.reliability.domain.kpis import InteropCell, worst_combinations
from forecourt.reliability.domain.vehicles import (
    VehicleRule,
    VehicleRules,
    VehicleSource,
    emaid_provider,
    identify,
    mac_of,
    normalise_key,
)

RULES = VehicleRules.of(
    [
        VehicleRule(VehicleSource.OUI, "0A1B2C", "Kia EV6"),
        VehicleRule(VehicleSource.EMAID_PROVIDER, "USTSL", "Tesla Model Y"),
        VehicleRule(VehicleSource.DRIVER_CHOICE, "CARD-1", "Hyundai Ioniq 5"),
    ]
)


def test_tokens_are_read_as_macs_and_emaids() -> None:
    assert mac_of("VID:0a1b2c334455") == "0A1B2C334455"
    assert mac_of("0A:1B:2C:33:44:55") == "0A1B2C334455"
    assert mac_of("CARD-1") is None
    assert emaid_provider("US-TSL-C12345678-9") == "USTSL"
    assert emaid_provider("USTSLC123456789") == "USTSL"
    assert emaid_provider("04A1B2C3") is None


def test_the_most_confident_source_wins() -> None:
    by_mac = identify("VID:0A1B2C334455", None, RULES)
    assert by_mac is not None
    assert (by_mac.vehicle, by_mac.source, by_mac.confidence) == ("Kia EV6", VehicleSource.OUI, 0.5)
    by_contract = identify("US-TSL-C12345678-9", None, RULES)
    assert by_contract is not None
    assert (by_contract.vehicle, by_contract.confidence) == ("Tesla Model Y", 0.7)
    driver = identify("CARD-1", None, RULES)
    assert driver is not None
    assert (driver.vehicle, driver.source) == ("Hyundai Ioniq 5", VehicleSource.DRIVER_CHOICE)
    reported = identify("VID:0A1B2C334455", "Kia EV9", RULES)
    assert reported is not None
    assert (reported.vehicle, reported.source) == ("Kia EV9", VehicleSource.REPORTED)
    assert identify("UNKNOWN", None, RULES) is None
    assert identify(None, None, RULES) is None


def test_rule_keys_are_normalised_or_refused() -> None:
    assert normalise_key(VehicleSource.OUI, "0a-1b-2c") == "0A1B2C"
    assert normalise_key(VehicleSource.EMAID_PROVIDER, "us-tsl") == "USTSL"
    with pytest.raises(ValueError, match="three bytes"):
        normalise_key(VehicleSource.OUI, "0A1B")
    with pytest.raises(ValueError, match="eMAID provider"):
        normalise_key(VehicleSource.EMAID_PROVIDER, "TSL")
    with pytest.raises(ValueError, match="not a rule kind"):
        normalise_key(VehicleSource.REPORTED, "x")


def test_worst_combinations_leave_out_unknown_cars_and_single_attempts() -> None:
    cells = [
        InteropCell("Kia EV6", "A @ 1", 4, 1, 0.5, ("oui",)),
        InteropCell("Ioniq 5", "A @ 1", 3, 3, 0.9, ("driver_choice",)),
        InteropCell("(unknown vehicle)", "A @ 1", 9, 0),
        InteropCell("Model Y", "A @ 1", 1, 0, 0.7, ("emaid_provider",)),
    ]
    assert [c.vehicle for c in worst_combinations(cells)] == ["Kia EV6", "Ioniq 5"]
