"""``forecourt firmware ...`` and ``forecourt logs ...``.

Images, campaigns and log listings work on the database (the server's campaign driver picks
campaigns up on its next pass). Sending one update or asking for a log needs the station's
connection, so those go through the running server's REST API, as ``forecourt command`` does.
"""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING, Annotated, Any, NoReturn
from urllib.parse import quote

import typer

from forecourt.cli import render
from forecourt.cli.runtime import EXIT_FAILED, EXIT_USAGE, JsonFlag, fail, print_json, with_services
from forecourt.cli.server_api import DEFAULT_SERVER
from forecourt.domain.commands import LogKind
from forecourt.firmware.domain.campaigns import NightWindow, Selection
from forecourt.firmware.keys import FIRMWARE

if TYPE_CHECKING:
    import httpx

    from forecourt.firmware.domain.campaigns import Campaign
    from forecourt.firmware.domain.images import FirmwareImage
    from forecourt.services.core import Services

firmware_app = typer.Typer(
    help="Firmware images, updates and rollout campaigns.", no_args_is_help=True
)
campaign_app = typer.Typer(
    help="Staged rollouts: create, follow, pause, resume, cancel, roll back.", no_args_is_help=True
)
logs_app = typer.Typer(help="Diagnostics and security logs stations upload.", no_args_is_help=True)

Server = Annotated[str, typer.Option(envvar="FORECOURT_SERVER", help="The server's base URL.")]
ApiKey = Annotated[
    str | None, typer.Option(envvar="FORECOURT_API_KEY", help="A technician (or higher) API key.")
]


def register(app: typer.Typer) -> None:
    from forecourt.firmware.cli import publishing

    firmware_app.add_typer(campaign_app, name="campaign")
    publishing.register(firmware_app)
    app.add_typer(firmware_app, name="firmware")
    app.add_typer(logs_app, name="logs")


def _settings() -> Any:
    from forecourt.settings import Settings

    return Settings()


# -- images ------------------------------------------------------------------------------------
@firmware_app.command("images")
def list_images(ctx: typer.Context, as_json: JsonFlag = False) -> None:
    """Firmware images, newest first."""
    images = with_services(ctx, lambda s: s.feature(FIRMWARE).images.images())
    rows = [_image(i) for i in images]
    _rows("Firmware images", ("id", "version", "source", "size_bytes", "signed"), rows, as_json)


@firmware_app.command("add-image")
def add_image(
    ctx: typer.Context,
    version: Annotated[str, typer.Argument(help="The firmware version the image holds.")],
    source: Annotated[str, typer.Argument(help="A file to upload, or an http(s)/ftp(s) URL.")],
    signature: Annotated[str, typer.Option(help="Base64 signature (signed firmware).")] = "",
    certificate: Annotated[
        Path | None, typer.Option(exists=True, dir_okay=False, help="PEM signing certificate.")
    ] = None,
    as_json: JsonFlag = False,
) -> None:
    """Upload an image (Forecourt serves it with signed URLs) or reference the operator's URL."""
    cert = certificate.read_text() if certificate else ""

    path = Path(source)
    size = path.stat().st_size if path.is_file() else None
    if "://" not in source and size is None:
        fail(f"no such file: {source}", EXIT_USAGE)

    async def work(services: Services) -> FirmwareImage:
        images = services.feature(FIRMWARE).images
        if size is None:
            return await images.reference(
                version, source, signing_certificate=cert, signature=signature, created_by="cli"
            )
        return await images.upload(
            version,
            path.name,
            _chunks(path),
            declared_size=size,
            signing_certificate=cert,
            signature=signature,
            created_by="cli",
        )

    image = with_services(ctx, work, settings=_settings())
    _show({"image": _image(image)}, as_json, f"image {image.id} (version {image.version}) added")


# -- campaigns ---------------------------------------------------------------------------------
@campaign_app.command("list")
def list_campaigns(ctx: typer.Context, as_json: JsonFlag = False) -> None:
    """Campaigns, newest first."""
    campaigns = with_services(ctx, lambda s: s.feature(FIRMWARE).campaigns.all())
    rows = [_campaign(c) for c in campaigns]
    _rows(
        "Firmware campaigns", ("id", "name", "image_id", "status", "status_reason"), rows, as_json
    )


