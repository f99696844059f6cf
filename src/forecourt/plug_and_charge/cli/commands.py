"""``forecourt pnc ...``: a test V2G PKI, its OCSP responder, and contract checks.

``test-pki`` and ``ocsp-responder`` work on files; ``check`` asks the running server (its
configured roots decide). Exit codes: 0 done, 1 failed or refused, 2 bad usage.
"""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

from forecourt.cli.runtime import EXIT_USAGE, JsonFlag, console, fail, print_json
from forecourt.cli.server_api import (
    DEFAULT_SERVER,
    ApiKeyOption,
    ServerUrlOption,
    exchange,
    fail_on_problem,
)

pnc_app = typer.Typer(
    help="Plug & Charge: a test V2G PKI, its OCSP responder, contract checks.",
    no_args_is_help=True,
)

Directory = Annotated[Path, typer.Argument(metavar="DIR", help="The test PKI's directory.")]


def register(app: typer.Typer) -> None:
    app.add_typer(pnc_app, name="pnc")


@pnc_app.command("test-pki")
def generate_test_pki(
    directory: Directory,
    ocsp_url: Annotated[
        str, typer.Option(help="Where the OCSP responder will listen (in every AIA).")
    ] = "http://127.0.0.1:9010/ocsp",
    as_json: JsonFlag = False,
) -> None:
    """Generate a complete test V2G PKI: V2G root, CPO sub-CAs, MO root/sub-CAs, OEM
    provisioning and contract certificates (valid, revoked, expired, unknown root)."""
    from forecourt.plug_and_charge.testpki.generator import CONTRACTS, generate

    if not ocsp_url.startswith(("http://", "https://")):
        fail("--ocsp-url must be an http(s) URL", EXIT_USAGE)
    pki = generate(directory, ocsp_url)
    if as_json:
        print_json({"directory": str(directory), "roots": str(pki.roots), "contracts": CONTRACTS})
        return
    console.print(f"test V2G PKI written to {directory}")
    console.print(f"trust bundle: FORECOURT_V2G_ROOT_CERTIFICATES={pki.roots}")
    for name, emaid in CONTRACTS.items():
        console.print(f"  contract {name:<13} eMAID {emaid}  contract_{name}.chain.pem")


@pnc_app.command("ocsp-responder")
def ocsp_responder(
    directory: Directory,
    host: Annotated[str, typer.Option(help="Address to bind.")] = "127.0.0.1",
    port: Annotated[int, typer.Option(min=0, max=65535, help="Port to bind.")] = 9010,
) -> None:
    """Serve OCSP for the test PKI until interrupted (revoked.txt is read per request)."""
    from forecourt.plug_and_charge.testpki.responder import OcspResponder

    if not (directory / "manifest.json").exists():
        fail(f"{directory} is not a test PKI (forecourt pnc test-pki)", EXIT_USAGE)
    responder = OcspResponder(directory, host, port)
    console.print(f"OCSP responder for {directory} at {responder.url}")
    try:
        responder.serve_forever()
    except KeyboardInterrupt:
        pass
    finally:
        responder.close()


@pnc_app.command("check")
def check(
    certificate: Annotated[Path, typer.Argument(metavar="PEM", help="The contract chain.")],
    emaid: Annotated[str, typer.Option(help="The eMAID the car presents.")],
    server: ServerUrlOption = DEFAULT_SERVER,
    api_key: ApiKeyOption = None,
    timeout: Annotated[float, typer.Option(min=1)] = 15.0,
    as_json: JsonFlag = False,
) -> None:
    """Check a contract chain as an Authorize would (the server's roots, OCSP)."""
    try:
        text = certificate.read_text()
    except OSError as exc:
        fail(f"cannot read {certificate}: {exc}", EXIT_USAGE)
    body = {"emaid": emaid, "certificate": text}
    response = exchange(server, api_key, timeout, "POST", "/api/plug-and-charge/check", body=body)
    fail_on_problem(response, field_errors=True)
    status = response.json()["status"]
    if as_json:
        print_json({"status": status})
    else:
        console.print(f"{emaid}: {status}")
