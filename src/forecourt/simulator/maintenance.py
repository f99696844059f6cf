"""Firmware updates and log uploads as a real station does them, for both dialects.

Firmware: download the image over HTTP(S) (GET), verify the signature when one was sent,
install, reboot and boot with the new version (read from the image: a first line
``SIMFW:<version>``, else the old version plus a digest), reporting each step with the
dialect's status notification. Logs: build a log file and upload it (HTTP PUT) to the URL
the CSMS gave, reporting Uploading then Uploaded/UploadFailed. ``StationFaults`` makes a step
fail on purpose.
"""

from __future__ import annotations

import asyncio
import hashlib
from collections.abc import Awaitable, Callable, Coroutine
from functools import partial
from typing import Any

from forecourt.simulator.host import StationHost
from forecourt.simulator.rpc import Answer, Payload
from forecourt.simulator.session import StopCause, ocpp_timestamp, utc_now

Notify = Callable[[str], Awaitable[None]]
_HTTP_TIMEOUT_S = 30.0
_IMAGE_MARK = b"SIMFW:"


class Maintenance:
    """One station's firmware and log work; ``notify_*`` send the dialect's notifications."""

    def __init__(self, station: StationHost) -> None:
        self.station = station
        self._tasks: set[asyncio.Task[None]] = set()

    def update_firmware(
        self,
        location: str,
        retries: int,
        *,
        signed: bool,
        notify: Notify,
        security_event: Notify | None = None,
        reboot_status: bool = False,
    ) -> Answer:
        """Accept, then run the update after the answer is sent (2.0.1 and signed 1.6 updates
        report InstallRebooting: ``reboot_status``)."""
        run = partial(
            self._update, location, retries, signed, notify, security_event, reboot_status
        )
        accepted: Payload = {"status": "Accepted"} if signed or reboot_status else {}
        return Answer(accepted, partial(self._spawn, run))  # 1.6 UpdateFirmware.conf is empty

    def upload_log(self, location: str, notify: Notify, accepted: Payload) -> Answer:
        """``accepted`` is the dialect's positive answer (with its file name)."""
        if self.station.faults.log_upload_refused:
            return Answer({} if "fileName" in accepted else {"status": "Rejected"})
        return Answer(accepted, partial(self._spawn, partial(self._upload, location, notify)))

    def log_file_name(self) -> str:
        return f"{self.station.config.station_id}-{utc_now().strftime('%Y%m%dT%H%M%S')}.log"

    async def _spawn(self, work: Callable[[], Coroutine[Any, Any, None]]) -> None:
        task = asyncio.create_task(work())
        self._tasks.add(task)  # keep a reference until done
        task.add_done_callback(self._tasks.discard)

    async def _update(
        self,
        location: str,
        retries: int,
        signed: bool,
        notify: Notify,
        security_event: Notify | None,
        reboot_status: bool,
    ) -> None:
        station = self.station
        faults = station.faults
        await notify("Downloading")
        image = None
        for _ in range(retries + 1):
            image = None if faults.firmware_download_fails else await _download(location)
            if image is not None:
                break
        if image is None:
            station.emit(f"firmware download failed: {location}")
            await notify("DownloadFailed")
            return
        await notify("Downloaded")
        if signed and faults.firmware_signature_invalid:
            if security_event is not None:
                await security_event("InvalidFirmwareSignature")
            await notify("InvalidSignature")
            return
        if signed:
            await notify("SignatureVerified")
        await notify("Installing")
        if faults.firmware_install_fails:
            await notify("InstallationFailed")
            return
        if reboot_status:
            await notify("InstallRebooting")
        station.config.firmware = _version_of(image, station.config.firmware)
        station.emit(f"installing firmware {station.config.firmware}, rebooting")
        await station.reset(StopCause.SOFT_RESET, "FirmwareUpdate")
        await station.uplink.booted.wait()
        await notify("Installed")

    async def _upload(self, location: str, notify: Notify) -> None:
        await notify("Uploading")
        ok = await _put(location, self._log_body())
        await notify("Uploaded" if ok else "UploadFailed")

    def _log_body(self) -> bytes:
        config = self.station.config
        head = (
            f"{ocpp_timestamp(utc_now())} {config.station_id} {config.vendor} {config.model} "
            f"firmware {config.firmware}\n"
        ).encode()
        size = max(self.station.faults.log_size_bytes, len(head))
        filler = b"diagnostics: all systems nominal\n"
        return (head + filler * (size // len(filler) + 1))[:size]


async def _download(location: str) -> bytes | None:
    import httpx

    try:
        async with httpx.AsyncClient(timeout=_HTTP_TIMEOUT_S) as client:
            response = await client.get(location)
    except httpx.HTTPError:
        return None
    return response.content if response.is_success else None


async def _put(location: str, body: bytes) -> bool:
    import httpx

    try:
        async with httpx.AsyncClient(timeout=_HTTP_TIMEOUT_S) as client:
            response = await client.put(location, content=body)
    except httpx.HTTPError:
        return False
    return response.is_success


def _version_of(image: bytes, old: str) -> str:
    if image.startswith(_IMAGE_MARK):
        return image[len(_IMAGE_MARK) :].split(b"\n", 1)[0].decode(errors="replace")[:50]
    return f"{old}+{hashlib.sha256(image).hexdigest()[:8]}"[:50]


# --- the dialects' handlers ------------------------------------------------------------------
Handler = Callable[[Payload], Awaitable[Answer]]
Send = Callable[[str, Payload], Awaitable[object]]


def _log_status(status: str) -> str:
    """1.6 DiagnosticsStatus says UploadFailed; UploadLogStatus says UploadFailure."""
    return "UploadFailure" if status == "UploadFailed" else status


def handlers16(maintenance: Maintenance, send: Send) -> dict[str, Handler]:
    """1.6 UpdateFirmware/GetDiagnostics and the security whitepaper's signed variants."""

    async def security(kind: str) -> None:
        await send("SecurityEventNotification", {"type": kind, "timestamp": _now()})

    async def update(payload: Payload) -> Answer:
        async def notify(status: str) -> None:
            await send("FirmwareStatusNotification", {"status": status})

        retries = int(payload.get("retries") or 0)
        return maintenance.update_firmware(
            str(payload["location"]), retries, signed=False, notify=notify
        )

    async def signed_update(payload: Payload) -> Answer:
        request_id = payload["requestId"]
        firmware = payload["firmware"]
        assert isinstance(firmware, dict)

        async def notify(status: str) -> None:
            body = {"status": status, "requestId": request_id}
            await send("SignedFirmwareStatusNotification", body)

        return maintenance.update_firmware(
            str(firmware["location"]),
            int(payload.get("retries") or 0),
            signed=True,
            notify=notify,
            security_event=security,
            reboot_status=True,
        )

    async def diagnostics(payload: Payload) -> Answer:
        async def notify(status: str) -> None:
            await send("DiagnosticsStatusNotification", {"status": status})

        name = maintenance.log_file_name()
        return maintenance.upload_log(str(payload["location"]), notify, {"fileName": name})

    async def get_log(payload: Payload) -> Answer:
        return _get_log(maintenance, send, payload)

    return {
        "UpdateFirmware": update,
        "SignedUpdateFirmware": signed_update,
        "GetDiagnostics": diagnostics,
        "GetLog": get_log,
    }


def handlers201(maintenance: Maintenance, send: Send) -> dict[str, Handler]:
    """2.0.1 UpdateFirmware (L01/L02) and GetLog (N01)."""

    async def security(kind: str) -> None:
        await send("SecurityEventNotification", {"type": kind, "timestamp": _now()})

    async def update(payload: Payload) -> Answer:
        request_id = payload["requestId"]
        firmware = payload["firmware"]
        assert isinstance(firmware, dict)

        async def notify(status: str) -> None:
            await send("FirmwareStatusNotification", {"status": status, "requestId": request_id})

        return maintenance.update_firmware(
            str(firmware["location"]),
            int(payload.get("retries") or 0),
            signed="signature" in firmware,
            notify=notify,
            security_event=security,
            reboot_status=True,
        )

    async def get_log(payload: Payload) -> Answer:
        return _get_log(maintenance, send, payload)

    return {"UpdateFirmware": update, "GetLog": get_log}


def _get_log(maintenance: Maintenance, send: Send, payload: Payload) -> Answer:
    request_id = payload["requestId"]
    log = payload["log"]
    assert isinstance(log, dict)

    async def notify(status: str) -> None:
        body = {"status": _log_status(status), "requestId": request_id}
        await send("LogStatusNotification", body)

    accepted = {"status": "Accepted", "filename": maintenance.log_file_name()}
    return maintenance.upload_log(str(log["remoteLocation"]), notify, accepted)


def _now() -> str:
    return ocpp_timestamp(utc_now())
