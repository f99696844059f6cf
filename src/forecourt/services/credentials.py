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


def verify_password(password: str, stored: str, *, subject: str = "") -> bool:
    """Constant-time check; ``subject`` (e.g. "station:CP1") names whose password it is, so
    that a success is remembered (see ``VerifiedDigests``) and the next one costs no scrypt."""
    if _known(subject, password, stored):
        return True
    _CHECKS[0] += 1
    if not _scrypt_matches(password, stored):
        return False
    _VERIFIED.remember(subject, password, stored)
    return True


async def verify_password_off_loop(password: str, stored: str, *, subject: str = "") -> bool:
    """``verify_password`` without blocking the event loop; the cache is only touched here,
    on the loop, so the worker threads share nothing."""
    if _known(subject, password, stored):
        return True
    loop = asyncio.get_running_loop()
    _CHECKS[0] += 1
    if not await loop.run_in_executor(_HASHING, _scrypt_matches, password, stored):
        return False
    _VERIFIED.remember(subject, password, stored)
    return True


def _known(subject: str, password: str, stored: str) -> bool:
    """Verified before, in this process or (stored verifier) by an earlier one: no scrypt."""
    if _VERIFIED.matches(subject, password, stored) or _VERIFIER.matches(subject, password, stored):
        _VERIFIED.remember(subject, password, stored)
        return True
    return False


def use_verifier_secret(secret: str) -> None:
    """Key the stored verifiers (``StoredVerifier``) with the server's secret key; until this
    is called (CLI commands) none is made nor trusted."""
    _VERIFIER.use_secret(secret)


def with_verifier(stored: str, subject: str, password: str) -> str | None:
    """``stored`` with a verifier for ``password`` (which has just been verified against it),
    or None when it already has a valid one or no secret is set: what to store instead."""
    return _VERIFIER.upgraded(stored, subject, password)


async def hash_password_off_loop(password: str) -> str:
    return await asyncio.get_running_loop().run_in_executor(_HASHING, hash_password, password)


class VerifiedDigests:
    """Passwords that passed a full scrypt check, so that a reconnect storm costs one scrypt
    per station rather than one per attempt.

    One entry per subject: a BLAKE2b MAC, under a key drawn at start and never stored, of the
    stored hash and the password that matched it. The password itself is never kept, and the
    MAC cannot be checked against guesses without the key. A presented password is accepted
    from here only when its MAC equals the remembered one; anything else (a wrong guess, or the
    right password after the stored hash changed) goes to scrypt, so brute force still costs a
    full scrypt per guess, and a password change invalidates the entry by itself (the stored
    hash is part of the MAC). Bounded: the least recently used subjects are forgotten."""

    def __init__(self, max_entries: int = 65536) -> None:
        self._key = secrets.token_bytes(32)
        self._max = max_entries
        self._entries: OrderedDict[str, bytes] = OrderedDict()

    def matches(self, subject: str, password: str, stored: str) -> bool:
        remembered = self._entries.get(subject) if subject else None
        if remembered is None or not hmac.compare_digest(remembered, self._mac(password, stored)):
            return False
        self._entries.move_to_end(subject)
        return True

    def remember(self, subject: str, password: str, stored: str) -> None:
        if not subject:
            return
        self._entries[subject] = self._mac(password, stored)
        self._entries.move_to_end(subject)
        if len(self._entries) > self._max:
            self._entries.popitem(last=False)

    def _mac(self, password: str, stored: str) -> bytes:
        message = f"{stored}\0{password}".encode()
        return hashlib.blake2b(message, key=self._key, digest_size=32).digest()


class StoredVerifier:
    """A verifier stored with the scrypt hash, so a restart's reconnect storm costs no scrypt.

    ``scrypt$N$r$p$salt$digest$b2$MAC``: the MAC is a BLAKE2b of the subject, the scrypt part and
    the password, keyed with a key derived from ``FORECOURT_SECRET_KEY``. Without that key a
    copy of the database gives no faster way to test guesses than scrypt; a wrong password's
    MAC does not match, and it goes to scrypt, so online guessing still costs a full scrypt
    each. A password change writes a new hash (without a verifier); a new secret key makes
    every verifier stale. Both fall back to scrypt, and the next success stores a fresh one."""

    _TAG = "b2"

    def __init__(self) -> None:
        self._key: bytes | None = None

    def use_secret(self, secret: str) -> None:
        derive = hashlib.blake2b(secret.encode(), digest_size=32, person=b"fc-station-pw")
        self._key = derive.digest()

    def matches(self, subject: str, password: str, stored: str) -> bool:
        base, tag, mac = _split_verifier(stored)
        expected = self._mac(subject, base, password) if tag == self._TAG else None
        return expected is not None and hmac.compare_digest(expected, mac)

    def upgraded(self, stored: str, subject: str, password: str) -> str | None:
        base, _, _ = _split_verifier(stored)
        mac = self._mac(subject, base, password)
        if mac is None or self.matches(subject, password, stored):
            return None
        return f"{base}${self._TAG}${mac}"

    def _mac(self, subject: str, base: str, password: str) -> str | None:
        if self._key is None or not subject:
            return None
        message = f"{subject}\0{base}\0{password}".encode()
        return _b64(hashlib.blake2b(message, key=self._key, digest_size=32).digest())


def _split_verifier(stored: str) -> tuple[str, str, str]:
    """(scrypt part, verifier tag, verifier) of a stored hash; empty tag and verifier if none."""
    parts = stored.split("$")
    if len(parts) == 8:
        return "$".join(parts[:6]), parts[6], parts[7]
    return stored, "", ""


_VERIFIED = VerifiedDigests()
_VERIFIER = StoredVerifier()

# scrypt releases the GIL: a small pool keeps each check (~16 ms) off the event loop, and its
# size bounds how much CPU password checks (a guessing attack included) can take at once.
_HASHING = ThreadPoolExecutor(max_workers=2, thread_name_prefix="forecourt-scrypt")
_CHECKS = [0]  # full checks run; counted by the callers, never in the pool's threads


def scrypt_checks() -> int:
    """How many full scrypt password checks this process has run (the tests prove with it
    that a wrong password is never answered from the cache)."""
    return _CHECKS[0]


def _scrypt_matches(password: str, stored: str) -> bool:
    try:
        scheme, n, r, p, salt, expected = _split_verifier(stored)[0].split("$")
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
