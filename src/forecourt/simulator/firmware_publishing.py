"""A 2.0.1 local controller publishing firmware to the stations behind it (L03/L04).

PublishFirmware: download the image (HTTP GET), check its MD5, then report Published with the
URI the neighbours download from (``http://<station>.local/fw/<md5>``: the simulator serves
nothing there); DownloadFailed or InvalidChecksum when a step fails
(``StationFaults.firmware_download_fails`` makes the download fail). UnpublishFirmware
forgets the image: Unpublished, NoFirmware, or DownloadOngoing while it is still downloading.
"""

from __future__ import annotations

import asyncio
import hashlib
from collections.abc import Callable, Coroutine
from functools import partial
from typing import Any

from forecourt.simulator.host import StationHost
from forecourt.simulator.maintenance import Handler, Send
from forecourt.simulator.maintenance import _download as download  # the same GET as updates
from forecourt.simulator.rpc import Answer, Payload


class Publisher:
    def __init__(self, station: StationHost, send: Send) -> None:
        self.station = station
        self._send = send
        self.published: dict[str, str] = {}  # MD5 -> the URI it is published at
        self._downloading: set[str] = set()
        self._tasks: set[asyncio.Task[None]] = set()

    @property
    def handlers(self) -> dict[str, Handler]:
        return {"PublishFirmware": self.publish, "UnpublishFirmware": self.unpublish}

    async def publish(self, payload: Payload) -> Answer:
        checksum = str(payload["checksum"]).lower()
        run = partial(
            self._publish,
            str(payload["location"]),
            checksum,
            int(str(payload["requestId"])),
            int(str(payload.get("retries") or 0)),
        )
        return Answer({"status": "Accepted"}, partial(self._spawn, run))

    async def unpublish(self, payload: Payload) -> Answer:
        checksum = str(payload["checksum"]).lower()
        if checksum in self._downloading:
            return Answer({"status": "DownloadOngoing"})
        if self.published.pop(checksum, None) is None:
            return Answer({"status": "NoFirmware"})
        self.station.emit(f"firmware {checksum} unpublished")
        return Answer({"status": "Unpublished"})

    async def _spawn(self, run: Callable[[], Coroutine[Any, Any, None]]) -> None:
        task = asyncio.create_task(run())
        self._tasks.add(task)  # keep a reference until done
        task.add_done_callback(self._tasks.discard)

    async def _publish(self, location: str, checksum: str, request_id: int, retries: int) -> None:
        async def notify(status: str, **extra: object) -> None:
            await self._send(
                "PublishFirmwareStatusNotification",
                {"status": status, "requestId": request_id, **extra},
            )

        self._downloading.add(checksum)
        try:
            await notify("Downloading")
            image = None
            for _ in range(retries + 1):
                failing = self.station.faults.firmware_download_fails
                image = None if failing else await download(location)
                if image is not None:
                    break
        finally:
            self._downloading.discard(checksum)
        if image is None:
            self.station.emit(f"firmware download failed: {location}")
            await notify("DownloadFailed")
            return
        await notify("Downloaded")
        if hashlib.md5(image, usedforsecurity=False).hexdigest() != checksum:
            await notify("InvalidChecksum")
            return
        await notify("ChecksumVerified")
        uri = f"http://{self.station.config.station_id}.local/fw/{checksum}"
        self.published[checksum] = uri
        self.station.emit(f"firmware {checksum} published at {uri}")
        await notify("Published", location=[uri])
