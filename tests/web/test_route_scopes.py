"""Every route of the real app keeps to one scope rule (docs/security.md).

The test enumerates the app's routes (pages, API, operations) and fails on any route that is
not declared: pages in ``web.scope.PAGE_REACH`` or their feature's ``page_reach()``, public API
routes in ``api.deps.PUBLIC_ROUTES`` or their feature's ``public_api_routes``,
the rest in ``app.OPERATION_ROUTES``. Each page that is not public is then exercised: signed
out it sends to sign-in; a site host asking about another site's data gets 404, a page
without a trace of it, or (network-wide pages) a refusal. Every other API route needs a key.
"""

from __future__ import annotations

import re
from collections.abc import AsyncIterator
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from decimal import Decimal
from pathlib import Path

import httpx
import pytest
import pytest_asyncio
from fastapi import FastAPI
from fastapi.routing import iter_route_contexts
from starlette.routing import Mount, Route, WebSocketRoute

from forecourt.app import OPERATION_ROUTES, create_app
from forecourt.domain.connectors import ConnectorType
from forecourt.domain.stations import Site
from forecourt.domain.tokens import TokenRecord
from forecourt.domain.transactions import Transaction
from forecourt.features import page_reach, public_api_routes
from forecourt.payments.domain.payments import CardInfo, Payment, PaymentFlow, PaymentState
from forecourt.payments.domain.tariffs import EnergyBand, Tariff
from forecourt.payments.keys import PAYMENTS
from forecourt.payments.ports import PAYMENT_STORE, TariffBinding
from forecourt.reliability.domain.model import Severity
from forecourt.reliability.domain.tickets import Ticket
from forecourt.reliability.ports import RELIABILITY_STORE
from forecourt.services.access import Role
from forecourt.services.core import Services
from forecourt.services.network import ConnectorSpec
from forecourt.settings import Settings
from forecourt.web.scope import Reach

pytestmark = pytest.mark.asyncio(loop_scope="module")

PAGE_REACH = page_reach()
PUBLIC_ROUTES = public_api_routes()

PASSWORD = "a long enough password"
NOW = datetime(2026, 5, 4, 12, 0, tzinfo=UTC)
#: Whatever of the other site might leak: its name, station, driver's token, card, tariff.
SOUTH_MARKERS = ("South Lot", "SOUTHSTATION", "SOUTH-TAG", "7319", "SOUTHRATE", "SOUTH-TICKET")


@dataclass
class Ids:
    south_tx: int
    south_ticket: int
    south_payment: str
    south_reservation: int = 0


@dataclass(frozen=True)
class Probe:
    path: str
    form: dict[str, str] | None = None  # None: GET
    own: str = ""  # what the host must still see of their own site (so "empty" means filtered)


