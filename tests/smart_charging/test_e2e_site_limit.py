"""End to end: simulated 1.6, 2.0.1 and 2.1 stations on one site, over real websockets.

The site limit is set through the real API; profiles go out as SetChargingProfile frames; the
simulated stations cap their power at what they accepted (or, with ``ignores_profiles``,
do not), and report metered power back.
"""

from __future__ import annotations

import asyncio

import httpx
import pytest

from forecourt.services.access import Role
from forecourt.smart_charging.domain.allocation import Reason
from forecourt.smart_charging.domain.site import SiteLimit
from forecourt.smart_charging.ports import StoredAllocation
from tests.smart_charging.conftest import (
    SITE,
    TOKENS,
    add_dc_station,
    delivered_w,
    eventually,
    manager,
    plug_in,
    simulated,
)
from tests.support.server import RunningServer

LIMIT_W = 150_000.0
#: A meter interval's worth of slack: a new car draws before its first profile arrives.
TOLERANCE_W = 1_000.0


async def api_key(server: RunningServer) -> str:
    secret, _ = await server.forecourt.services.api_keys.create("ops", Role.OPERATOR)
    return secret


async def settled(
    server: RunningServer, sessions: int, each_w: float | None = None
) -> list[StoredAllocation]:
    """Every charging EVSE has accepted its share (``each_w``, when given)."""

    async def check() -> list[StoredAllocation] | None:
        rows = await manager(server.forecourt.services).allocations(SITE)
        charging = [r for r in rows if r.station_tx_id is not None]
        done = len(charging) == sessions and all(
            r.status == "accepted" and r.accepted_w == r.planned_w for r in charging
        )
        fair = each_w is None or all(r.planned_w == each_w for r in charging)
        return rows if done and fair else None

    return await eventually(check, 40)  # a wait (loaded CI machines), not a speed check


async def test_cars_on_three_versions_share_the_limit_fairly(server: RunningServer) -> None:
    services = server.forecourt.services
    await add_dc_station(services, "CS-16")
    await add_dc_station(services, "CS-201", evses=2)
    await add_dc_station(services, "CS-21")
    key = await api_key(server)
    async with (
        simulated(server, "CS-16", "1.6") as old,
        simulated(server, "CS-201", "2.0.1", evses=2) as new,
        simulated(server, "CS-21", "2.1") as newest,
        httpx.AsyncClient(
            base_url=server.http_url, headers={"Authorization": f"Bearer {key}"}
        ) as client,
    ):
        answer = await client.put(f"/api/sites/{SITE}/load", json={"limit": LIMIT_W})
        assert answer.status_code == 200, answer.text
        await plug_in(old, 1, TOKENS[0])
        await plug_in(new, 1, TOKENS[1])
        await plug_in(new, 2, TOKENS[2])
        await plug_in(newest, 1, TOKENS[3])

        rows = await settled(server, 4, 37_500)
        assert [(r.ref.station_id, r.ref.evse_id, r.planned_w) for r in rows] == [
            ("CS-16", 1, 37_500.0),
            ("CS-201", 1, 37_500.0),
            ("CS-201", 2, 37_500.0),
            ("CS-21", 1, 37_500.0),
        ]
        # the stations apply what they accepted: sample the cars for a while
        for _ in range(20):
            assert delivered_w(old, new, newest) <= LIMIT_W + TOLERANCE_W
            await asyncio.sleep(0.05)
        assert old.profiles.accepted >= 1
        assert new.profiles.accepted >= 2
        assert newest.profiles.accepted >= 1

        # the server's measured site power (from MeterValues / TransactionEvent) agrees
        async def measured() -> float | None:
            load = (await client.get(f"/api/sites/{SITE}/load")).json()
            return load["measured_w"] if 140_000 <= load["measured_w"] <= LIMIT_W + 1 else None

        await eventually(measured)
        await newest.stop_session(1, timeout=30)  # the 2.1 car leaves; three remain

        # a demand-response signal halves the limit: every share follows
        until = "2099-01-01T00:00:00Z"
        answer = await client.post(
            f"/api/sites/{SITE}/load/signal", json={"limit": 75_000, "until": until}
        )
        assert answer.status_code == 200, answer.text
        rows = await settled(server, 3, 25_000)
        assert [r.planned_w for r in rows if r.station_tx_id] == [25_000.0] * 3
        await asyncio.sleep(0.3)  # a few meter intervals
        assert delivered_w(old, new) <= 75_000 + TOLERANCE_W

        # one car leaves: the two others share its power
        await new.stop_session(2, timeout=30)
        rows = await settled(server, 2, 37_500)
        assert [r.planned_w for r in rows if r.station_tx_id] == [37_500.0, 37_500.0]


