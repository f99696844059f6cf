"""``forecourt firmware publish|unpublish``: a 2.0.1 local controller serving an image to the
stations behind it (L03/L04), through the running server like ``forecourt firmware update``."""

from __future__ import annotations

from typing import Annotated
from urllib.parse import quote

import typer

from forecourt.cli.runtime import EXIT_FAILED, EXIT_USAGE, JsonFlag, fail
from forecourt.cli.server_api import DEFAULT_SERVER
from forecourt.domain.errors import InvalidInput
from forecourt.domain.firmware_publishing import md5_checksum
from forecourt.firmware.cli.commands import ApiKey, Server
from forecourt.firmware.cli.commands import _post as post
from forecourt.firmware.cli.commands import _show as show

Station = Annotated[str, typer.Argument(metavar="STATION", help="The local controller.")]
Checksum = Annotated[str, typer.Option(help="The image's MD5, 32 hex digits.")]


def register(firmware_app: typer.Typer) -> None:
    firmware_app.command("publish")(publish)
    firmware_app.command("unpublish")(unpublish)


def publish(
    station_id: Station,
    location: Annotated[str, typer.Argument(help="The image's URL.")],
    checksum: Checksum,
    retries: Annotated[int | None, typer.Option(min=0, max=100)] = None,
    server: Server = DEFAULT_SERVER,
    api_key: ApiKey = None,
    as_json: JsonFlag = False,
) -> None:
    """Ask a local controller to download an image and publish it (PublishFirmware, 2.0.1)."""
    body: dict[str, object] = {"location": location, "checksum": _checksum(checksum)}
    if retries is not None:
        body["retries"] = retries
    data = post(
        server, api_key, f"/api/stations/{quote(station_id, safe='')}/firmware-publish", body
    )
    publication = data["publication"]
    line = (
        f"{station_id}: {data['command']['status']}, publication {publication['request_id']} "
        f"{publication['state']}"
    )
    show(data, as_json, line)
    raise typer.Exit(0 if data["command"]["succeeded"] else EXIT_FAILED)


def unpublish(
    station_id: Station,
    checksum: Checksum,
    server: Server = DEFAULT_SERVER,
    api_key: ApiKey = None,
    as_json: JsonFlag = False,
) -> None:
    """Ask a local controller to stop publishing an image (UnpublishFirmware, 2.0.1)."""
    path = f"/api/stations/{quote(station_id, safe='')}/firmware-unpublish"
    data = post(server, api_key, path, {"checksum": _checksum(checksum)})
    word = data["result"].get("status") or data["status"]
    show(data, as_json, f"{station_id}: {data['status']} ({word})")
    raise typer.Exit(0 if data["succeeded"] else EXIT_FAILED)


def _checksum(value: str) -> str:
    try:
        return md5_checksum(value)
    except InvalidInput as exc:
        fail(str(exc), EXIT_USAGE)
