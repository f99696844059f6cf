"""Plug & Charge on OCPP 1.6 through the OCA DataTransfer wrapper (vendorId
org.openchargealliance.iso15118pnc): the same checks as 2.0.1, answered in 2.0.1 words;
bad wrapped payloads get a CALLERROR; Autocharge "VID:" idTags."""

from __future__ import annotations

import asyncio
import base64
import json
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from typing import Any

import pytest
from ocpp.exceptions import OCPPError
from ocpp.v16 import ChargePoint, call
from websockets.asyncio.client import connect

from forecourt.plug_and_charge.testpki.generator import CONTRACTS, VEHICLE_EMAID, GeneratedPki
from tests.e2e.conftest import PASSWORD, STATION, basic_auth
from tests.plug_and_charge.conftest import VERDICTS
from tests.support.server import RunningServer

VENDOR = "org.openchargealliance.iso15118pnc"


@asynccontextmanager
async def station(server: RunningServer) -> AsyncIterator[ChargePoint]:
    async with connect(
        f"{server.ws_url}/{STATION}",
        subprotocols=["ocpp1.6"],  # type: ignore[list-item]
        additional_headers=basic_auth(STATION, PASSWORD),
    ) as ws:
        cp = ChargePoint(STATION, ws)
        runner = asyncio.create_task(cp.start())
        try:
            boot = call.BootNotification(charge_point_model="PnC", charge_point_vendor="Test")
            assert (await cp.call(boot)).status == "Accepted"
            yield cp
        finally:
            runner.cancel()


async def wrapped(cp: ChargePoint, message_id: str, payload: dict[str, Any]) -> dict[str, Any]:
    """One wrapped 2.0.1 message; its 2.0.1 answer."""
    answer = await cp.call(
        call.DataTransfer(vendor_id=VENDOR, message_id=message_id, data=json.dumps(payload))
    )
    assert answer.status == "Accepted"
    result: dict[str, Any] = json.loads(answer.data)
    return result


@pytest.mark.parametrize(
    ("contract", "status", "certificate_status"),
    VERDICTS,
)
async def test_wrapped_authorize(
    server: RunningServer, pki: GeneratedPki, contract: str, status: str, certificate_status: str
) -> None:
    async with station(server) as cp:
        answer = await wrapped(
            cp,
            "Authorize",
            {
                "idToken": {"idToken": CONTRACTS[contract], "type": "eMAID"},
                "certificate": pki.contract_chain(contract),
            },
        )
    assert answer["idTokenInfo"]["status"] == status
    assert answer["certificateStatus"] == certificate_status


async def test_wrapped_install_flow(server: RunningServer, pki: GeneratedPki) -> None:
    provisioning = (pki.directory / "oem_provisioning.pem").read_bytes()
    async with station(server) as cp:
        installed = await wrapped(
            cp,
            "Get15118EVCertificate",
            {
                "iso15118SchemaVersion": "urn:iso:15118:2:2013:MsgDef",
                "action": "Install",
                "exiRequest": base64.b64encode(provisioning).decode(),
            },
        )
        assert installed["status"] == "Accepted"
        bundle = base64.b64decode(installed["exiResponse"]).decode()
        chain = bundle[: bundle.index("-----BEGIN PRIVATE KEY-----")]
        answer = await wrapped(
            cp,
            "Authorize",
            {"idToken": {"idToken": VEHICLE_EMAID, "type": "eMAID"}, "certificate": chain},
        )
    assert answer["idTokenInfo"]["status"] == "Accepted"


async def test_wrapped_mistakes(server: RunningServer) -> None:
    """Unknown messageId: UnknownMessageId; a payload that is not the 2.0.1 message (or not
    JSON): a CALLERROR, and the connection stays usable."""
    async with station(server) as cp:
        unknown = await cp.call(call.DataTransfer(vendor_id=VENDOR, message_id="Nope", data="{}"))
        with pytest.raises(OCPPError) as not_json:
            await cp.call(
                call.DataTransfer(vendor_id=VENDOR, message_id="Authorize", data="{"),
                suppress=False,
            )
        with pytest.raises(OCPPError) as missing:
            await cp.call(
                call.DataTransfer(vendor_id=VENDOR, message_id="Authorize", data="{}"),
                suppress=False,
            )
        still = await cp.call(call.Heartbeat())
    assert unknown.status == "UnknownMessageId"
    assert not_json.value.code == "FormationViolation"  # type: ignore[attr-defined]
    assert missing.value.code in {"OccurenceConstraintViolation", "OccurrenceConstraintViolation"}
    assert still.current_time


@pytest.mark.parametrize(
    ("id_tag", "status"),
    [
        ("VID:001A2B3C4D5E", "Accepted"),
        ("vid:001a2b3c4d5e", "Accepted"),
        ("VID:001A2B3C4D5F", "Invalid"),
    ],
)
async def test_autocharge_vid_id_tag(server: RunningServer, id_tag: str, status: str) -> None:
    """1.6 stations send the car's EVCCID as idTag "VID:<MAC>": a registered one charges."""
    async with station(server) as cp:
        answer = await cp.call(call.Authorize(id_tag=id_tag))
    assert answer.id_tag_info["status"] == status
