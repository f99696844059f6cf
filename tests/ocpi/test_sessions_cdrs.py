"""Sessions and CDRs end to end: a spec-written eMSP starts a session (START_SESSION, or an RFID
card at a simulated 2.0.1 station over real OCPP), receives the Session PUT and PATCHes, and
after the stop one CDR carrying exactly the energy and cost we bill; a partner that is down
gets everything later; a replayed stop changes nothing."""

from __future__ import annotations

import asyncio
import base64
import json
import re
import uuid
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import httpx
import pytest

from forecourt.domain.transactions import Transaction
from forecourt.payments.keys import PAYMENTS
from forecourt.payments.ports import TariffBinding
from forecourt.payments.services.pricing import SessionCost
from forecourt.services.access import Role
from forecourt.services.core import Services
from forecourt.simulator import SimulatedStation
from forecourt.simulator.meter import meter_public_key
from tests.cli.conftest import Cli
from tests.ocpi import spec
from tests.ocpi.conftest import add_site, eventually, registered, roaming, simulated
from tests.ocpi.emsp import Emsp, running_emsp
from tests.ocpi.test_commands import command
from tests.ocpi.test_tariffs import DAY_NIGHT
from tests.support.server import RunningServer


async def priced_site(services: Services) -> None:
    """SITE-1 with CS-1 (NACS and CCS1), billed under DAY_NIGHT (fees and sales tax)."""
    payments = services.feature(PAYMENTS)
    await payments.tariffs.publish(DAY_NIGHT)
    await add_site(services, "SITE-1", "CS-1")
    await payments.tariffs.bind(TariffBinding(DAY_NIGHT.code, site_id="SITE-1"))
    sessions = roaming(services).sessions
    sessions.patch_interval_s = 0.0  # every meter value is a PATCH
    sessions.sweep_s = 1.0  # an end whose handling failed (a busy database) is finished soon


async def _tx(server: RunningServer, uid: str) -> Transaction | None:
    async with server.forecourt.services.ctx.uow() as uow:
        found = await uow.transactions.active_for_tokens([uid])
    return found[0] if found else None


async def _dashboard_session(server: RunningServer, tx_id: int) -> str:
    """The dashboard's session page, as a signed-in viewer sees it."""
    await server.forecourt.services.users.create("viewer", "correct horse battery", Role.VIEWER)
    async with httpx.AsyncClient(base_url=server.http_url) as client:
        login = await client.get("/login")
        found = re.search(r'name="csrf_token" value="([^"]+)"', login.text)
        assert found is not None
        form = {"username": "viewer", "password": "correct horse battery"}
        answer = await client.post("/login", data={**form, "csrf_token": found.group(1)})
        assert answer.status_code == 303, answer.text
        page = await client.get(f"/dashboard/sessions/{tx_id}")
        assert page.status_code == 200, page.text
        return page.text


def _ocmf_kwh(signed_data: str) -> float:
    """The register reading (kWh) an OCMF record signs: ``OCMF|{payload}|{signature}``."""
    ocmf = base64.b64decode(signed_data).decode()
    assert ocmf.startswith("OCMF|")
    payload = json.loads(ocmf.split("|")[1])
    return float(payload["RD"][0]["RV"])


async def _bill(server: RunningServer, tx_id: int) -> SessionCost:
    return await server.forecourt.services.feature(PAYMENTS).pricing.session_cost(tx_id)


def _cdrs_of(emsp: Emsp) -> Any:
    async def got() -> list[dict[str, Any]] | None:
        return emsp.cdrs or None

    return eventually(got, 60)