@pytest.mark.parametrize("offline_protocol", ["1.6", "2.1"])
async def test_an_offline_station_keeps_its_reservation(
    server: RunningServer, offline_protocol: str
) -> None:
    services = server.forecourt.services
    await add_dc_station(services, "CS-A")
    await add_dc_station(services, "CS-B")
    await manager(services).set_limit(_limit(100_000))
    async with (
        simulated(server, "CS-A", "2.0.1") as first,
        simulated(server, "CS-B", offline_protocol) as second,
    ):
        await plug_in(first, 1, TOKENS[0])
        await plug_in(second, 1, TOKENS[1])
        await settled(server, 2, 50_000)
        # CS-B loses its link and keeps charging at 50 kW: CS-A must not take its share
        await second.go_offline()

        async def held() -> list[StoredAllocation] | None:
            rows = await manager(services).allocations(SITE)
            reasons = {r.ref.station_id: r.reason for r in rows}
            return rows if reasons.get("CS-B") is Reason.HELD_OFFLINE else None

        rows = await eventually(held, 40)
        assert {r.ref.station_id: r.planned_w for r in rows} == {
            "CS-A": 50_000.0,
            "CS-B": 50_000.0,
        }
        for _ in range(10):
            assert delivered_w(first, second) <= 100_000 + TOLERANCE_W
            await asyncio.sleep(0.05)

        await second.go_online(30)  # back: both are managed again, and back to 50/50

        async def shared() -> bool:
            rows = await settled(server, 2)
            return [(r.reason, r.accepted_w) for r in rows] == [(Reason.SHARE, 50_000.0)] * 2

        await eventually(shared, 40)


@pytest.mark.parametrize("rogue_protocol", ["2.0.1", "2.1"])
async def test_a_station_that_ignores_its_profile_is_flagged_and_ticketed(
    server: RunningServer, rogue_protocol: str
) -> None:
    services = server.forecourt.services
    await add_dc_station(services, "CS-GOOD")
    await add_dc_station(services, "CS-ROGUE")
    await manager(services).set_limit(_limit(100_000))
    key = await api_key(server)
    async with (
        simulated(server, "CS-GOOD", "1.6") as good,
        simulated(server, "CS-ROGUE", rogue_protocol) as rogue,
        httpx.AsyncClient(
            base_url=server.http_url, headers={"Authorization": f"Bearer {key}"}
        ) as client,
    ):
        rogue.faults.ignores_profiles = True
        await plug_in(good, 1, TOKENS[0])
        await plug_in(rogue, 1, TOKENS[1])
        await settled(server, 2)

        async def flagged() -> list[str] | None:
            events = await manager(services).events(SITE)
            found = [e.station_id for e in events if e.kind == "exceeded"]
            return found or None

        assert set(await eventually(flagged)) == {"CS-ROGUE"}

        # reliability heard it (an event, no import) and opened a ticket for the field team
        async def ticketed() -> list[dict[str, object]] | None:
            query = {"kind": "profile_exceeded"}
            page = (await client.get("/api/reliability/tickets", params=query)).json()
            return page["items"] or None

        [ticket] = await eventually(ticketed)
        assert (ticket["station_id"], ticket["kinds"]) == ("CS-ROGUE", ["profile_exceeded"])
        assert ticket["ports"] == [1]


def _limit(watts: float) -> SiteLimit:
    return SiteLimit(SITE, watts)
