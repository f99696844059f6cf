"""Plug & Charge fixtures: a test V2G PKI with its real OCSP responder, and a real server
trusting its roots (contract pool: the built-in one issuing from the same PKI)."""

from __future__ import annotations

from collections.abc import AsyncIterator, Iterator
from pathlib import Path

import pytest

from forecourt.domain.tokens import TokenKind, TokenRecord
from forecourt.plug_and_charge.testpki.generator import (
    CONTRACTS,
    VEHICLE_EMAID,
    GeneratedPki,
    generate,
)
from forecourt.plug_and_charge.testpki.responder import OcspResponder
from tests.e2e.conftest import PASSWORD, STATION
from tests.support.server import RunningServer, running_server

#: Each test contract and the answer it gets: (contract, idTokenInfo.status, certificateStatus).
VERDICTS = [
    ("valid", "Accepted", "Accepted"),
    ("revoked", "Blocked", "CertificateRevoked"),
    ("expired", "Expired", "CertificateExpired"),
    ("unknown_root", "Invalid", "CertChainError"),
]

#: A car with Autocharge: its EVCCID as registered (opt-in) and as stations send it.
AUTOCHARGE_MAC = "001A2B3C4D5E"


@pytest.fixture
def responder(tmp_path: Path) -> Iterator[OcspResponder]:
    with OcspResponder(tmp_path / "pki") as running:
        yield running


@pytest.fixture
def pki(tmp_path: Path, responder: OcspResponder) -> GeneratedPki:
    return generate(tmp_path / "pki", responder.url)


@pytest.fixture
async def server(tmp_path: Path, pki: GeneratedPki) -> AsyncIterator[RunningServer]:
    async with running_server(
        tmp_path,
        call_timeout=3.0,
        v2g_root_certificates=pki.roots,
        contract_pool_dir=pki.directory,
    ) as running:
        network = running.forecourt.services.network
        await network.add_station(STATION, password=PASSWORD)
        for emaid in [*CONTRACTS.values(), VEHICLE_EMAID]:
            await network.add_token(TokenRecord(emaid, TokenKind.EMAID))
        await network.add_token(TokenRecord(AUTOCHARGE_MAC, TokenKind.MAC_ADDRESS))
        yield running