@pytest.mark.parametrize("version", ["2.2.1", "2.3.0"])
async def test_start_session_to_cdr_with_the_billed_energy_and_cost(
    server: RunningServer, version: str
) -> None:
    services = server.forecourt.services
    async with running_emsp([version]) as emsp:
        await registered(server, emsp)
        await priced_site(services)
        location = (await emsp.call("GET", emsp.cpo_endpoints["locations"] + "/SITE-1")).json()
        spec.check(spec.location(version), location["data"])
        plugs = [c for e in location["data"]["evses"] for c in e["connectors"]]
        assert [c.get("tariff_ids") for c in plugs] == [["DCFAST"], ["DCFAST"]]  # our binding
        async with simulated(server, "CS-1", signed_meter=True):
            start = {
                "response_url": emsp.response_url("start"),
                "token": emsp.issue("APP00042"),
                "location_id": "SITE-1",
                "evse_uid": "CS-1*1",
                "authorization_reference": "AUTH-REF-42",
            }
            assert (await command(emsp, "START_SESSION", start))["data"]["result"] == "ACCEPTED"
            tx = await eventually(lambda: _tx(server, "APP00042"), 60)
            session_id = str(tx.id)

            async def charging() -> dict[str, Any] | None:
                found = emsp.sessions.get(session_id)
                return found if found and found["kwh"] > 0 else None

            running = await eventually(charging, 60)
            assert running["status"] == "ACTIVE"
            assert (running["auth_method"], running["authorization_reference"]) == (
                "COMMAND",
                "AUTH-REF-42",
            )
            assert running["cdr_token"]["uid"] == "APP00042"
            assert (running["location_id"], running["evse_uid"]) == ("SITE-1", "CS-1*1")
            assert emsp.session_calls[0][0] == "PUT"

            async def patched() -> bool | None:  # the first PUT may already carry energy
                return "PATCH" in {c[0] for c in emsp.session_calls} or None

            await eventually(patched, 60)
            assert "total_cost" in running  # the running cost, priced by the bill

            stop = {"response_url": emsp.response_url("stop"), "session_id": session_id}
            assert (await command(emsp, "STOP_SESSION", stop))["data"]["result"] == "ACCEPTED"
            [cdr] = await _cdrs_of(emsp)

        bill = await _bill(server, tx.id)
        breakdown = bill.breakdown
        assert bill.final
        assert cdr["id"] == f"CDR-{tx.id}"
        assert cdr["session_id"] == session_id
        assert (cdr["auth_method"], cdr["authorization_reference"]) == ("COMMAND", "AUTH-REF-42")
        assert cdr["total_energy"] == round(breakdown.energy_wh / 1000, 4)
        assert cdr["currency"] == "USD"
        subtotal, tax, total = (
            float(m.to_decimal()) for m in (breakdown.subtotal, breakdown.tax, breakdown.total)
        )
        if version == "2.2.1":
            assert cdr["total_cost"] == {"excl_vat": subtotal, "incl_vat": total}
        else:
            assert cdr["total_cost"] == {
                "before_taxes": subtotal,
                "taxes": [{"name": "Sales tax", "percentage": 8.25, "amount": tax}],
            }
        assert (
            cdr["total_fixed_cost"]
            == {
                "2.2.1": {"excl_vat": 1.0},
                "2.3.0": {"before_taxes": 1.0},
            }[version]
        )
        assert cdr["tariffs"][0]["id"] == "DCFAST"
        assert cdr["cdr_location"]["evse_uid"] == "CS-1*1"
        assert cdr["cdr_location"]["connector_standard"] == (
            "TESLA_S" if version == "2.2.1" else "SAE_J3400"
        )
        # The station's meter signed its start and end readings: the CDR carries them as sent.
        signed = cdr["signed_data"]
        assert (signed["encoding_method"], signed["public_key"]) == (
            "OCMF",
            meter_public_key("CS-1"),
        )
        assert [v["nature"] for v in signed["signed_values"]] == ["Start", "End"]
        readings = [_ocmf_kwh(v["signed_data"]) for v in signed["signed_values"]]
        assert readings[1] - readings[0] == pytest.approx(cdr["total_energy"], abs=0.001)
        assert [v["plain_data"].endswith(" Wh") for v in signed["signed_values"]] == [True, True]
        # ... and the operator sees the same signed readings on the transaction (API).
        key, _ = await services.api_keys.create("ops", Role.VIEWER)
        async with httpx.AsyncClient(base_url=server.http_url) as client:
            detail = await client.get(
                f"/api/transactions/{tx.id}", headers={"Authorization": f"Bearer {key}"}
            )
        kept = [detail.json()[name] for name in ("signed_start", "signed_end")]
        assert [k["signed_data"] for k in kept] == [
            v["signed_data"] for v in signed["signed_values"]
        ]
        assert {k["encoding_method"] for k in kept} == {"OCMF"}
        page = await _dashboard_session(server, tx.id)
        assert page.count("data-signed=") == 2
        assert kept[1]["signed_data"] in page

        async def completed() -> bool:
            return emsp.sessions[session_id]["status"] == "COMPLETED"

        await eventually(completed, 60)
        final = emsp.sessions[session_id]
        assert final["kwh"] == cdr["total_energy"]
        assert final["end_date_time"] == cdr["end_date_time"]

        # The partner pulls the same objects from our sender interfaces.
        pulled = await emsp.call("GET", emsp.cpo_endpoints["cdrs"])
        assert pulled.json()["data"] == [cdr]
        assert pulled.headers["X-Total-Count"] == "1"
        sessions = (await emsp.call("GET", emsp.cpo_endpoints["sessions"])).json()["data"]
        [listed] = sessions
        spec_session = emsp.sessions[session_id]
        assert (listed["id"], listed["status"], listed["kwh"]) == (
            session_id,
            "COMPLETED",
            spec_session["kwh"],
        )
        later = await emsp.call(
            "GET", emsp.cpo_endpoints["cdrs"] + "?date_from=2999-01-01T00:00:00Z"
        )
        assert later.json()["data"] == []
        assert later.headers["X-Total-Count"] == "0"


