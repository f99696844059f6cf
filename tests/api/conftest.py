"""The API under test: real services on a real SQLite file, reached over HTTP (ASGI)."""

from __future__ import annotations

from collections.abc import AsyncIterator
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path

import httpx
import pytest
from fastapi import FastAPI

from forecourt.api.install import install_api
from forecourt.bootstrap import build_services, open_database
from forecourt.bus.inprocess import InProcessBus
from forecourt.domain.metering import Measurand, MeterSample, ReadingContext
from forecourt.domain.tokens import IdToken
from forecourt.features import FEATURES
from forecourt.services.access import Role
from forecourt.services.core import Services
from forecourt.services.transactions import TransactionStart
from tests.api.databases import fresh_copy, make_template
from tests.api.fakes import ScriptedGateway
from tests.support.harness import SteppingClock


@dataclass
class ApiRig:
    client: httpx.AsyncClient
    services: Services
    gateway: ScriptedGateway
    keys: dict[Role, str]

    def auth(self, role: Role = Role.ADMIN) -> dict[str, str]:
        return {"Authorization": f"Bearer {self.keys[role]}"}


@pytest.fixture
def gateway() -> ScriptedGateway:
    return ScriptedGateway()


@pytest.fixture(scope="session")
def template_database(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return make_template(tmp_path_factory.mktemp("template"))


@pytest.fixture
async def rig(
    tmp_path: Path, template_database: Path, gateway: ScriptedGateway
) -> AsyncIterator[ApiRig]:
    database = open_database(fresh_copy(template_database, tmp_path))
    services = build_services(database, gateway, clock=SteppingClock(), bus=InProcessBus())
    keys = {role: (await services.api_keys.create(f"{role.value}-key", role))[0] for role in Role}
    app = FastAPI()
    install_api(app, services, live_status=gateway.connected_ids, features=FEATURES)
    transport = httpx.ASGITransport(app=app, raise_app_exceptions=False)
    async with httpx.AsyncClient(transport=transport, base_url="http://forecourt.test") as client:
        yield ApiRig(client, services, gateway, keys)
    await database.dispose()


async def start_transaction(rig: ApiRig, station_id: str, tag: str, at: datetime) -> int:
    """A transaction started the way a station starts one (meter at 1 kWh)."""
    sample = MeterSample(
        at, Measurand.ENERGY_IMPORT_REGISTER, 1000.0, "Wh", ReadingContext.TRANSACTION_BEGIN
    )
    outcome = await rig.services.core.transactions.start(
        station_id,
        TransactionStart(1, 1, at, IdToken(tag), meter_start_wh=1000.0, samples=[sample]),
    )
    assert outcome.transaction is not None
    return outcome.transaction.id
