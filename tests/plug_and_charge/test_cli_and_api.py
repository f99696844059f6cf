"""``forecourt pnc`` (test PKI, responder, check through the server) and the Plug & Charge API."""

from __future__ import annotations

import asyncio
import json
from pathlib import Path

from cryptography import x509
from typer.testing import CliRunner

from forecourt.cli.main import app
from forecourt.plug_and_charge.testpki.generator import CONTRACTS, GeneratedPki
from forecourt.services.access import Role
from tests.support.server import RunningServer


def test_test_pki_writes_a_complete_pki(tmp_path: Path) -> None:
    result = CliRunner().invoke(
        app, ["pnc", "test-pki", str(tmp_path / "pki"), "--ocsp-url", "http://x:1/ocsp", "--json"]
    )
    assert result.exit_code == 0, result.output
    assert json.loads(result.stdout)["contracts"] == CONTRACTS
    roots = x509.load_pem_x509_certificates((tmp_path / "pki" / "roots.pem").read_bytes())
    names = sorted(r.subject.rfc4514_string() for r in roots)
    assert [n.split("CN=")[1] for n in names] == ["MO Root CA", "OEM Root CA", "V2G Root CA"]
    for name in ("cpo_sub1", "cpo_sub2", "secc", "mo_sub1", "mo_sub2", "oem_provisioning"):
        assert (tmp_path / "pki" / f"{name}.pem").exists()


def test_usage_errors(tmp_path: Path) -> None:
    runner = CliRunner()
    bad_url = runner.invoke(app, ["pnc", "test-pki", str(tmp_path), "--ocsp-url", "file:///x"])
    assert bad_url.exit_code == 2
    not_a_pki = runner.invoke(app, ["pnc", "ocsp-responder", str(tmp_path), "--port", "0"])
    assert (not_a_pki.exit_code, "is not a test PKI" in not_a_pki.stderr) == (2, True)


async def test_check_through_the_server(server: RunningServer, pki: GeneratedPki) -> None:
    key, _ = await server.forecourt.services.api_keys.create("viewer", Role.VIEWER)
    runner = CliRunner()
    outcomes = {}
    for name in ("valid", "revoked"):
        chain = pki.directory / f"contract_{name}.chain.pem"
        args = ["pnc", "check", str(chain), "--emaid", CONTRACTS[name], "--json",
                "--server", server.http_url, "--api-key", key, "--timeout", "60"]  # fmt: skip
        result = await asyncio.to_thread(runner.invoke, app, args)
        assert result.exit_code == 0, result.output
        outcomes[name] = json.loads(result.stdout)["status"]
    assert outcomes == {"valid": "accepted", "revoked": "revoked"}
    args = ["pnc", "check", str(pki.directory / "secc.pem"), "--emaid", "", "--server",
            server.http_url, "--api-key", key]  # fmt: skip
    empty = await asyncio.to_thread(runner.invoke, app, args)
    assert empty.exit_code == 2  # the server's 422: an empty eMAID