def probes(ids: Ids) -> dict[str, Probe]:
    """One request per non-public page, aimed at the other site's data."""
    return {
        "GET /dashboard": Probe("/dashboard", own="NORTHSTATION"),
        "GET /dashboard/stations/{station_id}": Probe("/dashboard/stations/SOUTHSTATION"),
        "POST /dashboard/stations/{station_id}/commands/{kind}": Probe(
            "/dashboard/stations/SOUTHSTATION/commands/reset", {"type": "soft"}
        ),
        "POST /dashboard/stations/{station_id}/password-rotation": Probe(
            "/dashboard/stations/SOUTHSTATION/password-rotation", {}
        ),
        "POST /dashboard/sessions/{transaction_id}/stop": Probe(
            f"/dashboard/sessions/{ids.south_tx}/stop", {}
        ),
        "GET /dashboard/sessions": Probe("/dashboard/sessions", own="NORTHSTATION"),
        "GET /dashboard/sessions/{transaction_id}": Probe(f"/dashboard/sessions/{ids.south_tx}"),
        "GET /dashboard/sessions/{transaction_id}/cost": Probe(
            f"/dashboard/sessions/{ids.south_tx}/cost"
        ),
        "GET /dashboard/sites": Probe("/dashboard/sites", own="North Lot"),
        "POST /dashboard/sites": Probe("/dashboard/sites", {"site_id": "x", "name": "X"}),
        "GET /dashboard/tokens": Probe("/dashboard/tokens"),
        "POST /dashboard/tokens": Probe("/dashboard/tokens", {"value": "NEW-TAG"}),
        "POST /dashboard/tokens/block": Probe("/dashboard/tokens/block", {"value": "SOUTH-TAG"}),
        "GET /dashboard/api-keys": Probe("/dashboard/api-keys"),
        "GET /dashboard/roaming": Probe("/dashboard/roaming"),
        "GET /dashboard/sites/{site_id}/amenities": Probe("/dashboard/sites/south/amenities"),
        "POST /dashboard/sites/{site_id}/amenities": Probe(
            "/dashboard/sites/south/amenities", {"canopy": "on"}
        ),
        "POST /dashboard/api-keys": Probe("/dashboard/api-keys", {"name": "k"}),
        "POST /dashboard/api-keys/{key_id}/revoke": Probe("/dashboard/api-keys/1/revoke", {}),
        "GET /dashboard/live": Probe("/dashboard/live?station=SOUTHSTATION"),
        "GET /dashboard/reservations": Probe("/dashboard/reservations", own="NORTHSTATION"),
        "POST /dashboard/reservations": Probe(
            "/dashboard/reservations",
            {"station_id": "SOUTHSTATION", "id_token": "SOUTH-TAG", "until": "2030-01-01T10:00"},
        ),
        "POST /dashboard/reservations/{reservation_id}/cancel": Probe(
            f"/dashboard/reservations/{ids.south_reservation}/cancel", {}
        ),
        "GET /dashboard/cluster": Probe("/dashboard/cluster"),
        "GET /dashboard/drift": Probe("/dashboard/drift"),
        "POST /dashboard/drift/desired": Probe(
            "/dashboard/drift/desired", {"model": "M", "key": "K", "value": "1"}
        ),
        "POST /dashboard/drift/desired/{setting_id}/remove": Probe(
            "/dashboard/drift/desired/1/remove", {}
        ),
        "POST /dashboard/stations/{station_id}/drift/check": Probe(
            "/dashboard/stations/SOUTHSTATION/drift/check", {}
        ),
        "POST /dashboard/stations/{station_id}/drift/correct": Probe(
            "/dashboard/stations/SOUTHSTATION/drift/correct", {}
        ),
        "GET /dashboard/stations/{station_id}/device": Probe(
            "/dashboard/stations/SOUTHSTATION/device"
        ),
        "GET /dashboard/stations/{station_id}/device/summary": Probe(
            "/dashboard/stations/SOUTHSTATION/device/summary"
        ),
        "POST /dashboard/stations/{station_id}/device/monitors": Probe(
            "/dashboard/stations/SOUTHSTATION/device/monitors",
            {"key": "EVSE.Power", "kind": "delta", "value": "1"},
        ),
        "POST /dashboard/stations/{station_id}/device/monitors/{monitor_id}/clear": Probe(
            "/dashboard/stations/SOUTHSTATION/device/monitors/1/clear", {}
        ),
        "POST /dashboard/stations/{station_id}/device/monitors/report": Probe(
            "/dashboard/stations/SOUTHSTATION/device/monitors/report", {}
        ),
        "POST /dashboard/stations/{station_id}/device/monitoring-base": Probe(
            "/dashboard/stations/SOUTHSTATION/device/monitoring-base", {"base": "all"}
        ),
        "POST /dashboard/stations/{station_id}/device/monitoring-level": Probe(
            "/dashboard/stations/SOUTHSTATION/device/monitoring-level", {"severity": "5"}
        ),
        "POST /dashboard/stations/{station_id}/device/templates/apply": Probe(
            "/dashboard/stations/SOUTHSTATION/device/templates/apply", {}
        ),
        "POST /dashboard/stations/{station_id}/device/messages": Probe(
            "/dashboard/stations/SOUTHSTATION/device/messages", {"preset": "maintenance"}
        ),
        "POST /dashboard/stations/{station_id}/device/messages/{message_id}/clear": Probe(
            "/dashboard/stations/SOUTHSTATION/device/messages/1/clear", {}
        ),
        "POST /dashboard/stations/{station_id}/device/messages/refresh": Probe(
            "/dashboard/stations/SOUTHSTATION/device/messages/refresh", {}
        ),
        "POST /dashboard/stations/{station_id}/device/customer-information": Probe(
            "/dashboard/stations/SOUTHSTATION/device/customer-information",
            {"id_token": "SOUTH-TAG"},
        ),
        "GET /dashboard/stations/{station_id}/device/customer-information/{request_id}": Probe(
            "/dashboard/stations/SOUTHSTATION/device/customer-information/1"
        ),
        "GET /dashboard/payments": Probe("/dashboard/payments", own="NORTHSTATION"),
        "POST /dashboard/payments/reconcile": Probe("/dashboard/payments/reconcile", {}),
        "GET /dashboard/tariffs": Probe("/dashboard/tariffs", own="NORTHRATE"),
        "GET /dashboard/counter": Probe("/dashboard/counter", own="North Lot"),
        "GET /dashboard/counter/{site_id}": Probe("/dashboard/counter/south"),
        "POST /dashboard/counter/{site_id}/prepay": Probe(
            "/dashboard/counter/south/prepay",
            {"port": "SOUTHSTATION/1", "amount": "5", "method": "cash"},
        ),
        "GET /dashboard/counter/payments/{public_id}": Probe(
            f"/dashboard/counter/payments/{ids.south_payment}"
        ),
        "GET /dashboard/reliability": Probe("/dashboard/reliability", own="NORTHSTATION"),
        "GET /dashboard/reliability/tickets/{ticket_id}": Probe(
            f"/dashboard/reliability/tickets/{ids.south_ticket}"
        ),
        "POST /dashboard/reliability/tickets/{ticket_id}/transition": Probe(
            f"/dashboard/reliability/tickets/{ids.south_ticket}/transition",
            {"state": "acknowledged"},
        ),
        "GET /dashboard/reliability/stations/{station_id}/panel": Probe(
            "/dashboard/reliability/stations/SOUTHSTATION/panel"
        ),
        "GET /dashboard/firmware": Probe("/dashboard/firmware"),
        "GET /dashboard/firmware/{campaign_id}": Probe("/dashboard/firmware/1"),
        "POST /dashboard/firmware/{campaign_id}/{action}": Probe("/dashboard/firmware/1/pause", {}),
        "GET /dashboard/pki": Probe("/dashboard/pki"),
        "GET /dashboard/pki/stations/{station_id}/panel": Probe(
            "/dashboard/pki/stations/SOUTHSTATION/panel"
        ),
        "POST /dashboard/pki/stations/{station_id}/trust-store": Probe(
            "/dashboard/pki/stations/SOUTHSTATION/trust-store", {"use": "CSMSRootCertificate"}
        ),
        "POST /dashboard/pki/stations/{station_id}/trust-store/deletion": Probe(
            "/dashboard/pki/stations/SOUTHSTATION/trust-store/deletion", {"serial_number": "01"}
        ),
        "POST /dashboard/pki/stations/{station_id}/certificates/{serial}/revocation": Probe(
            "/dashboard/pki/stations/SOUTHSTATION/certificates/01/revocation", {"reason": "x"}
        ),
        "POST /dashboard/pki/stations/{station_id}/profile": Probe(
            "/dashboard/pki/stations/SOUTHSTATION/profile", {"profile": "2"}
        ),
        "GET /dashboard/compat/stations/{station_id}/stalls": Probe(
            "/dashboard/compat/stations/SOUTHSTATION/stalls"
        ),
        "POST /dashboard/compat/stations/{station_id}/stalls": Probe(
            "/dashboard/compat/stations/SOUTHSTATION/stalls",
            {
                "stall_id": "S1",
                "evse_id": "1",
                "layout": "back_in",
                "post": "head_right",
                "cable_reach_m": "2.5",
            },
        ),
        "POST /dashboard/compat/stations/{station_id}/stalls/{stall_id}/remove": Probe(
            "/dashboard/compat/stations/SOUTHSTATION/stalls/S1/remove", {}
        ),
        "GET /dashboard/firmware/stations/{station_id}/panel": Probe(
            "/dashboard/firmware/stations/SOUTHSTATION/panel"
        ),
        "POST /dashboard/firmware/stations/{station_id}/logs": Probe(
            "/dashboard/firmware/stations/SOUTHSTATION/logs", {"kind": "diagnostics"}
        ),
        "POST /dashboard/firmware/stations/{station_id}/publish": Probe(
            "/dashboard/firmware/stations/SOUTHSTATION/publish",
            {"location": "https://fw.example/x.bin", "checksum": "0" * 32},
        ),
        "POST /dashboard/firmware/stations/{station_id}/unpublish": Probe(
            "/dashboard/firmware/stations/SOUTHSTATION/unpublish", {"checksum": "0" * 32}
        ),
        "GET /dashboard/firmware/logs/{upload_id}/file": Probe("/dashboard/firmware/logs/1/file"),
        "GET /dashboard/load": Probe("/dashboard/load"),
        "GET /dashboard/sites/{site_id}/load": Probe("/dashboard/sites/south/load"),
        "GET /dashboard/plug-and-charge": Probe("/dashboard/plug-and-charge"),
        "GET /dashboard/accounts": Probe("/dashboard/accounts"),
        "GET /dashboard/accounts/{account_id}": Probe("/dashboard/accounts/south-account"),
        "GET /dashboard/sites/{site_id}/accounts": Probe("/dashboard/sites/south/accounts"),
    }


