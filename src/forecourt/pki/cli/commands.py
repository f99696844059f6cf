"""``forecourt pki ...``: the CA, station certificates, security profiles, trust stores.

The CA, certificates and profiles live in the database (these commands work on it directly);
a station's trust store lives on the station, so ``trust-store`` goes through the running
server's REST API, as ``forecourt command`` does. The CA keys are encrypted with
FORECOURT_SECRET_KEY: run these with the server's.
"""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING, Annotated, Any

import typer

from forecourt.cli import render
from forecourt.cli.runtime import EXIT_USAGE, JsonFlag, fail, print_json, with_services
from forecourt.cli.server_api import (
    DEFAULT_SERVER,
    ApiKeyOption,
    ServerUrlOption,
    TimeoutOption,
    exchange,
    fail_on_problem,
)
from forecourt.domain.certificates import TrustAnchor
from forecourt.pki.keys import PKI

if TYPE_CHECKING:
    from forecourt.pki.domain.certificates import IssuedCertificate, ProfileState
    from forecourt.services.core import Services

pki_app = typer.Typer(
    help="Station PKI: CA, station certificates, security profiles, trust stores.",
    no_args_is_help=True,
)
trust_app = typer.Typer(
    help="A station's trust store over OCPP (through the running server).", no_args_is_help=True
)

PemFile = Annotated[Path, typer.Option(exists=True, dir_okay=False, readable=True)]


def register(app: typer.Typer) -> None:
    pki_app.add_typer(trust_app, name="trust-store")
    app.add_typer(pki_app, name="pki")


def _settings() -> Any:
    from forecourt.settings import Settings

    return Settings()


@pki_app.command("init")
def init(
    ctx: typer.Context,
    bundle: Annotated[
        Path | None,
        typer.Option(help="Where to write the CA bundle [DATA_DIR/pki/station-ca.pem]."),
    ] = None,
    ca_certificate: Annotated[
        Path | None, typer.Option(exists=True, dir_okay=False, help="Import this CA (PEM).")
    ] = None,
    ca_key: Annotated[
        Path | None, typer.Option(exists=True, dir_okay=False, help="The imported CA's key.")
    ] = None,
    as_json: JsonFlag = False,
) -> None:
    """Create a CSMS root and a station CA (or import the operator's CA) and write the bundle
    FORECOURT_TLS_CLIENT_CA_FILE should name."""
    from forecourt.pki.services.crypto import KeyPair

    if (ca_certificate is None) != (ca_key is None):
        fail("--ca-certificate and --ca-key go together", EXIT_USAGE)
    imported = (
        KeyPair(ca_certificate.read_text(), ca_key.read_text())
        if ca_certificate is not None and ca_key is not None
        else None
    )
    settings = _settings()
    target = bundle or settings.data_dir / "pki" / "station-ca.pem"

    async def work(services: Services) -> str:
        pki = services.feature(PKI)
        await pki.authority.init(settings.pki_organization, imported)
        return await pki.authority.trust_bundle()

    pem = with_services(ctx, work, settings=settings)
    target.parent.mkdir(parents=True, exist_ok=True)
    target.write_text(pem)
    data = {"bundle": str(target), "imported": imported is not None}
    if as_json:
        print_json(data)
    else:
        typer.echo(f"PKI ready. Serve with FORECOURT_TLS_CLIENT_CA_FILE={target}")


@pki_app.command("issue")
def issue(
    ctx: typer.Context,
    station_id: Annotated[str, typer.Argument(help="The station identity (the CN).")],
    out: Annotated[Path, typer.Option(help="Directory for STATION.pem and STATION.key.")] = Path(),
    days: Annotated[int | None, typer.Option(min=1, max=3650)] = None,
    as_json: JsonFlag = False,
) -> None:
    """Issue a key pair and certificate for a station that cannot make a CSR (install both
    on it, then delete the key file)."""
    issued = with_services(
        ctx,
        lambda s: s.feature(PKI).authority.issue_key_pair(station_id, days),
        settings=_settings(),
    )
    out.mkdir(parents=True, exist_ok=True)
    certificate, key = out / f"{station_id}.pem", out / f"{station_id}.key"
    certificate.write_text(issued.chain_pem)
    key.touch(mode=0o600)
    key.write_text(issued.private_key_pem)
    data = {**_row(issued.certificate), "certificate": str(certificate), "key": str(key)}
    if as_json:
        print_json(data)
    else:
        typer.echo(f"certificate {issued.certificate.serial}: {certificate}, key: {key}")


@pki_app.command("revoke")
def revoke(
    ctx: typer.Context,
    serial: Annotated[str, typer.Argument(help="The certificate's serial number (hex).")],
    reason: Annotated[str, typer.Option(help="Why, for the record.")] = "",
    as_json: JsonFlag = False,
) -> None:
    """Revoke a station certificate: the station cannot connect with it any more."""
    revoked = with_services(
        ctx, lambda s: s.feature(PKI).authority.revoke(serial, reason), settings=_settings()
    )
    if as_json:
        print_json(_row(revoked))
    else:
        typer.echo(f"certificate {revoked.serial} of {revoked.station_id} revoked")


