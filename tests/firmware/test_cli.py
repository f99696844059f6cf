"""``forecourt firmware ...`` and ``forecourt logs ...`` through the real CLI entry point."""

from __future__ import annotations

from pathlib import Path

from forecourt.domain.commands import FetchLog, LogKind, UpdateFirmware
from forecourt.domain.firmware_publishing import PublishFirmware, UnpublishFirmware
from tests.api.fakes import ScriptedGateway
from tests.cli.conftest import (  # noqa: F401 (fixtures)
    Cli,
    cli,
    gateway,
    remote,
    server,
    template_database,
)


def _with_data(cli: Cli, tmp_path: Path) -> Cli:  # noqa: F811 (the fixture's name)
    return Cli(cli.database_url, {**cli.env, "FORECOURT_DATA_DIR": str(tmp_path / "data")})


def test_images_campaigns_and_their_lifecycle(cli: Cli, tmp_path: Path) -> None:  # noqa: F811
    fw = _with_data(cli, tmp_path)
    fw.ok("stations", "add", "A")
    fw.ok("stations", "add", "B")
    image_file = tmp_path / "fw-2.0.bin"
    image_file.write_bytes(b"image bytes")
    stored = fw.json("firmware", "add-image", "2.0", str(image_file))["image"]
    assert (stored["size_bytes"], stored["source"]) == (11, "stored: fw-2.0.bin")
    assert (tmp_path / "data" / "firmware" / f"{stored['id']}.bin").read_bytes() == b"image bytes"
    hosted = fw.json("firmware", "add-image", "1.9", "https://fw.example/1.9.bin")["image"]
    assert [i["version"] for i in fw.json("firmware", "images")] == ["1.9", "2.0"]
    table = fw.ok("firmware", "images").stdout
    assert "Firmware images" in table
    assert "stored: fw-2.0.bin" in table

    created = fw.json(
        "firmware",
        "campaign",
        "create",
        "to 2.0",
        "--image",
        str(stored["id"]),
        "--canary",
        "50",
        "--failure-threshold",
        "1",
        "--window",
        "22-5",
    )
    shown = fw.json("firmware", "campaign", "show", str(created["id"]))
    assert [(t["station_id"], t["wave"], t["status"]) for t in shown["targets"]] == [
        ("A", 0, "pending"),
        ("B", 1, "pending"),
    ]
    assert fw.json("firmware", "campaign", "pause", str(created["id"]))[0]["status"] == "paused"
    assert fw.json("firmware", "campaign", "resume", str(created["id"]))[0]["status"] == "running"
    assert fw.json("firmware", "campaign", "cancel", str(created["id"]))[0]["status"] == "cancelled"
    assert [c["id"] for c in fw.json("firmware", "campaign", "list")] == [created["id"]]
    assert "to 2.0" in fw.ok("firmware", "campaign", "list").stdout
    assert hosted["source"] == "https://fw.example/1.9.bin"


def test_usage_errors(cli: Cli, tmp_path: Path) -> None:  # noqa: F811
    fw = _with_data(cli, tmp_path)
    missing = fw("firmware", "add-image", "2.0", str(tmp_path / "nope.bin"))
    assert missing.exit_code == 2
    assert "no such file" in missing.stderr
    bad_url = fw("firmware", "add-image", "2.0", "gopher://x")
    assert bad_url.exit_code == 2
    bad_window = fw("firmware", "campaign", "create", "x", "--image", "1", "--window", "late")
    assert bad_window.exit_code == 2
    assert "22-5" in bad_window.stderr
    unknown = fw("firmware", "campaign", "create", "x", "--image", "77")
    assert unknown.exit_code == 1
    assert "firmware image 77" in unknown.stderr
    assert fw("firmware", "campaign", "pause", "99").exit_code == 1
    assert fw("logs", "download", "5", "--output", str(tmp_path / "x.log")).exit_code == 1


def test_update_and_log_request_through_the_server(
    remote: Cli,  # noqa: F811
    gateway: ScriptedGateway,  # noqa: F811
    tmp_path: Path,
) -> None:
    done = remote.json("firmware", "update", "CS-1", "https://fw.example/2.bin", "--version", "2")
    assert (done["command"]["status"], done["firmware"]["state"]) == ("accepted", "requested")
    _, command, _ = gateway.sent[-1]
    assert isinstance(command, UpdateFirmware)
    assert command.location == "https://fw.example/2.bin"

    asked = remote.json("logs", "request", "CS-1", "--kind", "security")
    _, log_command, _ = gateway.sent[-1]
    assert isinstance(log_command, FetchLog)
    assert log_command.kind is LogKind.SECURITY
    assert log_command.request_id == asked["upload"]["id"]
    listed = remote.json("logs", "list", "CS-1")
    assert [(u["id"], u["state"], u["received"]) for u in listed] == [
        (asked["upload"]["id"], "requested", False)
    ]
    not_yet = remote("logs", "download", str(asked["upload"]["id"]), "-o", str(tmp_path / "l"))
    assert not_yet.exit_code == 1
    assert "has no file yet" in not_yet.stderr

    unknown = remote("firmware", "update", "NOPE", "https://x/y")
    assert unknown.exit_code == 1
    assert "NOPE" in unknown.stderr
    no_key = Cli(remote.database_url)("logs", "request", "CS-1")
    assert no_key.exit_code == 2


def test_publish_and_unpublish_through_the_server(
    remote: Cli,  # noqa: F811
    gateway: ScriptedGateway,  # noqa: F811
) -> None:
    md5 = "9e107d9d372bb6826bd81d3542a419d6"
    url = "https://fw.example/2.bin"
    done = remote.json("firmware", "publish", "CS-1", url, "--checksum", md5.upper())
    publication = done["publication"]
    assert (done["command"]["status"], publication["state"]) == ("accepted", "requested")
    assert gateway.sent[-1][1] == PublishFirmware(url, md5, request_id=publication["request_id"])
    said = remote("firmware", "publish", "CS-1", url, "--checksum", md5)
    assert said.exit_code == 0
    assert "CS-1: accepted, publication 2 requested" in said.stdout

    gone = remote("firmware", "unpublish", "CS-1", "--checksum", md5)
    assert gone.exit_code == 0, gone.stderr
    assert gateway.sent[-1][1] == UnpublishFirmware(md5)

    sent = len(gateway.sent)
    bad = remote("firmware", "publish", "CS-1", url, "--checksum", "abc")
    assert bad.exit_code == 2
    assert "32 hexadecimal characters" in bad.stderr
    assert remote("firmware", "unpublish", "CS-1").exit_code == 2  # --checksum is required
    assert len(gateway.sent) == sent
    unknown = remote("firmware", "unpublish", "NOPE", "--checksum", md5)
    assert unknown.exit_code == 1
    assert "NOPE" in unknown.stderr
