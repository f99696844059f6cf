"""Firmware images: upload (size-limited) or reference, and signed, expiring download URLs."""

from __future__ import annotations

import hashlib
from collections.abc import AsyncIterator
from pathlib import Path

from forecourt.domain.errors import InvalidInput, NotFound, TooLarge
from forecourt.firmware.domain.images import FirmwareImage, download_signature, valid_download
from forecourt.firmware.ports import FIRMWARE_STORE
from forecourt.firmware.services.config import FirmwareConfig
from forecourt.services.context import ServiceContext

#: Where stations download stored images (``{public_url}{path}?expires=..&signature=..``).
DOWNLOAD_PATH = "/api/firmware/images/{image_id}/download"


class ImageLibrary:
    def __init__(self, ctx: ServiceContext, config: FirmwareConfig) -> None:
        self._ctx = ctx
        self.config = config

    async def reference(
        self,
        version: str,
        url: str,
        *,
        signing_certificate: str = "",
        signature: str = "",
        created_by: str = "",
    ) -> FirmwareImage:
        """An image the operator hosts: stations are sent ``url`` as it is."""
        if not url.startswith(("http://", "https://", "ftp://", "ftps://")):
            raise InvalidInput("the image URL must be http(s):// or ftp(s)://")
        image = FirmwareImage(
            _version(version),
            self._ctx.clock.now(),
            url=url,
            signing_certificate=signing_certificate,
            signature=signature,
            created_by=created_by,
        )
        return await self._add(image)

    async def upload(
        self,
        version: str,
        file_name: str,
        chunks: AsyncIterator[bytes],
        *,
        declared_size: int | None = None,
        signing_certificate: str = "",
        signature: str = "",
        created_by: str = "",
    ) -> FirmwareImage:
        """An image Forecourt keeps and serves; over ``max_image_bytes`` nothing is kept."""
        limit = self.config.max_image_bytes
        if declared_size is not None and declared_size > limit:
            raise TooLarge("the firmware image", limit)
        image = FirmwareImage(
            _version(version),
            self._ctx.clock.now(),
            file_name=_safe(file_name),
            signing_certificate=signing_certificate,
            signature=signature,
            created_by=created_by,
        )
        self.config.image_dir.mkdir(parents=True, exist_ok=True)
        partial = self.config.image_dir / f"upload-{id(image)}.part"
        try:
            image.size_bytes, image.sha256 = await _write(partial, chunks, limit)
            image = await self._add(image)
            partial.replace(self.path(image))
        finally:
            partial.unlink(missing_ok=True)
        return image

    async def images(self) -> list[FirmwareImage]:
        async with self._ctx.uow() as uow:
            return await uow.repository(FIRMWARE_STORE).images()

    async def image(self, image_id: int) -> FirmwareImage:
        async with self._ctx.uow() as uow:
            image = await uow.repository(FIRMWARE_STORE).image(image_id)
        if image is None:
            raise NotFound("firmware image", image_id)
        return image

    def location(self, image: FirmwareImage) -> str:
        """What a station is told to download: a signed, expiring URL of ours, or theirs."""
        if not image.stored:
            return image.url
        expires = int(self._ctx.clock.now().timestamp() + self.config.url_ttl_s)
        signature = download_signature(self.config.secret, image.id, expires)
        path = DOWNLOAD_PATH.format(image_id=image.id)
        base = self.config.public_url.rstrip("/")
        return f"{base}{path}?expires={expires}&signature={signature}"

    async def download(self, image_id: int, expires: int, signature: str) -> tuple[Path, str]:
        """The file behind a signed URL; an expired or forged one is not found."""
        now = self._ctx.clock.now().timestamp()
        if not valid_download(self.config.secret, image_id, expires, signature, now):
            raise NotFound("firmware download", "(this URL has expired or is not ours)")
        image = await self.image(image_id)
        path = self.path(image)
        if not image.stored or not path.is_file():
            raise NotFound("firmware image file", image_id)
        return path, image.file_name or f"firmware-{image.version}.bin"

    def path(self, image: FirmwareImage) -> Path:
        return self.config.image_dir / f"{image.id}.bin"

    async def _add(self, image: FirmwareImage) -> FirmwareImage:
        async with self._ctx.uow() as uow:
            image = await uow.repository(FIRMWARE_STORE).add_image(image)
            await uow.commit()
        return image


def _version(version: str) -> str:
    version = version.strip()
    if not version or len(version) > 50:
        raise InvalidInput("the image's firmware version is required (at most 50 characters)")
    return version


def _safe(name: str) -> str:
    base = name.replace("\\", "/").rsplit("/", 1)[-1]
    return "".join(c for c in base if c.isalnum() or c in "._-")[:120]


async def _write(path: Path, chunks: AsyncIterator[bytes], limit: int) -> tuple[int, str]:
    digest = hashlib.sha256()
    size = 0
    with path.open("wb") as out:
        async for chunk in chunks:
            size += len(chunk)
            if size > limit:
                raise TooLarge("the firmware image", limit)
            digest.update(chunk)
            out.write(chunk)
    if size == 0:
        raise InvalidInput("the firmware image is empty")
    return size, digest.hexdigest()
