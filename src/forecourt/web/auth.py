"""Dashboard sign-in: a signed session cookie, CSRF checks, role dependencies.

CSRF: a state-changing request must come from our own origin (``Origin``, else ``Referer``,
when the browser sends one) and repeat the CSRF cookie in a field or header; the token is
signed and bound to the session cookie it was issued with, so a token planted or captured
before sign-in (or from another session) is refused.

The session cookie carries the user id and a fingerprint of the password hash, signed with
``settings.secret_key``: changing a password (or the secret) ends every session of that user.
Roles and sites are read from storage on each request, so a change applies at once.
"""

from __future__ import annotations

import hashlib
import hmac
import secrets
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from typing import Annotated
from urllib.parse import urlsplit

from fastapi import Depends
from itsdangerous import BadSignature, URLSafeSerializer, URLSafeTimedSerializer
from starlette.requests import Request
from starlette.responses import Response

from forecourt.domain.stations import Station
from forecourt.ports.users import User
from forecourt.services.access import Role, sees_full_tokens
from forecourt.services.users import UserAccess
from forecourt.web.errors import Forbidden, LoginRequired, PageError

SESSION_COOKIE = "fc_session"
CSRF_COOKIE = "fc_csrf"
CSRF_FIELD = "csrf_token"
CSRF_HEADER = "X-CSRF-Token"
SESSION_MAX_AGE_S = 12 * 3600  # one working shift; sign in again after that
_SAFE_METHODS = frozenset({"GET", "HEAD", "OPTIONS"})


def password_fingerprint(user: User) -> str:
    return hashlib.sha256(user.password_hash.encode()).hexdigest()[:16]


class SessionCodec:
    """Signs and reads session cookies and CSRF tokens."""

    def __init__(self, secret_key: str) -> None:
        self._sessions = URLSafeTimedSerializer(secret_key, salt="forecourt.web.session")
        self._csrf = URLSafeSerializer(secret_key, salt="forecourt.web.csrf")

    def issue(self, user: User) -> str:
        return self._sessions.dumps({"u": user.id, "p": password_fingerprint(user)})

    def read(self, cookie: str) -> tuple[int, str] | None:
        try:
            claims = self._sessions.loads(cookie, max_age=SESSION_MAX_AGE_S)
        except BadSignature:  # also expired (SignatureExpired is a BadSignature)
            return None
        if not isinstance(claims, dict):
            return None
        user_id, fingerprint = claims.get("u"), claims.get("p")
        if not isinstance(user_id, int) or not isinstance(fingerprint, str):
            return None
        return user_id, fingerprint

    def new_csrf_token(self, binding: str) -> str:
        token: str = self._csrf.dumps([secrets.token_urlsafe(18), binding])
        return token

    def csrf_token_valid(self, token: str, binding: str) -> bool:
        try:
            claims = self._csrf.loads(token)
        except BadSignature:
            return False
        return (
            isinstance(claims, list)
            and len(claims) == 2
            and isinstance(claims[1], str)
            and hmac.compare_digest(claims[1], binding)
        )


def csrf_binding(request: Request) -> str:
    """What CSRF tokens are bound to: this browser's session cookie ("" when signed out)."""
    cookie = request.cookies.get(SESSION_COOKIE)
    return hashlib.sha256(cookie.encode()).hexdigest()[:32] if cookie else ""


@dataclass(frozen=True, slots=True)
class SignedIn:
    """The user behind this request and what they may do."""

    user: User
    access: UserAccess

    @property
    def can_command(self) -> bool:
        return self.access.allows(Role.TECHNICIAN)

    @property
    def can_manage(self) -> bool:
        return self.access.allows(Role.OPERATOR)

    @property
    def sees_tokens(self) -> bool:
        """Full token values (else the last 4): the rule is ``services.access.shown_token``."""
        return sees_full_tokens(self.access.role)

    @property
    def is_admin(self) -> bool:
        return self.access.allows(Role.ADMIN)

    def sees(self, station: Station) -> bool:
        return self.access.sees_site(station.site_id)

    @property
    def requester(self) -> str:
        """How command records name who asked."""
        return f"web:{self.user.username}"


def set_cookie(request: Request, response: Response, name: str, value: str, max_age: int) -> None:
    response.set_cookie(
        name,
        value,
        max_age=max_age,
        httponly=True,
        secure=request.url.scheme == "https",
        samesite="lax",
        path="/",
    )


def client_address(request: Request) -> str:
    """The peer's address (behind a proxy: the one uvicorn's --forwarded-allow-ips trusts)."""
    return request.client.host if request.client is not None else ""


async def signed_in(request: Request) -> SignedIn:
    cached = getattr(request.state, "signed_in", None)
    if isinstance(cached, SignedIn):
        return cached
    web = request.app.state.web
    cookie = request.cookies.get(SESSION_COOKIE)
    claims = web.sessions.read(cookie) if cookie else None
    if claims is None:
        raise LoginRequired
    user = await web.services.users.get(claims[0])
    if user is None or user.disabled or password_fingerprint(user) != claims[1]:
        raise LoginRequired
    me = SignedIn(user, UserAccess.of(user))
    request.state.signed_in = me
    return me


def requires(needed: Role) -> Callable[[SignedIn], Awaitable[SignedIn]]:
    async def check(me: Annotated[SignedIn, Depends(signed_in)]) -> SignedIn:
        if not me.access.allows(needed):
            role = me.access.role.value if me.access.role else "no known role"
            raise Forbidden(f"This needs the {needed.value} role; you are {role}.")
        return me

    return check


Viewer = Annotated[SignedIn, Depends(requires(Role.VIEWER))]
Attendant = Annotated[SignedIn, Depends(requires(Role.ATTENDANT))]
Technician = Annotated[SignedIn, Depends(requires(Role.TECHNICIAN))]
Operator = Annotated[SignedIn, Depends(requires(Role.OPERATOR))]
Admin = Annotated[SignedIn, Depends(requires(Role.ADMIN))]
#: The admin check for a route that needs no user object: ``dependencies=[ADMIN_ONLY]``.
ADMIN_ONLY = Depends(requires(Role.ADMIN))


async def csrf_checked(request: Request) -> None:
    """Same origin, and the session's CSRF token repeated in a field or header."""
    if request.method in _SAFE_METHODS:
        return
    if not same_origin(request):
        raise PageError(403, "This request came from another site and was refused.")
    cookie = request.cookies.get(CSRF_COOKIE, "")
    sent = request.headers.get(CSRF_HEADER)
    if sent is None:
        field = (await request.form()).get(CSRF_FIELD)
        sent = field if isinstance(field, str) else ""
    codec: SessionCodec = request.app.state.web.sessions
    valid = bool(cookie) and codec.csrf_token_valid(cookie, csrf_binding(request))
    if not valid or not hmac.compare_digest(cookie, sent):
        raise PageError(403, "This form has expired. Reload the page and try again.")


def same_origin(request: Request) -> bool:
    """The browser's ``Origin`` (else ``Referer``) names this host; absent ones pass (the
    CSRF token still has to match). Compares host:port only: a TLS-terminating proxy may
    change the scheme."""
    claimed = request.headers.get("origin") or request.headers.get("referer")
    if claimed is None:
        return True
    host = request.headers.get("host", "")
    return bool(host) and urlsplit(claimed).netloc.lower() == host.lower()