@dataclass
class Rig:
    app: FastAPI
    ids: Ids

    def client(self) -> httpx.AsyncClient:
        transport = httpx.ASGITransport(app=self.app)
        return httpx.AsyncClient(transport=transport, base_url="http://forecourt.test")


async def with_csrf(client: httpx.AsyncClient, path: str = "/login") -> None:
    page = await client.get(path)
    found = re.search(r'name="csrf_token" value="([^"]+)"', page.text)
    assert found is not None
    client.headers["X-CSRF-Token"] = found.group(1)


async def sign_in(client: httpx.AsyncClient, username: str) -> None:
    await with_csrf(client)
    form = {"username": username, "password": PASSWORD}
    form["csrf_token"] = client.headers["X-CSRF-Token"]
    assert (await client.post("/login", data=form)).status_code == 303
    del client.headers["X-CSRF-Token"]
    await with_csrf(client, "/dashboard")  # bound to the session: a fresh one after sign-in


async def ask(client: httpx.AsyncClient, probe: Probe) -> httpx.Response:
    if probe.form is not None:
        return await client.post(probe.path, data=probe.form)
    return await client.get(probe.path)


async def seed(services: Services) -> Ids:
    """Two sites with the same things each; hosts of the north site in three roles."""
    histories: dict[str, Ids] = {}
    for site, name in (("north", "North Lot"), ("south", "South Lot")):
        station, upper = f"{site.upper()}STATION", site.upper()
        await services.network.add_site(Site(site, name))
        await services.network.add_station(station, site_id=site)
        await services.network.set_connector(station, ConnectorSpec(1, 1, ConnectorType.CCS1))
        rate = EnergyBand(NOW.time(), Decimal("0.40"))
        tariff = Tariff(f"{upper}RATE", f"{upper}RATE", "USD", (rate,), hold_amount=Decimal(20))
        await services.feature(PAYMENTS).tariffs.publish(tariff)
        await services.feature(PAYMENTS).tariffs.bind(TariffBinding(tariff.code, site_id=site))
        await services.network.add_token(TokenRecord(f"{upper}-TAG"))
        last4 = "7319" if site == "south" else "1111"
        histories[site] = await seed_history(services, site, station, last4)
    for username, role in (
        ("host", Role.VIEWER),
        ("hosttech", Role.TECHNICIAN),
        ("hostops", Role.OPERATOR),
    ):
        await services.users.create(username, PASSWORD, role, ["north"])
    return histories["south"]