@campaign_app.command("create")
def create_campaign(
    ctx: typer.Context,
    name: Annotated[str, typer.Argument(help="What the operator calls it.")],
    image: Annotated[int, typer.Option("--image", min=1, help="The image id to install.")],
    model: Annotated[str, typer.Option(help="Only stations of this model.")] = "",
    site: Annotated[str, typer.Option(help="Only stations of this site.")] = "",
    current_version: Annotated[str, typer.Option(help="Only stations running this version.")] = "",
    station: Annotated[
        list[str] | None, typer.Option("--station", help="Only these (repeat).")
    ] = None,
    canary: Annotated[int, typer.Option(min=0, max=100, help="Canary wave, % of stations.")] = 10,
    wave_size: Annotated[int, typer.Option(min=0, help="Stations per wave after it (0: all).")] = 0,
    max_attempts: Annotated[int, typer.Option(min=1, max=20)] = 3,
    retry_delay: Annotated[int, typer.Option(min=0, help="Seconds between attempts.")] = 600,
    failure_threshold: Annotated[int, typer.Option(min=0, help="Pause once more failed.")] = 0,
    window: Annotated[str, typer.Option(help="Site-local hours to send in, e.g. 22-5.")] = "",
    progress_timeout: Annotated[
        int, typer.Option(min=60, help="A sent station silent this long (s) has failed.")
    ] = 7200,
    as_json: JsonFlag = False,
) -> None:
    """Start a campaign; the server's driver sends it wave by wave."""
    from forecourt.firmware.services.campaigns import CampaignSpec

    spec = CampaignSpec(
        name=name,
        image_id=image,
        selection=Selection(model, site, current_version, tuple(station or ())),
        canary_percent=canary,
        wave_size=wave_size,
        max_attempts=max_attempts,
        retry_delay_s=retry_delay,
        failure_threshold=failure_threshold,
        window=_window(window),
        progress_timeout_s=progress_timeout,
    )
    campaign = with_services(
        ctx, lambda s: s.feature(FIRMWARE).campaigns.create(spec, created_by="cli")
    )
    _show(_campaign(campaign), as_json, f"campaign {campaign.id} started")


@campaign_app.command("show")
def show_campaign(
    ctx: typer.Context,
    campaign_id: Annotated[int, typer.Argument(min=1)],
    as_json: JsonFlag = False,
) -> None:
    """A campaign with each station's status."""
    detail = with_services(ctx, lambda s: s.feature(FIRMWARE).campaigns.detail(campaign_id))
    targets = [
        {
            "station_id": t.station_id,
            "wave": t.wave,
            "status": t.status.value,
            "firmware_state": t.firmware_state,
            "attempts": t.attempts,
            "previous_version": t.previous_version,
            "detail": t.detail,
        }
        for t in detail.targets
    ]
    if as_json:
        print_json({"campaign": _campaign(detail.campaign), "targets": targets})
        return
    c = detail.campaign
    typer.echo(f"campaign {c.id} {c.name!r}: {c.status.value} {c.status_reason}".rstrip())
    columns = ("station_id", "wave", "status", "firmware_state", "attempts", "detail")
    render.table("Stations", columns, ([r[k] for k in columns] for r in targets))


def _action(action: str, doc: str) -> None:
    def command(
        ctx: typer.Context,
        campaign_id: Annotated[int, typer.Argument(min=1)],
        as_json: JsonFlag = False,
    ) -> None:
        async def work(services: Services) -> list[Campaign]:
            campaigns = services.feature(FIRMWARE).campaigns
            if action == "rollback":
                return await campaigns.rollback(campaign_id, created_by="cli")
            return [await getattr(campaigns, action)(campaign_id)]

        done = with_services(ctx, work)
        rows = [_campaign(c) for c in done]
        _show(rows, as_json, "; ".join(f"campaign {r['id']}: {r['status']}" for r in rows))

    command.__doc__ = doc
    campaign_app.command(action)(command)


_action("pause", "Pause a running campaign.")
_action("resume", "Resume a paused campaign.")
_action("cancel", "Cancel: stations not sent yet are skipped.")
_action("rollback", "New campaign(s) back to the version each station ran before.")


# -- through the server: one update, one log ------------------------------------------------
@firmware_app.command("update")
def update(
    station_id: Annotated[str, typer.Argument(metavar="STATION")],
    location: Annotated[str, typer.Argument(help="The image's URL.")],
    version: Annotated[str, typer.Option(help="The version it holds.")] = "",
    server: Server = DEFAULT_SERVER,
    api_key: ApiKey = None,
    as_json: JsonFlag = False,
) -> None:
    """Ask one station to install an image now (UpdateFirmware), through the server."""
    path = f"/api/stations/{quote(station_id, safe='')}/firmware-update"
    data = _post(server, api_key, path, {"location": location, "version": version})
    ok = data["command"]["succeeded"]
    _show(
        data,
        as_json,
        f"{station_id}: {data['command']['status']}, firmware {data['firmware']['state']}",
    )
    raise typer.Exit(0 if ok else EXIT_FAILED)


