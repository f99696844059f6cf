"""Fixtures for the OCPP 2.0.1 adapter tests: real services, real session, recording transport."""

from __future__ import annotations

from collections.abc import AsyncIterator
from pathlib import Path

import pytest

from forecourt.ocpp.v201 import ADAPTER
from tests.support.harness import ProtocolRig, SteppingClock, make_rig, make_services


@pytest.fixture
def clock() -> SteppingClock:
    return SteppingClock()


@pytest.fixture
async def rig(tmp_path: Path, clock: SteppingClock) -> AsyncIterator[ProtocolRig]:
    services, database = await make_services(tmp_path, clock=clock)
    protocol_rig = await make_rig(services, ADAPTER)
    yield protocol_rig
    protocol_rig.session.close()
    await database.dispose()