async def seed_history(services: Services, site: str, station: str, last4: str) -> Ids:
    """A session, a paid and an escalated card payment, and a ticket at ``station``."""
    tag = f"{site.upper()}-TAG"
    async with services.ctx.uow() as uow:
        tx = await uow.transactions.add(
            Transaction(station, 1, 1, NOW, station_tx_id=tag, id_token=tag)
        )
        for state in (PaymentState.CAPTURED, PaymentState.ESCALATED):
            payment = await uow.repository(PAYMENT_STORE).add(
                Payment(
                    PaymentFlow.SCAN_TO_PAY,
                    "test",
                    "USD",
                    2000,
                    NOW,
                    state=state,
                    station_id=station,
                    evse_id=1,
                    card=CardInfo("visa", last4),
                )
            )
        title = f"{site.upper()}-TICKET"
        ticket = await uow.repository(RELIABILITY_STORE).tickets.add(
            Ticket(station, Severity.MAJOR, title, NOW, site_id=site)
        )
        await uow.commit()
    until = datetime.now(UTC) + timedelta(days=1)  # the station is offline: stored as refused
    reservation = await services.core.reservations.reserve(station, tag, until, evse_id=1)
    return Ids(tx.id, ticket.id, payment.public_id, reservation.id)


@pytest_asyncio.fixture(scope="module", loop_scope="module")
async def rig(tmp_path_factory: pytest.TempPathFactory) -> AsyncIterator[Rig]:
    tmp: Path = tmp_path_factory.mktemp("scopes")
    app = create_app(Settings(database_url=f"sqlite:///{tmp / 'web.db'}"))
    async with app.router.lifespan_context(app):
        yield Rig(app, await seed(app.state.forecourt.services))


