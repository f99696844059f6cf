"""Schemathesis against our own OpenAPI document: every operation, generated valid and invalid
input, through the real ASGI app on real services and a real SQLite database, with an admin key.

Each response must not be a server error, and must match what the document promises (status
codes, content types, response schemas). Bounded and derandomized so CI is stable and fast.
"""

from __future__ import annotations

import asyncio
from collections.abc import Iterator
from pathlib import Path

import pytest
import schemathesis
from fastapi import FastAPI
from hypothesis import HealthCheck, Phase, given, settings
from hypothesis.errors import Unsatisfiable
from schemathesis import Case, GenerationMode
from schemathesis.core.failures import FailureGroup
from schemathesis.schemas import APIOperation
from schemathesis.specs.openapi.checks import (
    negative_data_rejection,
    positive_data_acceptance,
)

from forecourt.api.install import install_api
from forecourt.bootstrap import build_services, open_database
from forecourt.bus.inprocess import InProcessBus
from forecourt.features import FEATURES
from forecourt.services.access import Role
from tests.api.databases import fresh_copy
from tests.api.fakes import ScriptedGateway
from tests.support.harness import SteppingClock

#: Examples per operation and mode: about 70 operations share a budget of ~30 s, and drawing a
#: case (negative ones above all) costs more than sending it.
EXAMPLES = {GenerationMode.POSITIVE: 4, GenerationMode.NEGATIVE: 3}


class ConformanceRig:
    def __init__(self, app: FastAPI, admin_key: str) -> None:
        self.app = app
        self.headers = {"Authorization": f"Bearer {admin_key}"}


@pytest.fixture(scope="module")
def conformance_rig(
    tmp_path_factory: pytest.TempPathFactory, template_database: Path
) -> Iterator[ConformanceRig]:
    directory = tmp_path_factory.mktemp("schemathesis")
    database = open_database(fresh_copy(template_database, directory))
    gateway = ScriptedGateway()
    services = build_services(database, gateway, clock=SteppingClock(), bus=InProcessBus())

    async def seed() -> str:
        await services.network.add_station("CS-1")
        key, _ = await services.api_keys.create("schemathesis", Role.ADMIN)
        await database.dispose()  # the app's requests run on schemathesis's own event loop
        return key

    admin_key = asyncio.run(seed())
    app = FastAPI()
    install_api(app, services, live_status=gateway.connected_ids, features=FEATURES)
    yield ConformanceRig(app, admin_key)
    asyncio.run(database.dispose())


#: Our own rules (e.g. IANA time zones) go beyond the schema, so a 422 for schema-valid input can
#: be right; and pydantic's lax parsing accepts `"1"` or `true` for a number on purpose. Every
#: other built-in check runs (server errors, status codes, content types, response schemas, ...).
NOT_OUR_CONTRACT = [positive_data_acceptance, negative_data_rejection]


def check_operation(
    operation: APIOperation, mode: GenerationMode, rig: ConformanceRig
) -> str | None:
    """Run one operation's generated cases; the failure (shrunk), or None."""

    @given(case=operation.as_strategy(generation_mode=mode))
    @settings(
        max_examples=EXAMPLES[mode],
        deadline=None,
        derandomize=True,
        database=None,
        suppress_health_check=list(HealthCheck),
        phases=[Phase.explicit, Phase.generate, Phase.shrink],
    )
    def run(case: Case) -> None:
        case.call_and_validate(headers=rig.headers, excluded_checks=NOT_OUR_CONTRACT)

    try:
        run()
    except Unsatisfiable:  # nothing about this operation can be made invalid
        assert mode is GenerationMode.NEGATIVE, operation.label
        return None
    except (AssertionError, FailureGroup) as failure:  # a shrunk, readable report
        return f"{mode.value} {operation.label}:\n{failure}"
    return None


def test_api_conforms_to_its_openapi_document(conformance_rig: ConformanceRig) -> None:
    schema = schemathesis.openapi.from_asgi("/openapi.json", conformance_rig.app)
    operations = [result.ok() for result in schema.get_all_operations()]
    assert len(operations) > 60
    failures = [
        failure
        for operation in operations
        for mode in EXAMPLES
        if (failure := check_operation(operation, mode, conformance_rig)) is not None
    ]
    assert not failures, "\n\n".join(failures)