@logs_app.command("request")
def request_log(
    station_id: Annotated[str, typer.Argument(metavar="STATION")],
    kind: Annotated[LogKind, typer.Option(help="Which log.")] = LogKind.DIAGNOSTICS,
    server: Server = DEFAULT_SERVER,
    api_key: ApiKey = None,
    as_json: JsonFlag = False,
) -> None:
    """Ask a station to upload a log to Forecourt (GetDiagnostics / GetLog)."""
    path = f"/api/stations/{quote(station_id, safe='')}/logs"
    data = _post(server, api_key, path, {"kind": kind.value})
    _show(data, as_json, f"upload {data['upload']['id']}: {data['upload']['state']}")
    raise typer.Exit(0 if data["command"]["succeeded"] else EXIT_FAILED)


@logs_app.command("list")
def list_logs(
    ctx: typer.Context,
    station_id: Annotated[str, typer.Argument(metavar="STATION")],
    as_json: JsonFlag = False,
) -> None:
    """Log uploads of a station, newest first."""
    uploads = with_services(ctx, lambda s: s.core.maintenance.logs(station_id))
    rows = [
        {
            "id": u.id,
            "kind": u.kind.value,
            "state": u.state.value,
            "received": u.received,
            "file_name": u.file_name,
            "size_bytes": u.size_bytes,
            "requested_at": u.requested_at.isoformat(),
        }
        for u in uploads
    ]
    _rows(
        f"Logs of {station_id}",
        ("id", "kind", "state", "received", "file_name", "size_bytes"),
        rows,
        as_json,
    )


@logs_app.command("download")
def download_log(
    ctx: typer.Context,
    upload_id: Annotated[int, typer.Argument(min=1)],
    output: Annotated[Path, typer.Option("--output", "-o", dir_okay=False, help="Write here.")],
) -> None:
    """Copy an uploaded log out of the data directory."""

    async def work(services: Services) -> Path:
        maintenance = services.core.maintenance
        upload = await maintenance.log(upload_id)
        path = maintenance.log_path(upload)
        if not upload.received or not path.is_file():
            fail(f"log upload {upload_id} has no file yet (state {upload.state.value})")
        return path

    source = with_services(ctx, work, settings=_settings())
    output.write_bytes(source.read_bytes())
    typer.echo(f"wrote {output} ({output.stat().st_size} bytes)")


# -- helpers -----------------------------------------------------------------------------------
async def _chunks(path: Path) -> Any:
    with path.open("rb") as source:
        while chunk := source.read(1 << 20):
            yield chunk


def _window(text: str) -> NightWindow | None:
    if not text:
        return None
    try:
        start, end = (int(part) for part in text.split("-"))
    except ValueError:
        raise typer.BadParameter(f"a window looks like 22-5 (hours), not {text!r}") from None
    return NightWindow(start, end)


def _image(image: FirmwareImage) -> dict[str, Any]:
    return {
        "id": image.id,
        "version": image.version,
        "source": image.url or f"stored: {image.file_name}",
        "size_bytes": image.size_bytes,
        "sha256": image.sha256,
        "signed": bool(image.signature),
    }


def _campaign(c: Campaign) -> dict[str, Any]:
    return {
        "id": c.id,
        "name": c.name,
        "image_id": c.image_id,
        "status": c.status.value,
        "status_reason": c.status_reason,
        "rollback_of": c.rollback_of,
    }


def _rows(title: str, columns: tuple[str, ...], rows: list[dict[str, Any]], as_json: bool) -> None:
    """``rows`` as JSON, or these ``columns`` of them as a table."""
    if as_json:
        print_json(rows)
    else:
        render.table(title, columns, ([r[c] for c in columns] for r in rows))


def _show(data: Any, as_json: bool, line: str) -> None:
    if as_json:
        print_json(data)
    else:
        typer.echo(line)


def _post(server: str, api_key: str | None, path: str, body: dict[str, Any]) -> dict[str, Any]:
    import httpx

    if not api_key:
        fail("an API key is needed: --api-key or FORECOURT_API_KEY", EXIT_USAGE)
    headers = {"Authorization": f"Bearer {api_key}"}
    try:
        with httpx.Client(base_url=server.rstrip("/"), headers=headers, timeout=60) as client:
            response = client.post(path, json=body)
    except httpx.HTTPError as exc:
        fail(f"cannot reach the Forecourt server at {server}: {exc}")
    if response.is_error:
        _problem(response)
    data: dict[str, Any] = response.json()
    return data


def _problem(response: httpx.Response) -> NoReturn:
    try:
        detail = str(response.json().get("detail") or response.json().get("title"))
    except (ValueError, AttributeError):
        detail = f"the server answered {response.status_code}"
    fail(detail, EXIT_USAGE if response.status_code == 422 else EXIT_FAILED)