def route_keys(app: FastAPI) -> set[str]:
    """ "METHOD path" of every route the app serves (HEAD aside)."""
    keys = set()
    for context in iter_route_contexts(app.routes):
        route, path = context.original_route, context.path
        if isinstance(route, WebSocketRoute):  # FastAPI's APIWebSocketRoute is one too
            keys.add(f"WS {path}")
        elif isinstance(route, Mount):
            keys.add(f"MOUNT {path}")
        else:
            assert isinstance(route, Route), route  # APIRoute and PageRoute are Routes too
            keys.update(f"{m} {path}" for m in route.methods or () if m != "HEAD")
    return keys


async def test_every_route_is_declared(rig: Rig) -> None:
    keys = route_keys(rig.app)
    pages = {k for k in keys if not k.split(" ", 1)[1].startswith("/api")} - OPERATION_ROUTES
    assert pages == set(PAGE_REACH), (
        "declare the new page's reach (web.scope or Feature.page_reach)"
    )
    assert not PUBLIC_ROUTES - keys, "a public API route that no longer exists"
    assert not OPERATION_ROUTES - keys, "an operation route that no longer exists"
    not_public = set(PAGE_REACH) - {k for k, reach in PAGE_REACH.items() if reach is Reach.PUBLIC}
    assert not_public == set(probes(rig.ids)), "add a probe for the new page below"


async def test_api_routes_need_a_key_unless_declared_public(rig: Rig) -> None:
    keyed = sorted(
        k
        for k in route_keys(rig.app)
        if k.split(" ", 1)[1].startswith("/api/") and k not in PUBLIC_ROUTES
    )
    assert len(keyed) > 50
    async with rig.client() as client:
        for key in keyed:
            method, path = key.split(" ", 1)
            concrete = re.sub(r"\{[^}]+\}", "1", path)
            answer = await client.request(method, concrete)
            assert answer.status_code == 401, f"{key} answers {answer.status_code} without a key"


async def test_signed_out_users_are_sent_to_sign_in_everywhere(rig: Rig) -> None:
    async with rig.client() as client:
        await with_csrf(client)
        for key, probe in probes(rig.ids).items():
            answer = await ask(client, probe)
            assert answer.status_code == 303, key
            assert answer.headers["location"].startswith("/login"), key


@pytest.mark.parametrize("username", ["host", "hosttech", "hostops"])
async def test_site_hosts_see_nothing_of_other_sites(rig: Rig, username: str) -> None:
    async with rig.client() as client:
        await sign_in(client, username)
        for key, probe in probes(rig.ids).items():
            answer = await ask(client, probe)
            reach = PAGE_REACH[key]
            if reach in (Reach.NETWORK, Reach.ADMIN):
                assert answer.status_code == 403, f"{key} answers {answer.status_code}"
            elif answer.status_code != 404:
                assert answer.status_code in (200, 403), f"{key}: {answer.status_code}"
                markers = (*SOUTH_MARKERS, rig.ids.south_payment)
                leaked = [m for m in markers if m in answer.text]
                assert not leaked, f"{key} shows {leaked} to {username}"
                if answer.status_code == 200:
                    assert probe.own in answer.text, f"{key} lacks {probe.own!r}"
