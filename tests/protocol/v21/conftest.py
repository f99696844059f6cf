"""Fixtures for the OCPP 2.1 adapter tests: real services, real session, recording transport."""

from __future__ import annotations

from collections.abc import AsyncIterator
from pathlib import Path

import pytest

from forecourt.ocpp.v21 import ADAPTER
from tests.support.harness import ProtocolRig, SteppingClock, make_rig, make_services


@pytest.fixture
async def rig(tmp_path: Path) -> AsyncIterator[ProtocolRig]:
    services, database = await make_services(tmp_path, clock=SteppingClock())
    protocol_rig = await make_rig(services, ADAPTER)
    yield protocol_rig
    protocol_rig.session.close()
    await database.dispose()
