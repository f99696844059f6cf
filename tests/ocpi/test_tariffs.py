"""Tariffs: our payments tariff as OCPI elements (time-of-day bands, session fee, idle fee,
tax), pulled by the partner and pushed to it when the tariff changes."""

from __future__ import annotations

from datetime import time
from decimal import Decimal

import pytest

from forecourt.payments.domain.tariffs import EnergyBand, TaxRate
from forecourt.payments.domain.tariffs import Tariff as OurTariff
from forecourt.payments.keys import PAYMENTS
from tests.ocpi import spec
from tests.ocpi.conftest import registered
from tests.ocpi.emsp import running_emsp
from tests.support.polling import eventually
from tests.support.server import RunningServer

DAY_NIGHT = OurTariff(
    code="DCFAST",
    name="DC fast, day and night",
    currency="USD",
    energy_bands=(
        EnergyBand(time(7, 0), Decimal("0.48")),
        EnergyBand(time(22, 0), Decimal("0.32")),
    ),
    session_fee=Decimal("1.00"),
    idle_fee_per_minute=Decimal("0.40"),
    taxes=(TaxRate("Sales tax", Decimal("8.25")),),
)


@pytest.mark.parametrize("version", ["2.2.1", "2.3.0"])
async def test_tariff_pulled_with_bands_fees_and_tax(server: RunningServer, version: str) -> None:
    await server.forecourt.services.feature(PAYMENTS).tariffs.publish(DAY_NIGHT)
    async with running_emsp([version]) as emsp:
        await registered(server, emsp)
        answer = await emsp.call("GET", emsp.cpo_endpoints["tariffs"])
    [published] = answer.json()["data"]
    spec.check(spec.tariff(version), published)
    assert answer.headers["X-Total-Count"] == "1"
    components = [
        (c["type"], c["price"], c.get("vat"), c["step_size"], e.get("restrictions"))
        for e in published["elements"]
        for c in e["price_components"]
    ]
    assert components == [
        ("FLAT", 1.0, 8.25, 1, None),
        ("PARKING_TIME", 24.0, 8.25, 60, None),  # 0.40 a minute is 24.00 an hour
        ("ENERGY", 0.48, 8.25, 1, {"start_time": "07:00", "end_time": "22:00"}),
        ("ENERGY", 0.32, 8.25, 1, {"start_time": "22:00", "end_time": "07:00"}),
    ]
    assert published.get("tax_included") == ("NO" if version == "2.3.0" else None)


async def test_a_tariff_change_is_pushed(server: RunningServer) -> None:
    async with running_emsp(["2.3.0"]) as emsp:
        await registered(server, emsp)
        await server.forecourt.services.feature(PAYMENTS).tariffs.publish(DAY_NIGHT)

        async def pushed() -> list[tuple[str, str, dict[str, object]]]:
            return [p for p in emsp.pushes if p[1] == "tariffs/US/FCT/DCFAST"]

        [(method, _, body)] = await eventually(pushed)
    assert method == "PUT"
    assert body["id"] == "DCFAST"