@pki_app.command("list")
def list_certificates(
    ctx: typer.Context,
    station_id: Annotated[str | None, typer.Option("--station", help="Only this station.")] = None,
    as_json: JsonFlag = False,
) -> None:
    """Issued station certificates, newest first."""
    issued = with_services(ctx, lambda s: s.feature(PKI).authority.certificates(station_id))
    rows = [_row(c) for c in issued]
    if as_json:
        print_json(rows)
        return
    columns = ("serial", "station_id", "use", "state", "not_after")
    render.table("Station certificates", columns, ([r[c] for c in columns] for r in rows))


@pki_app.command("profile")
def profile(
    ctx: typer.Context,
    station_id: Annotated[str, typer.Argument()],
    security_profile: Annotated[
        int | None, typer.Argument(min=1, max=3, help="Switch to it: 1, 2 or 3.")
    ] = None,
    allow_downgrade: Annotated[bool, typer.Option(help="Allow a lower profile.")] = False,
    require_now: Annotated[
        bool,
        typer.Option(help="Only require it from now on (the station already uses it): no switch."),
    ] = False,
    server: ServerUrlOption = DEFAULT_SERVER,
    api_key: ApiKeyOption = None,
    timeout: TimeoutOption = 60.0,
    as_json: JsonFlag = False,
) -> None:
    """Show a station's security profile, or switch it (through the running server: the
    station is told; an upgrade counts once the station reconnects on it)."""
    if security_profile is not None and not require_now:
        body = {"security_profile": security_profile, "allow_downgrade": allow_downgrade}
        path = f"/api/pki/stations/{station_id}/profile"
        response = exchange(server, api_key, timeout, "PUT", path, body=body)
        fail_on_problem(response)
        print_json(response.json())
        if not response.json()["command"]["succeeded"]:
            raise typer.Exit(1)
        return

    async def work(services: Services) -> ProfileState:
        stations = services.feature(PKI).stations
        if security_profile is not None:
            await stations.set_profile(
                station_id, security_profile, allow_downgrade=allow_downgrade
            )
        return await stations.profile_state(station_id)

    state = with_services(ctx, work)
    if as_json:
        print_json(
            {
                "station_id": station_id,
                "security_profile": state.profile,
                "target_profile": state.target,
            }
        )
    else:
        target = f" (switching to {state.target})" if state.target else ""
        typer.echo(f"{station_id}: security profile {state.profile}{target}")


def _row(issued: IssuedCertificate) -> dict[str, Any]:
    from datetime import UTC, datetime

    return {
        "serial": issued.serial,
        "station_id": issued.station_id,
        "use": issued.use.value,
        "state": issued.state(datetime.now(UTC)),
        "not_before": issued.not_before.isoformat(),
        "not_after": issued.not_after.isoformat(),
        "revoked_at": issued.revoked_at.isoformat() if issued.revoked_at else None,
    }


# -- trust stores (through the server) ------------------------------------------------------
@trust_app.command("list")
def trust_list(
    station_id: Annotated[str, typer.Argument()],
    anchor: Annotated[list[TrustAnchor] | None, typer.Option(help="Only these kinds.")] = None,
    server: ServerUrlOption = DEFAULT_SERVER,
    api_key: ApiKeyOption = None,
    timeout: TimeoutOption = 60.0,
) -> None:
    """GetInstalledCertificateIds: the certificates the station has installed."""
    params = {"anchor": [a.value for a in anchor or []]}
    path = f"/api/pki/stations/{station_id}/trust-store"
    response = exchange(server, api_key, timeout, "GET", path, params=params)  # type: ignore[arg-type]
    _command_answer(response)


@trust_app.command("install")
def trust_install(
    station_id: Annotated[str, typer.Argument()],
    anchor: Annotated[TrustAnchor, typer.Argument(help="What kind of root it is.")],
    certificate: Annotated[Path, typer.Argument(exists=True, dir_okay=False)],
    server: ServerUrlOption = DEFAULT_SERVER,
    api_key: ApiKeyOption = None,
    timeout: TimeoutOption = 60.0,
) -> None:
    """InstallCertificate: add a root certificate to the station's trust store."""
    body = {"anchor": anchor.value, "certificate_pem": certificate.read_text()}
    path = f"/api/pki/stations/{station_id}/trust-store"
    _command_answer(exchange(server, api_key, timeout, "POST", path, body=body))


@trust_app.command("delete")
def trust_delete(
    station_id: Annotated[str, typer.Argument()],
    serial_number: Annotated[str, typer.Option(help="As `trust-store list` shows it.")],
    issuer_name_hash: Annotated[str, typer.Option()],
    issuer_key_hash: Annotated[str, typer.Option()],
    hash_algorithm: Annotated[str, typer.Option()] = "SHA256",
    server: ServerUrlOption = DEFAULT_SERVER,
    api_key: ApiKeyOption = None,
    timeout: TimeoutOption = 60.0,
) -> None:
    """DeleteCertificate: remove an installed certificate from the station."""
    body = {
        "hash_algorithm": hash_algorithm,
        "issuer_name_hash": issuer_name_hash,
        "issuer_key_hash": issuer_key_hash,
        "serial_number": serial_number,
    }
    path = f"/api/pki/stations/{station_id}/trust-store/deletion"
    _command_answer(exchange(server, api_key, timeout, "POST", path, body=body))


def _command_answer(response: Any) -> None:
    """The command record as JSON; exit 1 when the station did not accept."""
    fail_on_problem(response)
    record = response.json()
    print_json(record)
    if not record.get("succeeded"):
        raise typer.Exit(1)