async def test_a_replayed_stop_makes_no_second_cdr_and_changes_nothing(
    server: RunningServer,
) -> None:
    services = server.forecourt.services
    async with running_emsp(["2.3.0"]) as emsp:
        await registered(server, emsp)
        await priced_site(services)
        await emsp.push_token(emsp.issue("04AA00BB11CC22", "ALWAYS"))
        async with simulated(server, "CS-1") as station:
            assert station.start_session(1, id_token="04AA00BB11CC22") is not None
            tx = await eventually(lambda: _tx(server, "04AA00BB11CC22"), 60)
            await station.stop_session(1, timeout=30)
            [cdr] = await _cdrs_of(emsp)
            assert cdr["auth_method"] == "WHITELIST"  # the pushed copy decided
            stored = await roaming(services).cdrs.one(cdr["id"])
            assert stored is not None

            await _replay_ended(station, tx)
            record = await _session_record(services, tx.id)
            again = await roaming(services).cdrs.create(record)
            await roaming(services).push.send_due()

        assert again == stored
        assert await roaming(services).cdrs.listing(None) == [stored]
        assert emsp.cdrs == [cdr]


async def _replay_ended(station: SimulatedStation, tx: Transaction) -> None:
    """The station sends its Ended TransactionEvent once more (a new message id)."""
    payload = {
        "eventType": "Ended",
        "timestamp": datetime.now(UTC).strftime("%Y-%m-%dT%H:%M:%SZ"),
        "triggerReason": "StopAuthorized",
        "seqNo": 1000,
        "transactionInfo": {"transactionId": tx.station_tx_id, "stoppedReason": "Local"},
    }
    answer = await station.send_raw(json.dumps([2, str(uuid.uuid4()), "TransactionEvent", payload]))
    assert answer is not None
    assert answer.startswith("[3"), answer


async def _session_record(services: Services, tx_id: int) -> Any:
    from forecourt.ocpi.ports import OCPI_SESSIONS

    async with services.ctx.uow() as uow:
        return await uow.repository(OCPI_SESSIONS).session(tx_id)


async def test_partner_down_gets_everything_later_and_only_its_own(
    server: RunningServer, tmp_path: Path
) -> None:
    services = server.forecourt.services
    async with running_emsp(["2.3.0"]) as emsp, running_emsp(["2.2.1"], "OTH") as other:
        await registered(server, emsp)
        await registered(server, other)
        await priced_site(services)
        emsp.issue("RT000077")  # never pushed: authorized in real time
        emsp.sessions_down, emsp.cdrs_down = 3, 2  # the partner is down for a while
        async with simulated(server, "CS-1") as station:
            assert station.start_session(1, id_token="RT000077") is not None
            tx = await eventually(lambda: _tx(server, "RT000077"), 60)
            await station.stop_session(1, timeout=30)
            [cdr] = await _cdrs_of(emsp)

            async def completed() -> bool:
                found = emsp.sessions.get(str(tx.id))
                return found is not None and found["status"] == "COMPLETED"

            await eventually(completed, 60)
        assert (emsp.sessions_down, emsp.cdrs_down) == (0, 0)  # refused, then retried
        assert cdr["auth_method"] == "AUTH_REQUEST"
        assert cdr["cdr_token"]["party_id"] == "EMS"
        await roaming(services).push.send_due()
        assert (other.sessions, other.cdrs) == ({}, [])  # not its token: nothing for it
        assert await roaming(services).push.failures() == []

        # The operator's surfaces: the CLI and the API.
        cli = Cli(f"sqlite:///{tmp_path / 'forecourt.db'}")
        listed = await asyncio.to_thread(cli.json, "ocpi", "cdrs", "list")
        assert [(c["id"], c["total"]) for c in listed] == [(cdr["id"], str(_total(cdr)))]
        shown = await asyncio.to_thread(cli.ok, "ocpi", "cdrs", "show", cdr["id"])
        assert json.loads(shown.stdout) == cdr
        sessions = await asyncio.to_thread(cli.json, "ocpi", "sessions", "list")
        assert [(s["session_id"], s["auth_method"]) for s in sessions] == [
            (str(tx.id), "AUTH_REQUEST")
        ]
        missing = await asyncio.to_thread(cli, "ocpi", "cdrs", "show", "CDR-0")
        assert missing.exit_code == 2

        key, _ = await services.api_keys.create("viewer", Role.VIEWER)
        auth = {"Authorization": f"Bearer {key}"}
        async with httpx.AsyncClient(base_url=server.http_url, headers=auth) as client:
            listed_api = (await client.get("/api/ocpi/cdrs")).json()
            one = await client.get(f"/api/ocpi/cdrs/{cdr['id']}")
            theirs = (await client.get("/api/ocpi/cdrs", params={"party": 2})).json()
            unknown = await client.get("/api/ocpi/cdrs/CDR-0")
            bad = await client.get("/api/ocpi/cdrs", params={"party": 0})
        assert [(c["id"], c["party_id"]) for c in listed_api] == [(cdr["id"], 1)]
        assert one.json()["bodies"]["2.3.0"] == cdr
        assert theirs == []
        assert unknown.status_code == 404
        assert bad.status_code == 422


