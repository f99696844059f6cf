"""Station passwords and API keys: hashed at rest, compared in constant time, never logged."""

from __future__ import annotations

import asyncio
import base64
import hashlib
import hmac
import secrets
from collections import OrderedDict
from concurrent.futures import ThreadPoolExecutor

# scrypt cost: station passwords are long random strings (OCPP 2.0.1 BasicAuthPassword is 16-40
# chars), so a moderate cost is enough, and it keeps 10,000 reconnecting stations affordable.
_SCRYPT_N, _SCRYPT_R, _SCRYPT_P = 2**12, 8, 1


def _b64(data: bytes) -> str:
    return base64.b64encode(data).decode("ascii")


def hash_password(password: str) -> str:
    salt = secrets.token_bytes(16)
    digest = hashlib.scrypt(
        password.encode(), salt=salt, n=_SCRYPT_N, r=_SCRYPT_R, p=_SCRYPT_P, dklen=32
    )
    return f"scrypt${_SCRYPT_N}${_SCRYPT_R}${_SCRYPT_P}${_b64(salt)}${_b64(digest)}"


def verify_password(password: str, stored: str) -> bool:
    """Constant-time check. Successful checks are remembered by a digest (never the password)
    so that a reconnect storm costs one scrypt per station rather than one per attempt."""
    key = _remember_key(password, stored)
    if _remembered(key):
        return True
    if not _scrypt_matches(password, stored):
        return False
    _remember(key)
    return True


async def verify_password_off_loop(password: str, stored: str) -> bool:
    """``verify_password`` without blocking the event loop; the cache is only touched here,
    on the loop, so the worker threads share nothing."""
    key = _remember_key(password, stored)
    if _remembered(key):
        return True
    loop = asyncio.get_running_loop()
    if not await loop.run_in_executor(_HASHING, _scrypt_matches, password, stored):
        return False
    _remember(key)
    return True


async def hash_password_off_loop(password: str) -> str:
    return await asyncio.get_running_loop().run_in_executor(_HASHING, hash_password, password)


_VERIFIED: OrderedDict[str, None] = OrderedDict()
_VERIFIED_MAX = 65536

# scrypt releases the GIL: a small pool keeps each check (~16 ms) off the event loop, and its
# size bounds how much CPU password checks (a guessing attack included) can take at once.
_HASHING = ThreadPoolExecutor(max_workers=2, thread_name_prefix="forecourt-scrypt")


def _remember_key(password: str, stored: str) -> str:
    return hashlib.sha256(f"{stored}\0{password}".encode()).hexdigest()


def _remembered(key: str) -> bool:
    if key in _VERIFIED:
        _VERIFIED.move_to_end(key)
        return True
    return False


def _remember(key: str) -> None:
    _VERIFIED[key] = None
    if len(_VERIFIED) > _VERIFIED_MAX:
        _VERIFIED.popitem(last=False)


def _scrypt_matches(password: str, stored: str) -> bool:
    try:
        scheme, n, r, p, salt, expected = stored.split("$")
        if scheme != "scrypt":
            return False
        digest = hashlib.scrypt(
            password.encode(),
            salt=base64.b64decode(salt),
            n=int(n),
            r=int(r),
            p=int(p),
            dklen=32,
        )
    except ValueError:
        return False
    return hmac.compare_digest(digest, base64.b64decode(expected))


API_KEY_PREFIX_LEN = 8


def new_api_key() -> tuple[str, str, str]:
    """Return (plaintext key, lookup prefix, hash). The plaintext is shown once only."""
    prefix = secrets.token_hex(API_KEY_PREFIX_LEN // 2)
    key = f"fc_{prefix}_{secrets.token_urlsafe(32)}"
    return key, prefix, hash_api_key(key)


def hash_api_key(key: str) -> str:
    # API keys carry 256 bits of entropy: a plain SHA-256 is safe and cheap per request.
    return hashlib.sha256(key.encode()).hexdigest()


def api_key_prefix(key: str) -> str | None:
    parts = key.split("_")
    if len(parts) < 3 or parts[0] != "fc" or len(parts[1]) != API_KEY_PREFIX_LEN:
        return None
    return parts[1]