def _total(cdr: dict[str, Any]) -> Any:
    from decimal import Decimal

    cost = cdr["total_cost"]
    taxes = sum((Decimal(str(t["amount"])) for t in cost.get("taxes", [])), Decimal(0))
    return Decimal(str(cost["before_taxes"])) + taxes


async def test_an_end_missed_while_down_is_finished_by_the_sweep(server: RunningServer) -> None:
    """Roaming stopped listening (a restart) while the session ended: the sweep at start-up
    sends the last PATCH and makes the CDR."""
    services = server.forecourt.services
    sessions = roaming(services).sessions
    async with running_emsp(["2.2.1"]) as emsp:
        await registered(server, emsp)
        await priced_site(services)
        await emsp.push_token(emsp.issue("04DD00EE11FF22", "ALWAYS"))
        async with simulated(server, "CS-1") as station:
            assert station.start_session(1, id_token="04DD00EE11FF22") is not None
            tx = await eventually(lambda: _tx(server, "04DD00EE11FF22"), 60)

            async def put() -> bool:
                return str(tx.id) in emsp.sessions

            await eventually(put, 60)
            await sessions.stop()  # no longer listening
            await station.stop_session(1, timeout=30)

            async def ended() -> bool:
                async with services.ctx.uow() as uow:
                    found = await uow.transactions.get(tx.id)
                return found is not None and not found.active

            await eventually(ended, 60)
            assert emsp.cdrs == []
            assert await sessions.sweep() == 1
            [cdr] = await _cdrs_of(emsp)
            assert await sessions.sweep() == 0  # made once
        assert cdr["session_id"] == str(tx.id)
        await eventually(lambda: _status(emsp, str(tx.id), "COMPLETED"), 60)


async def _status(emsp: Emsp, session_id: str, status: str) -> bool:
    return emsp.sessions[session_id]["status"] == status


async def test_sender_endpoints_refuse_bad_input(server: RunningServer) -> None:
    async with running_emsp(["2.3.0"]) as emsp:
        await registered(server, emsp)
        base = emsp.cpo_endpoints["cdrs"].rsplit("/", 2)[0]  # .../ocpi
        good_token = emsp.cpo_token
        emsp.cpo_token = "not-a-token"
        wrong = await emsp.call("GET", emsp.cpo_endpoints["sessions"])
        emsp.cpo_token = good_token
        unknown = await emsp.call("GET", f"{base}/9.9/cdrs")
        bad_limit = await emsp.call("GET", emsp.cpo_endpoints["cdrs"] + "?limit=0")
        bad_date = await emsp.call("GET", emsp.cpo_endpoints["sessions"] + "?date_from=yesterday")
        empty = await emsp.call("GET", emsp.cpo_endpoints["sessions"])
    assert (wrong.status_code, wrong.json()["status_code"]) == (401, 2001)
    assert (unknown.status_code, unknown.json()["status_code"]) == (404, 3002)
    assert (bad_limit.status_code, bad_limit.json()["status_code"]) == (400, 2001)
    assert (bad_date.status_code, bad_date.json()["status_code"]) == (400, 2001)
    assert (empty.json()["data"], empty.headers["X-Total-Count"]) == ([], "0")
